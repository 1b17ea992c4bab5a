#include "inference/LlamaModel.h"

#include "common/Error.h"
#include "inference/TensorRead.h"

#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

constexpr int kMaxDimension = 1 << 20;  // any width above a million is refused as absurd

// Error(BadInput) naming the tensor when the type table has no row for its type, or when one of
// its blocks has a NaN or infinite scale (the block is named too).
const TensorTypeTraits& computableTraits(const GgufFile& file, const GgufTensorInfo& info) {
  const TensorTypeTraits* traits = tensorTypeTraits(info.type);
  if (!traits)
    throwBadInput(file.source(), QStringLiteral("tensor '%1' type").arg(info.name),
                  QStringLiteral("%1 is not supported for computation (supported: %2)")
                      .arg(ggmlTypeName(info.type), computableTensorTypeNames()));
  if (traits->firstNonFiniteBlock) {
    const qint64 block = traits->firstNonFiniteBlock(file.tensorBytes(info).data(), info.elementCount());
    if (block >= 0)
      throwBadInput(file.source(), QStringLiteral("tensor '%1'").arg(info.name),
                    QStringLiteral("%1 block %2 has a NaN or infinite scale")
                        .arg(QLatin1String(traits->name))
                        .arg(block));
  }
  return *traits;
}

const ArchitectureTraits& supportedArchitecture(const GgufFile& file, const QString& architecture) {
  const ArchitectureTraits* traits = findArchitecture(architecture);
  if (!traits)
    throwBadInput(file.source(), QStringLiteral("general.architecture"),
                  QStringLiteral("'%1' is not supported for measurement (supported: %2; llama covers Llama, "
                                 "Mistral, TinyLlama and SmolLM checkpoints)")
                      .arg(architecture, supportedArchitectureNames()));
  return *traits;
}

// Smallest softcap accepted: below it 1/c overflows float and c * tanh(s / c) turns 0 into NaN.
constexpr double kMinSoftcap = 1e-3;

// The softcap c of `key` (0: none), else `fallback`.
double readSoftcap(const GgufFile& file, const QString& key, double fallback) {
  const double value = file.number(key).value_or(fallback);
  if (!std::isfinite(value) || !(value == 0 || value >= kMinSoftcap))
    throwBadInput(file.source(), key,
                  QStringLiteral("must be 0 (none) or a finite value of at least %1").arg(kMinSoftcap));
  return value;
}

// Softcaps, sliding window and local RoPE base: the keys the traits say the architecture reads
// (llama.cpp's load_arch_hparams of src/models/<arch>.cpp).
void readArchitectureKeys(const GgufFile& file, LlamaHyperparameters& h) {
  const ArchitectureTraits& t = *h.traits;
  const QString a = h.architecture + QLatin1Char('.');
  if (t.readsAttentionSoftcap)
    h.attentionSoftcap =
        readSoftcap(file, a + QStringLiteral("attn_logit_softcapping"), t.defaultAttentionSoftcap);
  if (t.readsFinalSoftcap)
    h.finalSoftcap = readSoftcap(file, a + QStringLiteral("final_logit_softcapping"), t.defaultFinalSoftcap);
  if (t.slidingWindowPeriod > 0) {
    h.slidingWindow =
        file.integer(a + QStringLiteral("attention.sliding_window")).value_or(t.defaultSlidingWindow);
    if (h.slidingWindow < 0)
      throwBadInput(file.source(), a + QStringLiteral("attention.sliding_window"),
                    QStringLiteral("must not be negative"));
    h.slidingWindowPeriod = t.slidingWindowPeriod;
    const GgufValue* period = file.find(a + QStringLiteral("attention.sliding_window_pattern"));
    if (period && !period->array())  // llama.cpp ignores an array here, and so do we
      h.slidingWindowPeriod =
          int(file.requireIntegerIn(a + QStringLiteral("attention.sliding_window_pattern"), 0, 1024));
    h.localRopeTheta = file.number(a + QStringLiteral("rope.freq_base_swa")).value_or(t.defaultLocalRopeBase);
    if (h.localRopeTheta != 0 && (!(h.localRopeTheta > 1) || !std::isfinite(h.localRopeTheta)))
      throwBadInput(file.source(), a + QStringLiteral("rope.freq_base_swa"),
                    QStringLiteral("must be finite and greater than 1"));
  }
  if (t.queryScaleFromWidthAtLayers > 0 && h.layers == t.queryScaleFromWidthAtLayers &&
      h.embeddingLength >= h.heads)
    h.queryScale = 1.0 / std::sqrt(double(h.embeddingLength / h.heads));
}

}  // namespace

LlamaHyperparameters LlamaModel::readHyperparameters(const GgufFile& file) {
  LlamaHyperparameters h;
  h.architecture = file.requireString(QStringLiteral("general.architecture"));
  h.traits = &supportedArchitecture(file, h.architecture);
  const QString a = h.architecture + QLatin1Char('.');
  h.layers = int(file.requireIntegerIn(a + QStringLiteral("block_count"), 1, 1024));
  h.embeddingLength = int(file.requireIntegerIn(a + QStringLiteral("embedding_length"), 1, kMaxDimension));
  h.feedForwardLength =
      int(file.requireIntegerIn(a + QStringLiteral("feed_forward_length"), 1, kMaxDimension));
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
      throwBadInput(
          file.source(), a + QStringLiteral("attention.head_count"),
          QStringLiteral("%1 does not divide embedding_length %2").arg(h.heads).arg(h.embeddingLength));
    h.headDim = h.embeddingLength / h.heads;
  }
  if (const auto valueLength = file.integer(a + QStringLiteral("attention.value_length"));
      valueLength && *valueLength != h.headDim)
    throwBadInput(file.source(), a + QStringLiteral("attention.value_length"),
                  QStringLiteral("%1 differs from the key length %2, which measured mode does not support")
                      .arg(*valueLength)
                      .arg(h.headDim));
  h.rotaryDim = h.headDim;
  if (file.has(a + QStringLiteral("rope.dimension_count")))
    h.rotaryDim = int(file.requireIntegerIn(a + QStringLiteral("rope.dimension_count"), 2, h.headDim));
  if (h.rotaryDim % 2 != 0)
    throwBadInput(file.source(), a + QStringLiteral("rope.dimension_count"),
                  QStringLiteral("%1 is odd").arg(h.rotaryDim));
  if (const auto eps = file.number(a + QStringLiteral("attention.layer_norm_rms_epsilon")))
    h.rmsEpsilon = *eps;
  if (!(h.rmsEpsilon > 0 && h.rmsEpsilon < 1))
    throwBadInput(file.source(), a + QStringLiteral("attention.layer_norm_rms_epsilon"),
                  QStringLiteral("must be in (0, 1)"));
  if (const auto base = file.number(a + QStringLiteral("rope.freq_base"))) h.ropeTheta = *base;
  if (!(h.ropeTheta > 1) || !std::isfinite(h.ropeTheta))  // NaN and inf (a float32 in the file) too
    throwBadInput(file.source(), a + QStringLiteral("rope.freq_base"),
                  QStringLiteral("must be finite and greater than 1"));
  h.contextLength = file.requireIntegerIn(a + QStringLiteral("context_length"), 1, qint64(1) << 31);
  if (const auto type = file.string(a + QStringLiteral("rope.scaling.type"));
      type && *type != QLatin1String("none")) {
    h.ropeScalingType = *type;
    h.ropeScalingFactor = file.number(a + QStringLiteral("rope.scaling.factor")).value_or(1.0);
    h.ropeScalingOriginalContext =
        file.integer(a + QStringLiteral("rope.scaling.original_context_length")).value_or(0);
  }
  const GgufTensorInfo& embedding = file.tensor(QStringLiteral("token_embd.weight"));
  if (embedding.shape.size() != 2 || embedding.shape[0] != h.embeddingLength ||
      embedding.shape[1] > kMaxDimension)
    throwBadInput(file.source(), QStringLiteral("tensor 'token_embd.weight' dims"),
                  QStringLiteral("expected [%1, vocab]").arg(h.embeddingLength));
  h.vocabSize = int(embedding.shape[1]);
  h.tiedOutput = h.traits->outputAlwaysTied || file.findTensor(QStringLiteral("output.weight")) == nullptr;
  h.ropeAttentionFactor = file.number(a + QStringLiteral("rope.scaling.attn_factor")).value_or(1.0);
  if (!(h.ropeAttentionFactor > 0) || !std::isfinite(h.ropeAttentionFactor) || h.ropeAttentionFactor > 100)
    throwBadInput(file.source(), a + QStringLiteral("rope.scaling.attn_factor"),
                  QStringLiteral("must be finite, positive and at most 100"));
  h.ropeOriginalContext =
      file.integer(a + QStringLiteral("rope.scaling.original_context_length")).value_or(h.contextLength);
  readArchitectureKeys(file, h);
  return h;
}

EncodedMatrix LlamaModel::viewMatrix(const GgufFile& file, const QString& name, qint64 rows, qint64 cols) {
  const GgufTensorInfo& info = file.tensor(name);
  if (info.shape.size() != 2 || info.shape[0] != cols || info.shape[1] != rows)
    throwBadInput(file.source(), QStringLiteral("tensor '%1' dims").arg(name),
                  QStringLiteral("expected [%1, %2] (ggml order)").arg(cols).arg(rows));
  EncodedMatrix matrix{&computableTraits(file, info), file.tensorBytes(info).data(), rows, cols, name};
  weightBytes_ += matrix.encodedBytes();
  usedTensors_.push_back(name);
  return matrix;
}

std::vector<float> LlamaModel::readVector(const GgufFile& file, const QString& name, int length) {
  const GgufTensorInfo& info = file.tensor(name);
  if (info.elementCount() != length || info.shape.size() != 1)
    throwBadInput(file.source(), QStringLiteral("tensor '%1' dims").arg(name),
                  QStringLiteral("expected [%1]").arg(length));
  (void)computableTraits(file, info);
  usedTensors_.push_back(name);
  return dequantize(file, info);
}

std::vector<float> LlamaModel::readOptionalVector(const GgufFile& file, const QString& name, int length) {
  return file.findTensor(name) ? readVector(file, name, length) : std::vector<float>{};
}

namespace {

// Rows [first, first + count) of a matrix, as a matrix of their own (a fused tensor's block).
EncodedMatrix rowBlock(const EncodedMatrix& matrix, qint64 first, qint64 count, const QString& name) {
  return EncodedMatrix{matrix.traits, matrix.data + first * matrix.rowBytes(), count, matrix.cols, name};
}

// Elements [first, first + count) of a fused bias; empty stays empty.
std::vector<float> slice(const std::vector<float>& values, qint64 first, qint64 count) {
  if (values.empty()) return {};
  return {values.begin() + first, values.begin() + first + count};
}

}  // namespace

// Q, K, V from attn_qkv (rows Q, K, V) when the file has it, else attn_q/k/v; optional biases
// either way; per-head q/k norms and the output projection.
void LlamaModel::loadAttention(const GgufFile& file, const QString& p, LlamaLayer& layer) {
  const LlamaHyperparameters& h = hyper_;
  const int e = h.embeddingLength, q = h.heads * h.headDim, kv = h.kvHeads * h.headDim;
  if (file.findTensor(p + QStringLiteral("attn_qkv.weight"))) {
    const QString name = p + QStringLiteral("attn_qkv.weight");
    const EncodedMatrix fused = viewMatrix(file, name, q + 2 * kv, e);
    layer.query = rowBlock(fused, 0, q, name);
    layer.key = rowBlock(fused, q, kv, name);
    layer.value = rowBlock(fused, q + kv, kv, name);
    const std::vector<float> bias = readOptionalVector(file, p + QStringLiteral("attn_qkv.bias"), q + 2 * kv);
    layer.queryBias = slice(bias, 0, q);
    layer.keyBias = slice(bias, q, kv);
    layer.valueBias = slice(bias, q + kv, kv);
  } else {
    layer.query = viewMatrix(file, p + QStringLiteral("attn_q.weight"), q, e);
    layer.key = viewMatrix(file, p + QStringLiteral("attn_k.weight"), kv, e);
    layer.value = viewMatrix(file, p + QStringLiteral("attn_v.weight"), kv, e);
    layer.queryBias = readOptionalVector(file, p + QStringLiteral("attn_q.bias"), q);
    layer.keyBias = readOptionalVector(file, p + QStringLiteral("attn_k.bias"), kv);
    layer.valueBias = readOptionalVector(file, p + QStringLiteral("attn_v.bias"), kv);
  }
  if (h.traits->perHeadQkNorm) {
    layer.queryNorm = readVector(file, p + QStringLiteral("attn_q_norm.weight"), h.headDim);
    layer.keyNorm = readVector(file, p + QStringLiteral("attn_k_norm.weight"), h.headDim);
  }
  layer.output = viewMatrix(file, p + QStringLiteral("attn_output.weight"), e, q);
  if (h.traits->postNorms)
    layer.postAttentionNorm = readVector(file, p + QStringLiteral("post_attention_norm.weight"), e);
}

// Gate, up and down; ffn_up holds gate then up when the architecture fuses them.
void LlamaModel::loadFeedForward(const GgufFile& file, const QString& p, LlamaLayer& layer) {
  const LlamaHyperparameters& h = hyper_;
  const int e = h.embeddingLength, f = h.feedForwardLength;
  layer.ffnNorm = readVector(file, p + QStringLiteral("ffn_norm.weight"), e);
  if (h.traits->fusedGateUp) {
    const QString name = p + QStringLiteral("ffn_up.weight");
    const EncodedMatrix fused = viewMatrix(file, name, 2 * qint64(f), e);
    layer.gate = rowBlock(fused, 0, f, name);
    layer.up = rowBlock(fused, f, f, name);
  } else {
    layer.gate = viewMatrix(file, p + QStringLiteral("ffn_gate.weight"), f, e);
    layer.up = viewMatrix(file, p + QStringLiteral("ffn_up.weight"), f, e);
  }
  layer.down = viewMatrix(file, p + QStringLiteral("ffn_down.weight"), e, f);
  if (h.traits->postNorms)
    layer.postFeedForwardNorm = readVector(file, p + QStringLiteral("post_ffw_norm.weight"), e);
}

void LlamaModel::refuseUnusedTensors(const GgufFile& file) const {
  for (const GgufTensorInfo& info : file.tensors())
    if (std::find(usedTensors_.begin(), usedTensors_.end(), info.name) == usedTensors_.end())
      throwBadInput(
          file.source(), QStringLiteral("tensor '%1'").arg(info.name),
          QStringLiteral(
              "is not part of the %1 graph that measured mode runs (llama.cpp refuses such a file too)")
              .arg(hyper_.architecture));
}

const std::vector<float>& LlamaModel::ropeFactorsFor(qint64 tokens) const {
  if (!ropeFrequencyFactors_.empty()) return ropeFrequencyFactors_;
  return tokens > hyper_.ropeOriginalContext ? ropeFactorsLong_ : ropeFactorsShort_;
}

LlamaModel LlamaModel::load(const GgufFile& file, qint64 maxWeightBytes) {
  LlamaModel model;
  model.hyper_ = readHyperparameters(file);
  const LlamaHyperparameters& h = model.hyper_;
  quint64 encoded = 0;
  for (const GgufTensorInfo& info : file.tensors()) encoded += info.byteSize;  // each within the file
  if (encoded > quint64(maxWeightBytes))
    throwBadInput(file.source(), QStringLiteral("tensors"),
                  QStringLiteral("%1 bytes of weights, above the %2-byte limit of this measurement")
                      .arg(encoded)
                      .arg(maxWeightBytes));
  const int e = h.embeddingLength;
  model.tokenEmbedding_ = model.viewMatrix(file, QStringLiteral("token_embd.weight"), h.vocabSize, e);
  if (!h.tiedOutput) model.output_ = model.viewMatrix(file, QStringLiteral("output.weight"), h.vocabSize, e);
  model.outputNorm_ = model.readVector(file, QStringLiteral("output_norm.weight"), e);
  if (h.traits->ropeFrequencyFactors)
    model.ropeFrequencyFactors_ =
        model.readOptionalVector(file, QStringLiteral("rope_freqs.weight"), h.rotaryDim / 2);
  if (h.traits->longRopeFactors) {
    model.ropeFactorsLong_ =
        model.readOptionalVector(file, QStringLiteral("rope_factors_long.weight"), h.rotaryDim / 2);
    model.ropeFactorsShort_ =
        model.readOptionalVector(file, QStringLiteral("rope_factors_short.weight"), h.rotaryDim / 2);
    if (model.ropeFactorsLong_.empty() != model.ropeFactorsShort_.empty())
      throwBadInput(
          file.source(),
          QStringLiteral("tensor 'rope_factors_%1.weight'")
              .arg(model.ropeFactorsLong_.empty() ? QStringLiteral("long") : QStringLiteral("short")),
          QStringLiteral("missing: LongRoPE needs both the long and the short factors"));
  }
  const std::pair<const char*, const std::vector<float>*> factorTensors[] = {
      {"rope_freqs.weight", &model.ropeFrequencyFactors_},
      {"rope_factors_long.weight", &model.ropeFactorsLong_},
      {"rope_factors_short.weight", &model.ropeFactorsShort_}};
  for (const auto& [name, factors] : factorTensors)
    for (float factor : *factors)
      if (!(factor > 0) || !std::isfinite(factor))
        throwBadInput(file.source(), QStringLiteral("tensor '%1'").arg(QLatin1String(name)),
                      QStringLiteral("every factor must be finite and positive"));
  for (int l = 0; l < h.layers; ++l) {
    const QString p = QStringLiteral("blk.%1.").arg(l);
    LlamaLayer layer;
    layer.attentionNorm = model.readVector(file, p + QStringLiteral("attn_norm.weight"), e);
    model.loadAttention(file, p, layer);
    model.loadFeedForward(file, p, layer);
    model.layers_.push_back(std::move(layer));
  }
  model.refuseUnusedTensors(file);
  return model;
}

}  // namespace sinkscope
