#include "catalog/ModelSpec.h"

#include "common/Error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

namespace sinkscope {

namespace {

struct KindName {
  AttentionKind kind;
  const char* name;
};

constexpr std::array<KindName, 7> kKindNames{{
    {AttentionKind::Mha, "mha"},
    {AttentionKind::Gqa, "gqa"},
    {AttentionKind::Mqa, "mqa"},
    {AttentionKind::Mla, "mla"},
    {AttentionKind::Sliding, "sliding"},
    {AttentionKind::Hybrid, "hybrid"},
    {AttentionKind::Alibi, "alibi"},
}};

// The largest value any dimension may take; far above any published model, low enough that
// products of two dimensions cannot overflow qint64.
constexpr qint64 kMaxDimension = 1ll << 24;

// The largest model SinkScope accepts (docs/limits.md): about 1e14 parameters (some 60 times the
// largest published model) and 2^24 cached K/V elements per token (7 times GPT-3 175B's). Each
// dimension alone may be in range while their product is not; beyond these the planner's byte
// counts would overflow 64 bits.
constexpr double kMaxParameters = 1e14;
constexpr double kMaxKvElementsPerToken = double(1 << 24);

}  // namespace

QString attentionKindName(AttentionKind kind) {
  for (const auto& entry : kKindNames)
    if (entry.kind == kind) return QString::fromLatin1(entry.name);
  return QStringLiteral("mha");
}

std::optional<AttentionKind> attentionKindFromName(const QString& name) {
  const QString wanted = name.trimmed().toLower();
  for (const auto& entry : kKindNames)
    if (wanted == QLatin1String(entry.name)) return entry.kind;
  return std::nullopt;
}

int ModelSpec::rotaryDim() const {
  const int base = mla ? mla->qkRopeHeadDim : headDim;
  const int rotary = static_cast<int>(std::floor(base * partialRotaryFactor + 1e-9));
  return rotary - rotary % 2;
}

LayerAttention ModelSpec::layerType(int layer) const {
  if (layer >= 0 && layer < static_cast<int>(layerTypes.size()))
    return layerTypes[static_cast<size_t>(layer)];
  if (layerTypes.empty() && slidingWindow > 0) return LayerAttention::Sliding;
  return LayerAttention::Full;
}

qint64 trainedContextOrMaxPositions(const ModelSpec& spec) {
  return spec.trainedContext > 0 ? spec.trainedContext : spec.maxPositionEmbeddings;
}

AttentionKind inferAttentionKind(const ModelSpec& spec, bool alibi) {
  if (spec.mla) return AttentionKind::Mla;
  if (alibi) return AttentionKind::Alibi;
  const std::set<LayerAttention> kinds(spec.layerTypes.begin(), spec.layerTypes.end());
  if (kinds.size() > 1) return AttentionKind::Hybrid;
  if (spec.slidingWindow > 0 && (kinds.empty() || *kinds.begin() == LayerAttention::Sliding))
    return AttentionKind::Sliding;
  if (spec.kvHeads == 1 && spec.heads > 1) return AttentionKind::Mqa;
  if (spec.kvHeads < spec.heads) return AttentionKind::Gqa;
  return AttentionKind::Mha;
}

namespace {

void require(bool condition, const QString& source, const QString& field, const QString& message) {
  if (!condition) throwBadInput(source, field, message);
}

void validateDimensions(const ModelSpec& spec, const QString& source) {
  require(spec.layers > 0 && spec.layers <= 100000, source, QStringLiteral("num_hidden_layers"),
          QStringLiteral("%1 layers; expected at least 1").arg(spec.layers));
  require(spec.hiddenSize > 0 && spec.hiddenSize <= kMaxDimension, source, QStringLiteral("hidden_size"),
          QStringLiteral("%1 is not a usable width").arg(spec.hiddenSize));
  require(spec.intermediateSize > 0 && spec.intermediateSize <= kMaxDimension, source,
          QStringLiteral("intermediate_size"),
          QStringLiteral("%1 is not a usable width").arg(spec.intermediateSize));
  require(spec.heads > 0 && spec.heads <= 65536, source, QStringLiteral("num_attention_heads"),
          QStringLiteral("%1 heads; expected at least 1").arg(spec.heads));
  require(
      spec.kvHeads > 0 && spec.kvHeads <= spec.heads, source, QStringLiteral("num_key_value_heads"),
      QStringLiteral("%1 KV heads; expected 1 to %2 (the query heads)").arg(spec.kvHeads).arg(spec.heads));
  require(
      spec.heads % spec.kvHeads == 0, source, QStringLiteral("num_key_value_heads"),
      QStringLiteral("%1 query heads are not divisible by %2 KV heads").arg(spec.heads).arg(spec.kvHeads));
  require(spec.headDim > 0 && spec.headDim <= 65536, source, QStringLiteral("head_dim"),
          QStringLiteral("%1 is not a usable head dimension").arg(spec.headDim));
  require(spec.vocabSize > 0 && spec.vocabSize <= kMaxDimension, source, QStringLiteral("vocab_size"),
          QStringLiteral("%1 is not a usable vocabulary size").arg(spec.vocabSize));
  if (!spec.mla) {
    // Published models keep heads x head_dim within a factor of 4 of the width (Gemma: 1.14,
    // Qwen3-0.6B: 2); anything further off is a mistyped field.
    const double ratio = double(spec.heads) * spec.headDim / double(spec.hiddenSize);
    require(ratio >= 0.25 && ratio <= 4.0, source, QStringLiteral("head_dim"),
            QStringLiteral("%1 heads x head_dim %2 = %3 is implausible for hidden_size %4")
                .arg(spec.heads)
                .arg(spec.headDim)
                .arg(qint64(spec.heads) * spec.headDim)
                .arg(spec.hiddenSize));
  }
}

// An upper estimate of the parameters (every expert counted, a gated FFN assumed) and the exact
// K/V elements cached per token, against the limits above.
void validateSize(const ModelSpec& spec, const QString& source) {
  const double width = double(spec.hiddenSize);
  const double attention = width * double(2 * spec.heads + 2 * spec.kvHeads) * double(spec.headDim);
  const double ffnWidth = double(std::max(spec.intermediateSize, spec.moe.expertIntermediateSize));
  const double experts = double(std::max(1, spec.moe.experts + spec.moe.sharedExperts));
  const double parameters = double(spec.layers) * (attention + 3.0 * width * ffnWidth * experts) +
                            2.0 * double(spec.vocabSize) * width;
  require(
      parameters <= kMaxParameters, source, QStringLiteral("num_hidden_layers"),
      QStringLiteral(
          "%1 layers of width %2 make about %3 parameters, above SinkScope's limit of 1e14 (docs/limits.md)")
          .arg(spec.layers)
          .arg(spec.hiddenSize)
          .arg(parameters, 0, 'g', 3));
  const double kvPerLayer =
      spec.mla ? double(spec.mla->kvLoraRank) + spec.mla->qkRopeHeadDim : 2.0 * spec.kvHeads * spec.headDim;
  require(kvPerLayer * spec.layers <= kMaxKvElementsPerToken, source, QStringLiteral("num_key_value_heads"),
          QStringLiteral("%1 K/V elements cached per token, above SinkScope's limit of 2^24 (docs/limits.md)")
              .arg(kvPerLayer * spec.layers, 0, 'g', 3));
}

void validateMla(const ModelSpec& spec, const QString& source) {
  if (!spec.mla) return;
  const MlaSpec& mla = *spec.mla;
  require(mla.kvLoraRank > 0, source, QStringLiteral("kv_lora_rank"),
          QStringLiteral("must be positive for MLA"));
  require(mla.qLoraRank >= 0, source, QStringLiteral("q_lora_rank"), QStringLiteral("must not be negative"));
  require(mla.qkRopeHeadDim > 0 && mla.qkRopeHeadDim % 2 == 0, source, QStringLiteral("qk_rope_head_dim"),
          QStringLiteral("%1; expected a positive even number").arg(mla.qkRopeHeadDim));
  require(mla.qkNopeHeadDim >= 0, source, QStringLiteral("qk_nope_head_dim"),
          QStringLiteral("must not be negative"));
  require(mla.vHeadDim > 0, source, QStringLiteral("v_head_dim"), QStringLiteral("must be positive"));
  require(spec.headDim == mla.qkNopeHeadDim + mla.qkRopeHeadDim, source, QStringLiteral("head_dim"),
          QStringLiteral("%1 differs from qk_nope_head_dim + qk_rope_head_dim = %2")
              .arg(spec.headDim)
              .arg(mla.qkNopeHeadDim + mla.qkRopeHeadDim));
}

void validateMoe(const ModelSpec& spec, const QString& source) {
  const MoeSpec& moe = spec.moe;
  require(moe.experts >= 0, source, QStringLiteral("num_experts"), QStringLiteral("must not be negative"));
  if (!moe.isMoe()) return;
  require(moe.expertsPerToken >= 1 && moe.expertsPerToken <= moe.experts, source,
          QStringLiteral("num_experts_per_tok"),
          QStringLiteral("%1; expected 1 to %2 (the experts)").arg(moe.expertsPerToken).arg(moe.experts));
  require(moe.expertIntermediateSize > 0, source, QStringLiteral("moe_intermediate_size"),
          QStringLiteral("must be positive for a mixture of experts"));
  require(moe.sharedExperts >= 0, source, QStringLiteral("n_shared_experts"),
          QStringLiteral("must not be negative"));
  require(moe.denseLayers >= 0 && moe.denseLayers < spec.layers, source,
          QStringLiteral("first_k_dense_replace"),
          QStringLiteral("%1; expected 0 to %2").arg(moe.denseLayers).arg(spec.layers - 1));
}

// Checked once, at import (docs/limits.md, "Threat model"): a GGUF float may be inf or NaN, and
// a factor that is finite but absurd (1e308) makes every derived frequency infinite.
void requireFiniteScaling(const RopeScaling& scaling, const QString& source) {
  constexpr double kMaxFactor = 1e6;  // the --factor limit of the command line (docs/limits.md)
  require(std::isfinite(scaling.factor) && scaling.factor <= kMaxFactor, source,
          QStringLiteral("rope_scaling.factor"),
          QStringLiteral("%1; expected a finite factor up to %2").arg(scaling.factor).arg(kMaxFactor));
  const std::pair<const char*, std::optional<double>> optionals[] = {
      {"low_freq_factor", scaling.lowFreqFactor},
      {"high_freq_factor", scaling.highFreqFactor},
      {"beta_fast", scaling.betaFast},
      {"beta_slow", scaling.betaSlow},
      {"mscale", scaling.mscale},
      {"mscale_all_dim", scaling.mscaleAllDim},
      {"attention_factor", scaling.attentionFactor}};
  for (const auto& [name, value] : optionals)
    require(!value || (std::isfinite(*value) && std::abs(*value) <= kMaxFactor), source,
            QStringLiteral("rope_scaling.%1").arg(QLatin1String(name)),
            QStringLiteral("%1 is not a finite number up to %2").arg(value.value_or(0)).arg(kMaxFactor));
  for (const auto* list : {&scaling.shortFactor, &scaling.longFactor})
    for (size_t i = 0; i < list->size(); ++i)
      require(std::isfinite((*list)[i]) && (*list)[i] > 0 && (*list)[i] <= kMaxFactor, source,
              QStringLiteral("rope_scaling.%1[%2]")
                  .arg(list == &scaling.shortFactor ? QStringLiteral("short_factor")
                                                    : QStringLiteral("long_factor"))
                  .arg(i),
              QStringLiteral("%1; expected a finite positive factor").arg((*list)[i]));
}

void validateRopeScaling(const ModelSpec& spec, const QString& source) {
  if (!spec.ropeScaling) return;
  const RopeScaling& scaling = *spec.ropeScaling;
  static const std::set<QString> known{QStringLiteral("linear"), QStringLiteral("dynamic"),
                                       QStringLiteral("yarn"), QStringLiteral("llama3"),
                                       QStringLiteral("longrope")};
  require(
      known.count(scaling.type) == 1, source, QStringLiteral("rope_scaling.rope_type"),
      QStringLiteral("unknown type '%1' (known: linear, dynamic, yarn, llama3, longrope)").arg(scaling.type));
  require(scaling.factor > 0, source, QStringLiteral("rope_scaling.factor"),
          QStringLiteral("must be positive"));
  requireFiniteScaling(scaling, source);
  const size_t pairs = static_cast<size_t>(spec.rotaryDim() / 2);
  if (scaling.type == QLatin1String("longrope")) {
    require(scaling.shortFactor.size() == pairs, source, QStringLiteral("rope_scaling.short_factor"),
            QStringLiteral("has %1 values; expected %2 (rotary dim / 2)")
                .arg(scaling.shortFactor.size())
                .arg(pairs));
    require(scaling.longFactor.size() == pairs, source, QStringLiteral("rope_scaling.long_factor"),
            QStringLiteral("has %1 values; expected %2 (rotary dim / 2)")
                .arg(scaling.longFactor.size())
                .arg(pairs));
  }
  if (scaling.type == QLatin1String("llama3")) {
    require(
        scaling.lowFreqFactor && scaling.highFreqFactor && *scaling.highFreqFactor > *scaling.lowFreqFactor,
        source, QStringLiteral("rope_scaling.high_freq_factor"),
        QStringLiteral("llama3 scaling needs low_freq_factor < high_freq_factor"));
    require(scaling.originalMaxPositionEmbeddings.has_value(), source,
            QStringLiteral("rope_scaling.original_max_position_embeddings"),
            QStringLiteral("missing for llama3 scaling"));
  }
}

void validatePositions(const ModelSpec& spec, const QString& source) {
  if (spec.usesRope) {
    require(std::isfinite(spec.ropeTheta) && spec.ropeTheta > 1.0, source,
            QStringLiteral("rope_theta"),  // a GGUF float may be inf
            QStringLiteral("%1; expected a finite base above 1").arg(spec.ropeTheta));
    require(spec.partialRotaryFactor > 0 && spec.partialRotaryFactor <= 1.0, source,
            QStringLiteral("partial_rotary_factor"),
            QStringLiteral("%1 is outside (0, 1]").arg(spec.partialRotaryFactor));
    require(spec.rotaryDim() >= 2, source, QStringLiteral("head_dim"),
            QStringLiteral("rotary dimension %1 is too small for RoPE").arg(spec.rotaryDim()));
  }
  require(spec.maxPositionEmbeddings > 0, source, QStringLiteral("max_position_embeddings"),
          QStringLiteral("must be positive"));
  require(spec.trainedContext > 0, source, QStringLiteral("trained_context"),
          QStringLiteral("must be positive"));
  require(spec.trainedContext <= spec.maxPositionEmbeddings, source, QStringLiteral("trained_context"),
          QStringLiteral("%1 exceeds max_position_embeddings %2")
              .arg(spec.trainedContext)
              .arg(spec.maxPositionEmbeddings));
}

void validateLayers(const ModelSpec& spec, const QString& source) {
  require(spec.slidingWindow >= 0, source, QStringLiteral("sliding_window"),
          QStringLiteral("must not be negative"));
  if (spec.layerTypes.empty()) return;
  require(static_cast<int>(spec.layerTypes.size()) == spec.layers, source, QStringLiteral("layer_types"),
          QStringLiteral("has %1 entries for %2 layers").arg(spec.layerTypes.size()).arg(spec.layers));
  for (LayerAttention type : spec.layerTypes)
    require(type != LayerAttention::Sliding || spec.slidingWindow > 0, source,
            QStringLiteral("sliding_window"),
            QStringLiteral("layer_types has sliding layers but no window is set"));
}

void validateKind(const ModelSpec& spec, const QString& source) {
  const QString field = QStringLiteral("attention_kind");
  switch (spec.attentionKind) {
    case AttentionKind::Mha:
      require(spec.kvHeads == spec.heads, source, field,
              QStringLiteral("'mha' needs as many KV heads as query heads (%1 vs %2)")
                  .arg(spec.kvHeads)
                  .arg(spec.heads));
      break;
    case AttentionKind::Gqa:
      require(spec.kvHeads < spec.heads, source, field,
              QStringLiteral("'gqa' needs fewer KV heads than query heads (%1 vs %2)")
                  .arg(spec.kvHeads)
                  .arg(spec.heads));
      break;
    case AttentionKind::Mqa:
      require(spec.kvHeads == 1, source, field,
              QStringLiteral("'mqa' needs exactly 1 KV head, not %1").arg(spec.kvHeads));
      break;
    case AttentionKind::Mla:
      require(spec.mla.has_value(), source, field,
              QStringLiteral("'mla' needs kv_lora_rank and qk_rope_head_dim"));
      break;
    case AttentionKind::Sliding:
      require(spec.slidingWindow > 0, source, field, QStringLiteral("'sliding' needs a sliding_window"));
      break;
    case AttentionKind::Hybrid:
      require(!spec.layerTypes.empty(), source, field,
              QStringLiteral("'hybrid' needs per-layer layer_types"));
      break;
    case AttentionKind::Alibi:
      require(!spec.usesRope, source, field, QStringLiteral("'alibi' models do not use RoPE"));
      break;
  }
  if (spec.mla)
    require(spec.attentionKind == AttentionKind::Mla, source, field,
            QStringLiteral("MLA fields are set, so the kind must be 'mla'"));
}

}  // namespace

void validateModelSpec(const ModelSpec& spec, const QString& source) {
  validateDimensions(spec, source);
  validateMla(spec, source);
  validateSize(spec, source);
  validateMoe(spec, source);
  validatePositions(spec, source);
  validateRopeScaling(spec, source);
  validateLayers(spec, source);
  validateKind(spec, source);
  require(spec.publishedParameters >= 0, source, QStringLiteral("published_parameters"),
          QStringLiteral("must not be negative"));
}

}  // namespace sinkscope
