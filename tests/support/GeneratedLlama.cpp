// Random-weight llama GGUFs; the Q4_K_M rules are llama.cpp's (docs/tensor-types.md).
#include "GeneratedLlama.h"

#include "common/AtomicFile.h"
#include "inference/GgufWriter.h"
#include "inference/TensorTypes.h"

#include <QRandomGenerator>
#include <QStringList>
#include <cmath>
#include <vector>

namespace sinkscope::test {

namespace {

// llama-quant.cpp's use_more_bits: the first and last eighth of the layers, and every third between.
bool usesMoreBits(int layer, int layers) {
  return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
}

int blockValues(GgmlType type) {
  const TensorTypeTraits* traits = tensorTypeTraits(type);
  return traits ? traits->blockValues : 1;
}

// <unk> <s> </s>, the 256 byte tokens, then plain pieces up to `vocab` (scores falling with id).
void addVocabulary(GgufWriter& writer, int vocab) {
  QStringList tokens{QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>")};
  std::vector<float> scores{0, 0, 0};
  std::vector<qint32> types{2, 3, 3};  // unknown, control, control
  for (int b = 0; b < 256; ++b) {
    tokens << QStringLiteral("<0x%1>").arg(QString::number(b, 16).toUpper().rightJustified(2, QLatin1Char('0')));
    scores.push_back(0);
    types.push_back(6);  // byte
  }
  for (int id = int(tokens.size()); id < vocab; ++id) {
    tokens << QStringLiteral("\u2581w%1").arg(id);
    scores.push_back(-float(id));
    types.push_back(1);  // normal
  }
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("llama"));
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), tokens);
  writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), scores);
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), types);
  writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), 1);
  writer.addUint32(QStringLiteral("tokenizer.ggml.eos_token_id"), 2);
  writer.addUint32(QStringLiteral("tokenizer.ggml.unknown_token_id"), 0);
}

void addHyperparameters(GgufWriter& writer, const GeneratedLlamaShape& shape, const TensorTypePlan& plan) {
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addString(QStringLiteral("general.name"), QStringLiteral("random llama (%1)").arg(plan.describe()));
  writer.addUint32(QStringLiteral("llama.context_length"), quint32(shape.contextLength));
  writer.addUint32(QStringLiteral("llama.embedding_length"), quint32(shape.embedding));
  writer.addUint32(QStringLiteral("llama.feed_forward_length"), quint32(shape.feedForward));
  writer.addUint32(QStringLiteral("llama.attention.head_count"), quint32(shape.heads));
  writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), quint32(shape.kvHeads));
  writer.addUint32(QStringLiteral("llama.block_count"), quint32(shape.layers));
  writer.addUint32(QStringLiteral("llama.rope.dimension_count"), quint32(shape.embedding / shape.heads));
  writer.addFloat32(QStringLiteral("llama.rope.freq_base"), 10000.0f);
  writer.addFloat32(QStringLiteral("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
}

class WeightSource {
 public:
  explicit WeightSource(quint32 seed) : random_(seed) {}
  // Uniform values of standard deviation `deviation`.
  std::vector<float> uniform(qint64 count, double deviation) {
    std::vector<float> values(static_cast<size_t>(count));
    const double halfWidth = deviation * std::sqrt(3.0);
    for (float& v : values) v = float((random_.generateDouble() * 2 - 1) * halfWidth);
    return values;
  }

 private:
  QRandomGenerator random_;
};

}  // namespace

QString TensorTypePlan::describe() const {
  return mix == Mix::Q4_K_M ? QStringLiteral("Q4_K_M") : QStringLiteral("all %1").arg(ggmlTypeName(type));
}

GgmlType fallbackType(GgmlType wanted, qint64 rowLength) {
  if (rowLength % blockValues(wanted) == 0) return wanted;
  GgmlType fallback = GgmlType::F16;
  switch (wanted) {
    case GgmlType::IQ4_XS: fallback = GgmlType::IQ4_NL; break;
    case GgmlType::Q2_K: case GgmlType::Q3_K: fallback = GgmlType::Q4_0; break;
    case GgmlType::Q4_K: fallback = GgmlType::Q5_0; break;
    case GgmlType::Q5_K: fallback = GgmlType::Q5_1; break;
    case GgmlType::Q6_K: fallback = GgmlType::Q8_0; break;
    default: break;
  }
  return rowLength % blockValues(fallback) == 0 ? fallback : GgmlType::F16;
}

GgmlType q4KMType(const QString& tensorName, qint64 rowLength, int layer, int layers, bool tiedOutput) {
  GgmlType type = GgmlType::Q4_K;
  const bool isOutput = tensorName == QLatin1String("output.weight") ||
                        (tiedOutput && tensorName == QLatin1String("token_embd.weight"));
  if (isOutput) type = rowLength % 256 != 0 ? GgmlType::Q8_0 : GgmlType::Q6_K;
  else if (tensorName.contains(QLatin1String("attn_v.weight")) && usesMoreBits(layer, layers)) type = GgmlType::Q6_K;
  else if (tensorName.contains(QLatin1String("ffn_down")) && usesMoreBits(layer, layers)) type = GgmlType::Q6_K;
  return fallbackType(type, rowLength);
}

GgmlType plannedMatrixType(const TensorTypePlan& plan, const QString& tensorName, qint64 rowLength, int layer,
                           const GeneratedLlamaShape& shape) {
  if (plan.mix == TensorTypePlan::Mix::Q4_K_M) return q4KMType(tensorName, rowLength, layer, shape.layers, shape.tiedOutput);
  return fallbackType(plan.type, rowLength);
}

std::vector<PlannedTensor> llamaTensors(const GeneratedLlamaShape& shape, const TensorTypePlan& plan) {
  std::vector<PlannedTensor> tensors;
  const qint64 e = shape.embedding, headDim = shape.embedding / shape.heads;
  auto matrix = [&](const QString& name, qint64 in, qint64 out, int layer) {
    tensors.push_back({name, {in, out}, plannedMatrixType(plan, name, in, layer, shape)});
  };
  auto norm = [&](const QString& name) { tensors.push_back({name, {e}, GgmlType::F32}); };
  matrix(QStringLiteral("token_embd.weight"), e, shape.vocab, -1);
  norm(QStringLiteral("output_norm.weight"));
  if (!shape.tiedOutput) matrix(QStringLiteral("output.weight"), e, shape.vocab, -1);
  for (int l = 0; l < shape.layers; ++l) {
    const QString p = QStringLiteral("blk.%1.").arg(l);
    norm(p + QStringLiteral("attn_norm.weight"));
    matrix(p + QStringLiteral("attn_q.weight"), e, shape.heads * headDim, l);
    matrix(p + QStringLiteral("attn_k.weight"), e, shape.kvHeads * headDim, l);
    matrix(p + QStringLiteral("attn_v.weight"), e, shape.kvHeads * headDim, l);
    matrix(p + QStringLiteral("attn_output.weight"), shape.heads * headDim, e, l);
    norm(p + QStringLiteral("ffn_norm.weight"));
    matrix(p + QStringLiteral("ffn_gate.weight"), e, shape.feedForward, l);
    matrix(p + QStringLiteral("ffn_up.weight"), e, shape.feedForward, l);
    matrix(p + QStringLiteral("ffn_down.weight"), shape.feedForward, e, l);
  }
  return tensors;
}

QByteArray generatedLlamaBytes(const GeneratedLlamaShape& shape, const TensorTypePlan& plan, quint32 seed) {
  GgufWriter writer;
  addHyperparameters(writer, shape, plan);
  addVocabulary(writer, shape.vocab);
  WeightSource weights(seed);
  for (const PlannedTensor& tensor : llamaTensors(shape, plan)) {
    const qint64 rowLength = tensor.shape[0];
    const qint64 count = tensor.shape.size() == 1 ? rowLength : rowLength * tensor.shape[1];
    std::vector<float> values;
    if (tensor.shape.size() == 1) {  // norm weights around 1
      values = weights.uniform(count, 0.1);
      for (float& v : values) v += 1.0f;
    } else if (tensor.name == QLatin1String("token_embd.weight") && !shape.tiedOutput) {
      values = weights.uniform(count, 1.0);  // unit-scale embeddings
    } else {  // every projection (a tied embedding is the output's) keeps unit-scale activations
      values = weights.uniform(count, 1.0 / std::sqrt(double(rowLength)));
    }
    writer.addTensor(tensor.name, tensor.shape, values, tensor.type);
  }
  return writer.toBytes();
}

void writeGeneratedLlama(const QString& path, const GeneratedLlamaShape& shape, const TensorTypePlan& plan, quint32 seed) {
  writeFileAtomically(path, generatedLlamaBytes(shape, plan, seed));
}

std::map<QString, int> tensorTypeCounts(const GgufFile& file) {
  std::map<QString, int> counts;
  for (const GgufTensorInfo& info : file.tensors()) ++counts[ggmlTypeName(info.type)];
  return counts;
}

}  // namespace sinkscope::test
