// Random-weight llama GGUFs; the Q4_K_M rules are llama.cpp's (docs/tensor-types.md).
#include "GeneratedLlama.h"

#include "common/AtomicFile.h"
#include "inference/GgufWriter.h"
#include "inference/TensorTypes.h"

#include <QRandomGenerator>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <initializer_list>
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
    tokens << QStringLiteral("<0x%1>").arg(
        QString::number(b, 16).toUpper().rightJustified(2, QLatin1Char('0')));
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
  const QString a = shape.architecture + QLatin1Char('.');
  writer.addString(QStringLiteral("general.architecture"), shape.architecture);
  // The name leaves the architecture out: llama.cpp sets special-token attributes by name ("phi3"
  // in general.name makes it look up Phi-3's own tokens, which this vocabulary does not have).
  const QString name = shape.architecture == QLatin1String("llama")
                           ? QStringLiteral("random llama (%1)").arg(plan.describe())
                           : QStringLiteral("random-weight model (%1)").arg(plan.describe());
  writer.addString(QStringLiteral("general.name"), name);
  writer.addUint32(a + QStringLiteral("context_length"), quint32(shape.contextLength));
  writer.addUint32(a + QStringLiteral("embedding_length"), quint32(shape.embedding));
  writer.addUint32(a + QStringLiteral("feed_forward_length"), quint32(shape.feedForward));
  writer.addUint32(a + QStringLiteral("attention.head_count"), quint32(shape.heads));
  writer.addUint32(a + QStringLiteral("attention.head_count_kv"), quint32(shape.kvHeads));
  writer.addUint32(a + QStringLiteral("block_count"), quint32(shape.layers));
  if (shape.headDim > 0) {
    writer.addUint32(a + QStringLiteral("attention.key_length"), quint32(shape.headDim));
    writer.addUint32(a + QStringLiteral("attention.value_length"), quint32(shape.headDim));
  }
  writer.addUint32(a + QStringLiteral("rope.dimension_count"), quint32(shape.effectiveHeadDim()));
  writer.addFloat32(a + QStringLiteral("rope.freq_base"), float(shape.ropeBase));
  writer.addFloat32(a + QStringLiteral("attention.layer_norm_rms_epsilon"), 1e-5f);
  if (shape.longRopeOriginalContext > 0) {
    writer.addUint32(a + QStringLiteral("rope.scaling.original_context_length"),
                     quint32(shape.longRopeOriginalContext));
    writer.addFloat32(a + QStringLiteral("rope.scaling.attn_factor"), float(shape.ropeAttentionFactor));
  }
  if (shape.slidingWindow > 0)
    writer.addUint32(a + QStringLiteral("attention.sliding_window"), quint32(shape.slidingWindow));
  if (shape.attentionSoftcap != 0)
    writer.addFloat32(a + QStringLiteral("attn_logit_softcapping"), float(shape.attentionSoftcap));
  if (shape.finalSoftcap != 0)
    writer.addFloat32(a + QStringLiteral("final_logit_softcapping"), float(shape.finalSoftcap));
}

bool isArchitecture(const GeneratedLlamaShape& shape, std::initializer_list<const char*> names) {
  for (const char* name : names)
    if (shape.architecture == QLatin1String(name)) return true;
  return false;
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
    case GgmlType::IQ4_XS:
      fallback = GgmlType::IQ4_NL;
      break;
    case GgmlType::Q2_K:
    case GgmlType::Q3_K:
      fallback = GgmlType::Q4_0;
      break;
    case GgmlType::Q4_K:
      fallback = GgmlType::Q5_0;
      break;
    case GgmlType::Q5_K:
      fallback = GgmlType::Q5_1;
      break;
    case GgmlType::Q6_K:
      fallback = GgmlType::Q8_0;
      break;
    default:
      break;
  }
  return rowLength % blockValues(fallback) == 0 ? fallback : GgmlType::F16;
}

GgmlType q4KMType(const QString& tensorName, qint64 rowLength, int layer, int layers, bool tiedOutput) {
  GgmlType type = GgmlType::Q4_K;
  const bool isOutput = tensorName == QLatin1String("output.weight") ||
                        (tiedOutput && tensorName == QLatin1String("token_embd.weight"));
  if (isOutput)
    type = rowLength % 256 != 0 ? GgmlType::Q8_0 : GgmlType::Q6_K;
  else if (tensorName.contains(QLatin1String("attn_v.weight")) && usesMoreBits(layer, layers))
    type = GgmlType::Q6_K;
  else if (tensorName.contains(QLatin1String("ffn_down")) && usesMoreBits(layer, layers))
    type = GgmlType::Q6_K;
  return fallbackType(type, rowLength);
}

GgmlType plannedMatrixType(const TensorTypePlan& plan, const QString& tensorName, qint64 rowLength, int layer,
                           const GeneratedLlamaShape& shape) {
  if (plan.mix == TensorTypePlan::Mix::Q4_K_M)
    return q4KMType(tensorName, rowLength, layer, shape.layers, shape.tiedOutput);
  return fallbackType(plan.type, rowLength);
}

std::vector<PlannedTensor> llamaTensors(const GeneratedLlamaShape& shape, const TensorTypePlan& plan) {
  std::vector<PlannedTensor> tensors;
  const qint64 e = shape.embedding, headDim = shape.effectiveHeadDim();
  const qint64 q = shape.heads * headDim, kv = shape.kvHeads * headDim;
  const bool fused = isArchitecture(shape, {"phi3"});
  const bool biases = isArchitecture(shape, {"qwen2"});
  const bool qkNorms = isArchitecture(shape, {"qwen3", "gemma3"});
  const bool postNorms = isArchitecture(shape, {"gemma2", "gemma3"});
  const bool tied = shape.tiedOutput || isArchitecture(shape, {"gemma2"});
  auto matrix = [&](const QString& name, qint64 in, qint64 out, int layer) {
    tensors.push_back({name, {in, out}, plannedMatrixType(plan, name, in, layer, shape)});
  };
  auto vector = [&](const QString& name, qint64 length) {
    tensors.push_back({name, {length}, GgmlType::F32});
  };
  matrix(QStringLiteral("token_embd.weight"), e, shape.vocab, -1);
  vector(QStringLiteral("output_norm.weight"), e);
  if (!tied) matrix(QStringLiteral("output.weight"), e, shape.vocab, -1);
  if (shape.ropeFrequencyFactors) vector(QStringLiteral("rope_freqs.weight"), headDim / 2);
  if (shape.longRopeOriginalContext > 0) {
    vector(QStringLiteral("rope_factors_long.weight"), headDim / 2);
    vector(QStringLiteral("rope_factors_short.weight"), headDim / 2);
  }
  for (int l = 0; l < shape.layers; ++l) {
    const QString p = QStringLiteral("blk.%1.").arg(l);
    vector(p + QStringLiteral("attn_norm.weight"), e);
    if (fused) {
      matrix(p + QStringLiteral("attn_qkv.weight"), e, q + 2 * kv, l);
    } else {
      matrix(p + QStringLiteral("attn_q.weight"), e, q, l);
      matrix(p + QStringLiteral("attn_k.weight"), e, kv, l);
      matrix(p + QStringLiteral("attn_v.weight"), e, kv, l);
    }
    if (biases) {
      vector(p + QStringLiteral("attn_q.bias"), q);
      vector(p + QStringLiteral("attn_k.bias"), kv);
      vector(p + QStringLiteral("attn_v.bias"), kv);
    }
    if (qkNorms) {
      vector(p + QStringLiteral("attn_q_norm.weight"), headDim);
      vector(p + QStringLiteral("attn_k_norm.weight"), headDim);
    }
    matrix(p + QStringLiteral("attn_output.weight"), q, e, l);
    if (postNorms) vector(p + QStringLiteral("post_attention_norm.weight"), e);
    vector(p + QStringLiteral("ffn_norm.weight"), e);
    if (fused) {
      matrix(p + QStringLiteral("ffn_up.weight"), e, 2 * qint64(shape.feedForward), l);
    } else {
      matrix(p + QStringLiteral("ffn_gate.weight"), e, shape.feedForward, l);
      matrix(p + QStringLiteral("ffn_up.weight"), e, shape.feedForward, l);
    }
    matrix(p + QStringLiteral("ffn_down.weight"), shape.feedForward, e, l);
    if (postNorms) vector(p + QStringLiteral("post_ffw_norm.weight"), e);
  }
  return tensors;
}

QByteArray generatedLlamaBytes(const GeneratedLlamaShape& shape, const TensorTypePlan& plan, quint32 seed) {
  return generatedLlamaBytes(shape, plan, seed, {});
}

QByteArray generatedLlamaBytes(const GeneratedLlamaShape& shape, const TensorTypePlan& plan, quint32 seed,
                               const PlannedTensorEdit& edit) {
  GgufWriter writer;
  addHyperparameters(writer, shape, plan);
  addVocabulary(writer, shape.vocab);
  WeightSource weights(seed);
  std::vector<PlannedTensor> planned = llamaTensors(shape, plan);
  if (edit) edit(planned);
  for (const PlannedTensor& tensor : planned) {
    const qint64 rowLength = tensor.shape[0];
    const qint64 count = tensor.shape.size() == 1 ? rowLength : rowLength * tensor.shape[1];
    std::vector<float> values;
    const bool tiedEmbedding = tensor.name == QLatin1String("token_embd.weight") &&
                               std::none_of(planned.begin(), planned.end(), [](const PlannedTensor& t) {
                                 return t.name == QLatin1String("output.weight");
                               });
    if (tensor.name.endsWith(QLatin1String(".bias"))) {  // biases large enough to matter
      values = weights.uniform(count, 0.5);
    } else if (tensor.name == QLatin1String("rope_factors_short.weight")) {  // divisors in [1, 1.5]
      values = weights.uniform(count, 0.25 / std::sqrt(3.0));
      for (float& v : values) v += 1.25f;
    } else if (tensor.name == QLatin1String("rope_freqs.weight") ||
               tensor.name == QLatin1String("rope_factors_long.weight")) {
      // divisors in [1, 8], as Llama 3.x's and Phi-3.5's long factors
      values = weights.uniform(count, 3.5 / std::sqrt(3.0));
      for (float& v : values) v += 4.5f;
    } else if (tensor.shape.size() == 1) {  // norm weights around 1
      values = weights.uniform(count, 0.1);
      for (float& v : values) v += 1.0f;
    } else if (tensor.name == QLatin1String("token_embd.weight") && !tiedEmbedding) {
      values = weights.uniform(count, 1.0);  // unit-scale embeddings
    } else {  // every projection (a tied embedding is the output's) keeps unit-scale activations
      const bool sharpened = tensor.name.contains(QLatin1String("attn_q.")) ||
                             tensor.name.contains(QLatin1String("attn_k.")) ||
                             tensor.name.contains(QLatin1String("attn_qkv."));
      values = weights.uniform(count, (sharpened ? shape.queryKeyGain : 1.0) / std::sqrt(double(rowLength)));
    }
    writer.addTensor(tensor.name, tensor.shape, values, tensor.type);
  }
  return writer.toBytes();
}

void writeGeneratedLlama(const QString& path, const GeneratedLlamaShape& shape, const TensorTypePlan& plan,
                         quint32 seed) {
  writeFileAtomically(path, generatedLlamaBytes(shape, plan, seed));
}

std::map<QString, int> tensorTypeCounts(const GgufFile& file) {
  std::map<QString, int> counts;
  for (const GgufTensorInfo& info : file.tensors()) ++counts[ggmlTypeName(info.type)];
  return counts;
}

}  // namespace sinkscope::test
