#include "catalog/SpecJson.h"

#include <QJsonArray>

namespace sinkscope {

QString layerAttentionName(LayerAttention type) {
  switch (type) {
    case LayerAttention::Full:
      return QStringLiteral("full");
    case LayerAttention::Sliding:
      return QStringLiteral("sliding");
    case LayerAttention::Recurrent:
      return QStringLiteral("recurrent");
  }
  return QStringLiteral("full");
}

QString ropePairLayoutName(RopePairLayout layout) {
  return layout == RopePairLayout::Adjacent ? QStringLiteral("adjacent") : QStringLiteral("half_split");
}

namespace {

QJsonArray toArray(const std::vector<double>& values) {
  QJsonArray array;
  for (double value : values) array.append(value);
  return array;
}

QJsonObject ropeScalingToJson(const RopeScaling& scaling) {
  QJsonObject object{{QStringLiteral("rope_type"), scaling.type}, {QStringLiteral("factor"), scaling.factor}};
  auto put = [&object](const char* key, const auto& value) {
    if (value) object.insert(QString::fromLatin1(key), *value);
  };
  if (scaling.originalMaxPositionEmbeddings)
    object.insert(QStringLiteral("original_max_position_embeddings"),
                  qint64(*scaling.originalMaxPositionEmbeddings));
  put("low_freq_factor", scaling.lowFreqFactor);
  put("high_freq_factor", scaling.highFreqFactor);
  put("beta_fast", scaling.betaFast);
  put("beta_slow", scaling.betaSlow);
  put("truncate", scaling.truncate);
  put("mscale", scaling.mscale);
  put("mscale_all_dim", scaling.mscaleAllDim);
  put("attention_factor", scaling.attentionFactor);
  if (!scaling.shortFactor.empty())
    object.insert(QStringLiteral("short_factor"), toArray(scaling.shortFactor));
  if (!scaling.longFactor.empty()) object.insert(QStringLiteral("long_factor"), toArray(scaling.longFactor));
  return object;
}

}  // namespace

QJsonObject modelSpecToJson(const ModelSpec& spec) {
  QJsonObject object{
      {QStringLiteral("id"), spec.id},
      {QStringLiteral("name"), spec.displayName},
      {QStringLiteral("family"), spec.family},
      {QStringLiteral("architecture"), spec.architecture},
      {QStringLiteral("origin"), spec.origin},
      {QStringLiteral("attention_kind"), attentionKindName(spec.attentionKind)},
      {QStringLiteral("layers"), spec.layers},
      {QStringLiteral("hidden_size"), qint64(spec.hiddenSize)},
      {QStringLiteral("intermediate_size"), qint64(spec.intermediateSize)},
      {QStringLiteral("gated_ffn"), spec.gatedFfn},
      {QStringLiteral("heads"), spec.heads},
      {QStringLiteral("kv_heads"), spec.kvHeads},
      {QStringLiteral("head_dim"), spec.headDim},
      {QStringLiteral("vocab_size"), qint64(spec.vocabSize)},
      {QStringLiteral("tied_embeddings"), spec.tiedEmbeddings},
      {QStringLiteral("attention_bias"), spec.attentionBias},
      {QStringLiteral("sliding_window"), spec.slidingWindow},
      {QStringLiteral("uses_rope"), spec.usesRope},
      {QStringLiteral("rope_theta"), spec.ropeTheta},
      {QStringLiteral("partial_rotary_factor"), spec.partialRotaryFactor},
      {QStringLiteral("rotary_dim"), spec.usesRope ? spec.rotaryDim() : 0},
      {QStringLiteral("rope_pair_layout"), ropePairLayoutName(spec.ropePairLayout)},
      {QStringLiteral("max_position_embeddings"), qint64(spec.maxPositionEmbeddings)},
      {QStringLiteral("trained_context"), qint64(spec.trainedContext)},
      {QStringLiteral("published_parameters"), spec.publishedParameters},
      {QStringLiteral("source"), spec.source},
      {QStringLiteral("notes"), spec.notes},
      {QStringLiteral("defaulted_fields"), QJsonArray::fromStringList(spec.defaultedFields)},
  };
  QJsonArray layerTypes;
  for (LayerAttention type : spec.layerTypes) layerTypes.append(layerAttentionName(type));
  object.insert(QStringLiteral("layer_types"), layerTypes);
  object.insert(QStringLiteral("rope_scaling"),
                spec.ropeScaling ? QJsonValue(ropeScalingToJson(*spec.ropeScaling)) : QJsonValue());
  if (const auto& recipe = spec.longContextRecipe)
    object.insert(QStringLiteral("long_context_recipe"),
                  QJsonObject{{QStringLiteral("mitigation"), recipe->mitigation},
                              {QStringLiteral("factor"), recipe->factor},
                              {QStringLiteral("original_context"), recipe->originalContext},
                              {QStringLiteral("supported_context"), recipe->supportedContext},
                              {QStringLiteral("built_in"), recipe->builtIn},
                              {QStringLiteral("source"), recipe->source}});
  if (spec.mla)
    object.insert(QStringLiteral("mla"),
                  QJsonObject{{QStringLiteral("kv_lora_rank"), spec.mla->kvLoraRank},
                              {QStringLiteral("q_lora_rank"), spec.mla->qLoraRank},
                              {QStringLiteral("qk_rope_head_dim"), spec.mla->qkRopeHeadDim},
                              {QStringLiteral("qk_nope_head_dim"), spec.mla->qkNopeHeadDim},
                              {QStringLiteral("v_head_dim"), spec.mla->vHeadDim}});
  else
    object.insert(QStringLiteral("mla"), QJsonValue());
  if (spec.moe.isMoe())
    object.insert(
        QStringLiteral("moe"),
        QJsonObject{{QStringLiteral("experts"), spec.moe.experts},
                    {QStringLiteral("experts_per_token"), spec.moe.expertsPerToken},
                    {QStringLiteral("expert_intermediate_size"), qint64(spec.moe.expertIntermediateSize)},
                    {QStringLiteral("shared_experts"), spec.moe.sharedExperts},
                    {QStringLiteral("dense_layers"), spec.moe.denseLayers}});
  else
    object.insert(QStringLiteral("moe"), QJsonValue());
  if (spec.checkpointWeights)
    object.insert(QStringLiteral("checkpoint_weights"),
                  QJsonObject{{QStringLiteral("parameters"), spec.checkpointWeights->parameters},
                              {QStringLiteral("bytes"), spec.checkpointWeights->bytes},
                              {QStringLiteral("dtypes"), spec.checkpointWeights->dtypes},
                              {QStringLiteral("source"), spec.checkpointWeights->source}});
  object.insert(QStringLiteral("published_active_parameters"),
                spec.publishedActiveParameters ? QJsonValue(*spec.publishedActiveParameters) : QJsonValue());
  return object;
}

namespace {

QJsonValue linkToJson(const std::optional<DeviceLink>& link) {
  if (!link) return QJsonValue();
  return QJsonObject{{QStringLiteral("link"), link->name},
                     {QStringLiteral("bytes_per_s"), link->bytesPerSecond}};
}

QJsonObject interconnectToJson(const Interconnect& interconnect) {
  return QJsonObject{{QStringLiteral("intra_node"), linkToJson(interconnect.intraNode)},
                     {QStringLiteral("inter_node"), linkToJson(interconnect.interNode)},
                     {QStringLiteral("source"), interconnect.source}};
}

}  // namespace

QJsonObject hardwareSpecToJson(const HardwareSpec& spec) {
  QJsonObject flops;
  for (const auto& [dtype, value] : spec.peakFlopsPerSecond) flops.insert(dtype, value);
  return QJsonObject{
      {QStringLiteral("id"), spec.id},
      {QStringLiteral("name"), spec.displayName},
      {QStringLiteral("vendor"), spec.vendor},
      {QStringLiteral("category"), spec.category},
      {QStringLiteral("origin"), spec.origin},
      {QStringLiteral("memory_bytes"), qint64(spec.memoryBytes)},
      {QStringLiteral("memory_bandwidth_bytes_per_s"), spec.memoryBandwidthBytesPerSecond},
      {QStringLiteral("peak_flops"), flops},
      {QStringLiteral("interconnect"), interconnectToJson(spec.interconnect)},
      {QStringLiteral("source"), spec.source},
      {QStringLiteral("notes"), spec.notes},
      {QStringLiteral("defaulted_fields"), QJsonArray::fromStringList(spec.defaultedFields)},
  };
}

}  // namespace sinkscope
