#include "inference/LlamaModel.h"

#include "common/Error.h"

#include <cmath>

namespace sinkscope {

namespace {

constexpr int kMaxDimension = 1 << 20;  // any width above a million is refused as absurd

// Architectures whose GGUF tensors follow llama.cpp's "llama" layout (Mistral and TinyLlama
// checkpoints are converted as "llama").
bool isLlamaFamily(const QString& architecture) { return architecture == QLatin1String("llama"); }

// Error(BadInput) naming the tensor when the type table has no row for its type, or when one of
// its blocks has a NaN or infinite scale (the block is named too).
const TensorTypeTraits& computableTraits(const GgufFile& file, const GgufTensorInfo& info) {
  const TensorTypeTraits* traits = tensorTypeTraits(info.type);
  if (!traits)
    throwBadInput(file.source(), QStringLiteral("tensor '%1' type").arg(info.name),
                  QStringLiteral("%1 is not supported for computation (supported: %2)").arg(ggmlTypeName(info.type), computableTensorTypeNames()));
  if (traits->firstNonFiniteBlock) {
    const qint64 block = traits->firstNonFiniteBlock(file.tensorBytes(info).data(), info.elementCount());
    if (block >= 0)
      throwBadInput(file.source(), QStringLiteral("tensor '%1'").arg(info.name),
                    QStringLiteral("%1 block %2 has a NaN or infinite scale").arg(QLatin1String(traits->name)).arg(block));
  }
  return *traits;
}

std::vector<float> loadVector(const GgufFile& file, const QString& name, int length) {
  const GgufTensorInfo& info = file.tensor(name);
  if (info.elementCount() != length || info.shape.size() != 1)
    throwBadInput(file.source(), QStringLiteral("tensor '%1' dims").arg(name), QStringLiteral("expected [%1]").arg(length));
  (void)computableTraits(file, info);
  return file.dequantize(info);
}

}  // namespace

LlamaHyperparameters LlamaModel::readHyperparameters(const GgufFile& file) {
  LlamaHyperparameters h;
  h.architecture = file.requireString(QStringLiteral("general.architecture"));
  if (!isLlamaFamily(h.architecture))
    throwBadInput(file.source(), QStringLiteral("general.architecture"),
                  QStringLiteral("'%1' is not supported for measurement (supported: llama, which covers Llama, "
                                 "Mistral and TinyLlama checkpoints)").arg(h.architecture));
  const QString a = h.architecture + QLatin1Char('.');
  h.layers = int(file.requireIntegerIn(a + QStringLiteral("block_count"), 1, 1024));
  h.embeddingLength = int(file.requireIntegerIn(a + QStringLiteral("embedding_length"), 1, kMaxDimension));
  h.feedForwardLength = int(file.requireIntegerIn(a + QStringLiteral("feed_forward_length"), 1, kMaxDimension));
  h.heads = int(file.requireIntegerIn(a + QStringLiteral("attention.head_count"), 1, 4096));
  h.kvHeads = h.heads;
  if (file.has(a + QStringLiteral("attention.head_count_kv")))
    h.kvHeads = int(file.requireIntegerIn(a + QStringLiteral("attention.head_count_kv"), 1, h.heads));
  if (h.heads % h.kvHeads != 0)
    throwBadInput(file.source(), a + QStringLiteral("attention.head_count_kv"),
                  QStringLiteral("%1 does not divide head_count %2").arg(h.kvHeads).arg(h.heads));
  if (file.has(a + QStringLiteral("attention.key_length"))) {
    h.headDim = int(file.requireIntegerIn(a + QStringLiteral("attention.key_length"), 2, 4096));
  } else {
    if (h.embeddingLength % h.heads != 0)
      throwBadInput(file.source(), a + QStringLiteral("attention.head_count"),
                    QStringLiteral("%1 does not divide embedding_length %2").arg(h.heads).arg(h.embeddingLength));
    h.headDim = h.embeddingLength / h.heads;
  }
  h.rotaryDim = h.headDim;
  if (file.has(a + QStringLiteral("rope.dimension_count")))
    h.rotaryDim = int(file.requireIntegerIn(a + QStringLiteral("rope.dimension_count"), 2, h.headDim));
  if (h.rotaryDim % 2 != 0)
    throwBadInput(file.source(), a + QStringLiteral("rope.dimension_count"), QStringLiteral("%1 is odd").arg(h.rotaryDim));
  if (const auto eps = file.number(a + QStringLiteral("attention.layer_norm_rms_epsilon"))) h.rmsEpsilon = *eps;
  if (!(h.rmsEpsilon > 0 && h.rmsEpsilon < 1))
    throwBadInput(file.source(), a + QStringLiteral("attention.layer_norm_rms_epsilon"), QStringLiteral("must be in (0, 1)"));
  if (const auto base = file.number(a + QStringLiteral("rope.freq_base"))) h.ropeTheta = *base;
  if (!(h.ropeTheta > 1) || !std::isfinite(h.ropeTheta))  // NaN and inf (a float32 in the file) too
    throwBadInput(file.source(), a + QStringLiteral("rope.freq_base"), QStringLiteral("must be finite and greater than 1"));
  h.contextLength = file.requireIntegerIn(a + QStringLiteral("context_length"), 1, qint64(1) << 31);
  if (const auto type = file.string(a + QStringLiteral("rope.scaling.type")); type && *type != QLatin1String("none")) {
    h.ropeScalingType = *type;
    h.ropeScalingFactor = file.number(a + QStringLiteral("rope.scaling.factor")).value_or(1.0);
    h.ropeScalingOriginalContext = file.integer(a + QStringLiteral("rope.scaling.original_context_length")).value_or(0);
  }
  const GgufTensorInfo& embedding = file.tensor(QStringLiteral("token_embd.weight"));
  if (embedding.shape.size() != 2 || embedding.shape[0] != h.embeddingLength || embedding.shape[1] > kMaxDimension)
    throwBadInput(file.source(), QStringLiteral("tensor 'token_embd.weight' dims"),
                  QStringLiteral("expected [%1, vocab]").arg(h.embeddingLength));
  h.vocabSize = int(embedding.shape[1]);
  h.tiedOutput = file.findTensor(QStringLiteral("output.weight")) == nullptr;
  return h;
}

EncodedMatrix LlamaModel::viewMatrix(const GgufFile& file, const QString& name, qint64 rows, qint64 cols) {
  const GgufTensorInfo& info = file.tensor(name);
  if (info.shape.size() != 2 || info.shape[0] != cols || info.shape[1] != rows)
    throwBadInput(file.source(), QStringLiteral("tensor '%1' dims").arg(name),
                  QStringLiteral("expected [%1, %2] (ggml order)").arg(cols).arg(rows));
  EncodedMatrix matrix{&computableTraits(file, info), file.tensorBytes(info).data(), rows, cols, name};
  weightBytes_ += matrix.encodedBytes();
  return matrix;
}

LlamaModel LlamaModel::load(const GgufFile& file, qint64 maxWeightBytes) {
  LlamaModel model;
  model.hyper_ = readHyperparameters(file);
  const LlamaHyperparameters& h = model.hyper_;
  quint64 encoded = 0;
  for (const GgufTensorInfo& info : file.tensors()) encoded += info.byteSize;  // each within the file
  if (encoded > quint64(maxWeightBytes))
    throwBadInput(file.source(), QStringLiteral("tensors"),
                  QStringLiteral("%1 bytes of weights, above the %2-byte limit of this measurement").arg(encoded).arg(maxWeightBytes));
  const int e = h.embeddingLength;
  const int q = h.heads * h.headDim;
  const int kv = h.kvHeads * h.headDim;
  model.tokenEmbedding_ = model.viewMatrix(file, QStringLiteral("token_embd.weight"), h.vocabSize, e);
  if (!h.tiedOutput) model.output_ = model.viewMatrix(file, QStringLiteral("output.weight"), h.vocabSize, e);
  model.outputNorm_ = loadVector(file, QStringLiteral("output_norm.weight"), e);
  for (int l = 0; l < h.layers; ++l) {
    const QString p = QStringLiteral("blk.%1.").arg(l);
    LlamaLayer layer;
    layer.attentionNorm = loadVector(file, p + QStringLiteral("attn_norm.weight"), e);
    layer.query = model.viewMatrix(file, p + QStringLiteral("attn_q.weight"), q, e);
    layer.key = model.viewMatrix(file, p + QStringLiteral("attn_k.weight"), kv, e);
    layer.value = model.viewMatrix(file, p + QStringLiteral("attn_v.weight"), kv, e);
    layer.output = model.viewMatrix(file, p + QStringLiteral("attn_output.weight"), e, q);
    layer.ffnNorm = loadVector(file, p + QStringLiteral("ffn_norm.weight"), e);
    layer.gate = model.viewMatrix(file, p + QStringLiteral("ffn_gate.weight"), h.feedForwardLength, e);
    layer.up = model.viewMatrix(file, p + QStringLiteral("ffn_up.weight"), h.feedForwardLength, e);
    layer.down = model.viewMatrix(file, p + QStringLiteral("ffn_down.weight"), e, h.feedForwardLength);
    model.layers_.push_back(std::move(layer));
  }
  return model;
}

}  // namespace sinkscope
