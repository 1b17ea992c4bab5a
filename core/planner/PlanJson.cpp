#include "planner/PlanJson.h"

#include <QJsonArray>
#include <cmath>
#include <limits>

namespace sinkscope {

namespace {

double rounded(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

QJsonValue optionalNumber(const std::optional<double>& value, int digits) {
  return value ? QJsonValue(rounded(*value, digits)) : QJsonValue(QJsonValue::Null);
}

QJsonValue capValue(qint64 tokens) {
  return tokens > 0 ? QJsonValue(tokens) : QJsonValue(QJsonValue::Null);
}

QJsonObject bandToJson(const Band& band, int digits) {
  return {{QStringLiteral("central"), rounded(band.central, digits)},
          {QStringLiteral("low"), rounded(band.low, digits)},
          {QStringLiteral("high"), rounded(band.high, digits)}};
}

QJsonValue mitigationOrNull(const std::optional<Mitigation>& mitigation) {
  return mitigation ? QJsonValue(mitigationName(*mitigation)) : QJsonValue(QJsonValue::Null);
}

QJsonObject recommendationToJson(const Recommendation& r) {
  QJsonObject object;
  object[QStringLiteral("mitigation")] = mitigationOrNull(r.best);
  object[QStringLiteral("reasons")] = QJsonArray::fromStringList(r.reasons);
  object[QStringLiteral("runner_up")] = mitigationOrNull(r.runnerUp);
  object[QStringLiteral("runner_up_reasons")] = QJsonArray::fromStringList(r.runnerUpReasons);
  object[QStringLiteral("verdict")] =
      r.best ? QJsonValue(verdictName(r.bestVerdict)) : QJsonValue(QJsonValue::Null);
  object[QStringLiteral("if_you_can_fine_tune")] =
      r.fineTunedAlternative.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r.fineTunedAlternative);
  return object;
}

QJsonArray documentToJson(const std::vector<DocumentComparison>& rows) {
  QJsonArray array;
  for (const DocumentComparison& row : rows)
    array.append(QJsonObject{{QStringLiteral("document"), row.text},
                             {QStringLiteral("mitigation"), row.mitigation},
                             {QStringLiteral("document_effective_context"), row.documentEffective},
                             {QStringLiteral("document_quality"), row.documentQuality},
                             {QStringLiteral("effective_context"), row.effective},
                             {QStringLiteral("effective_context_strict"), row.effectiveStrict},
                             {QStringLiteral("quality_retention"), rounded(row.quality, 3)},
                             {QStringLiteral("sinkscope_verdict"), row.sinkscopeVerdict},
                             {QStringLiteral("verdict"), row.verdict}});
  return array;
}

QJsonObject verdictToJson(const Verdict& v) {
  return {
      {QStringLiteral("kind"), verdictName(v.kind)},
      {QStringLiteral("context"), v.contextTokens},
      {QStringLiteral("quality_retention_band"), bandToJson(v.quality, 4)},
      {QStringLiteral("basis"), v.basisId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(v.basisId)},
      {QStringLiteral("basis_text"), v.basis},
      {QStringLiteral("extrapolated"), v.extrapolated},
      {QStringLiteral("text"), v.text}};
}

QJsonObject throughputToJson(const ThroughputEstimate& t) {
  QJsonObject object;
  object[QStringLiteral("prefill_tokens_per_s")] = rounded(t.prefillTokensPerSecond, 1);
  object[QStringLiteral("decode_tokens_per_s")] = rounded(t.decodeTokensPerSecond, 2);
  object[QStringLiteral("bound")] = boundName(t.decodeBound);
  object[QStringLiteral("decode_bound")] = boundName(t.decodeBound);
  object[QStringLiteral("prefill_bound")] = boundName(t.prefillBound);
  object[QStringLiteral("decode_bytes_per_step")] = static_cast<qint64>(std::llround(t.decodeBytesPerStep));
  object[QStringLiteral("decode_flops_per_step")] = t.decodeFlopsPerStep;
  object[QStringLiteral("prefill_flops")] = t.prefillFlops;
  object[QStringLiteral("compute_dtype")] = t.computeDtype;
  object[QStringLiteral("missing_hardware")] = QJsonArray::fromStringList(t.missingHardware);
  object[QStringLiteral("source")] = QStringLiteral("modelled");
  return object;
}

QJsonObject parallelToJson(const Plan& plan) {
  const ParallelLayout& p = plan.parallel;
  QJsonArray layers;
  for (int count : plan.layersPerStage) layers.append(count);
  const ThroughputEstimate& t = plan.throughput;
  auto linkOrNull = [](const QString& name) {
    return name.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(name);
  };
  return {{QStringLiteral("gpus"), p.gpus()},
          {QStringLiteral("nodes"), p.nodes},
          {QStringLiteral("gpus_per_node"), p.gpusPerNode},
          {QStringLiteral("tensor_parallel_size"), p.tensorParallel},
          {QStringLiteral("pipeline_parallel_size"), p.pipelineParallel},
          {QStringLiteral("kv_heads_per_gpu"), plan.kvHeadsPerGpu},
          {QStringLiteral("kv_replicas_per_head"), plan.kvReplicasPerHead},
          {QStringLiteral("layers_per_stage"), layers},
          {QStringLiteral("tensor_parallel_link"), linkOrNull(t.tensorParallelLink)},
          {QStringLiteral("pipeline_link"), linkOrNull(t.pipelineLink)},
          {QStringLiteral("memory_all_gpus"), memoryToJson(plan.memoryAllGpus)}};
}

QJsonObject fitOptionToJson(const FitOption& option) {
  QJsonObject object;
  object[QStringLiteral("change")] = fitChangeName(option.change);
  object[QStringLiteral("works")] = option.works;
  object[QStringLiteral("summary")] = option.summary;
  object[QStringLiteral("total_bytes_per_gpu")] = option.totalBytesPerGpu;
  object[QStringLiteral("capacity_bytes_per_gpu")] = option.capacityBytesPerGpu;
  switch (option.change) {
    case FitChange::LowerKvDtype:
      object[QStringLiteral("kv_dtype")] = option.kvDtype;
      break;
    case FitChange::MoreGpus:
      object[QStringLiteral("gpus")] =
          option.layout ? QJsonValue(option.layout->gpus()) : QJsonValue(QJsonValue::Null);
      object[QStringLiteral("nodes")] =
          option.layout ? QJsonValue(option.layout->nodes) : QJsonValue(QJsonValue::Null);
      object[QStringLiteral("tensor_parallel_size")] =
          option.layout ? QJsonValue(option.layout->tensorParallel) : QJsonValue(QJsonValue::Null);
      object[QStringLiteral("pipeline_parallel_size")] =
          option.layout ? QJsonValue(option.layout->pipelineParallel) : QJsonValue(QJsonValue::Null);
      break;
    case FitChange::LargerHardware:
      object[QStringLiteral("hardware")] = option.hardwareId;
      break;
    case FitChange::ShorterContext:
      object[QStringLiteral("context")] = option.contextTokens;
      break;
  }
  return object;
}

QJsonValue fitAdviceToJson(const Plan& plan) {
  if (plan.fits) return QJsonValue(QJsonValue::Null);
  QJsonArray options;
  for (const FitOption& option : plan.fitAdvice.options) options.append(fitOptionToJson(option));
  const auto& smallest = plan.fitAdvice.smallest;
  return QJsonObject{{QStringLiteral("options"), options},
                     {QStringLiteral("smallest_change"),
                      smallest ? QJsonValue(fitChangeName(plan.fitAdvice.options[*smallest].change))
                               : QJsonValue(QJsonValue::Null)}};
}

// A plan that does not fit cannot run: its rates are null, with the reason.
QJsonObject plannedThroughputToJson(const Plan& plan) {
  QJsonObject object = throughputToJson(plan.throughput);
  object[QStringLiteral("decode_communication_s")] = plan.throughput.decodeCommunicationSeconds;
  object[QStringLiteral("prefill_communication_s")] = plan.throughput.prefillCommunicationSeconds;
  if (plan.fits) return object;
  object[QStringLiteral("prefill_tokens_per_s")] = QJsonValue(QJsonValue::Null);
  object[QStringLiteral("decode_tokens_per_s")] = QJsonValue(QJsonValue::Null);
  object[QStringLiteral("not_estimated")] = QStringLiteral("the plan does not fit, so it cannot run");
  return object;
}

QJsonObject parametersToJson(const Plan& plan) {
  QJsonObject object;
  object[QStringLiteral("total")] = plan.totalParameters;
  object[QStringLiteral("active")] = plan.activeParameters;
  object[QStringLiteral("embedding")] = plan.parameters.embedding;
  object[QStringLiteral("output_head")] = plan.parameters.outputHead;
  object[QStringLiteral("attention")] = plan.parameters.attention;
  object[QStringLiteral("dense_ffn")] = plan.parameters.denseFfn;
  object[QStringLiteral("routed_experts")] = plan.parameters.expertsTotal;
  object[QStringLiteral("shared_experts")] = plan.parameters.sharedExperts;
  return object;
}

}  // namespace

QJsonObject memoryToJson(const MemoryBreakdown& m) {
  QJsonObject object;
  object[QStringLiteral("weights_bytes")] = m.weightsBytes;
  object[QStringLiteral("kv_bytes")] = m.kvBytes;
  object[QStringLiteral("kv_bytes_per_token")] = m.kvBytesPerToken;
  object[QStringLiteral("activation_bytes")] = m.activationBytes;
  object[QStringLiteral("overhead_bytes")] = m.overheadBytes;
  object[QStringLiteral("total_bytes")] = m.totalBytes;
  object[QStringLiteral("capacity_bytes")] = m.capacityBytes;
  object[QStringLiteral("source")] = QStringLiteral("modelled");
  return object;
}

QJsonObject confidenceToJson(const Confidence& confidence) {
  QJsonObject object;
  object[QStringLiteral("value")] = rounded(confidence.value, 3);
  QJsonArray reasons;
  QJsonArray details;
  for (const ConfidenceReason& reason : confidence.reasons) {
    reasons.append(reason.text);
    details.append(QJsonObject{{QStringLiteral("code"), reason.code},
                               {QStringLiteral("deduction"), rounded(reason.deduction, 3)},
                               {QStringLiteral("text"), reason.text}});
  }
  object[QStringLiteral("reasons")] = reasons;
  object[QStringLiteral("reason_details")] = details;
  return object;
}

QJsonObject mitigationPlanToJson(const MitigationPlan& row) {
  QJsonObject object;
  object[QStringLiteral("name")] = mitigationName(row.mitigation);
  object[QStringLiteral("factor")] = rounded(row.factor, 4);
  object[QStringLiteral("fine_tuned")] = row.fineTuned;
  object[QStringLiteral("context_cap")] = capValue(row.contextCap);
  object[QStringLiteral("context_cap_basis")] = row.capBasis;
  object[QStringLiteral("effective_context")] = row.effectiveContext;
  object[QStringLiteral("quality_retention")] = optionalNumber(row.qualityRetention, 3);
  object[QStringLiteral("confidence")] = rounded(row.confidence.value, 3);
  object[QStringLiteral("confidence_reasons")] = confidenceToJson(row.confidence)[QStringLiteral("reasons")];
  object[QStringLiteral("kv_bytes")] = row.kvBytes;
  object[QStringLiteral("kv_cached_tokens")] = row.kvCachedTokens;
  const MitigationEstimate& e = row.estimate;
  object[QStringLiteral("applicable")] = e.applicable;
  object[QStringLiteral("effective_context_band")] = bandToJson(e.effectiveContext, 0);
  object[QStringLiteral("effective_context_strict")] = e.effectiveContextStrict;
  object[QStringLiteral("quality_retention_band")] = bandToJson(e.qualityRetention, 3);
  object[QStringLiteral("reach_tokens")] = e.reachTokens;
  object[QStringLiteral("farthest_distance_tokens")] = e.farthestDistanceTokens;
  object[QStringLiteral("sink_evicted")] = e.sinkEvicted;
  object[QStringLiteral("window_honoured")] = e.windowHonoured;
  object[QStringLiteral("vendor_recipe")] = e.vendorRecipe;
  object[QStringLiteral("series")] = e.series.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(e.series);
  object[QStringLiteral("series_borrowed")] = e.borrowedSeries;
  object[QStringLiteral("verdict")] = verdictToJson(e.verdict);
  object[QStringLiteral("anchors")] = QJsonArray::fromStringList(e.anchors);
  object[QStringLiteral("extrapolation_doublings")] = rounded(e.extrapolationDoublings, 2);
  object[QStringLiteral("explanation")] = e.explanation;
  if (e.fineTunedEffectiveContext)
    object[QStringLiteral("if_fine_tuned")] =
        QJsonObject{{QStringLiteral("effective_context"), bandToJson(*e.fineTunedEffectiveContext, 0)},
                    {QStringLiteral("quality_retention"), bandToJson(*e.fineTunedQualityRetention, 3)},
                    {QStringLiteral("cost"), e.fineTuningCost}};
  object[QStringLiteral("launch_flags")] = launchFlagsToJson(row.launchFlags);
  object[QStringLiteral("source")] = QStringLiteral("modelled");
  return object;
}

QJsonObject planToJson(const Plan& plan) {
  QJsonObject object;
  object[QStringLiteral("model")] = plan.modelId;
  object[QStringLiteral("hardware")] = plan.hardwareId;
  object[QStringLiteral("context")] = plan.contextTokens;
  object[QStringLiteral("trained_context")] = plan.trainedContextTokens;
  object[QStringLiteral("attention_kind")] = attentionKindName(plan.attentionKind);
  object[QStringLiteral("batch")] = plan.batch;
  object[QStringLiteral("weights_dtype")] = plan.weightsDtype;
  object[QStringLiteral("kv_dtype")] = plan.kvDtype;
  object[QStringLiteral("mitigation")] = mitigationName(plan.mitigation);
  object[QStringLiteral("mitigation_choice")] = plan.mitigationChoice;
  object[QStringLiteral("runtime")] = runtimeName(plan.runtime);
  object[QStringLiteral("mitigation_factor")] = rounded(plan.mitigationFactor, 4);
  object[QStringLiteral("prefill_chunk_tokens")] = plan.prefillChunkTokens;
  object[QStringLiteral("usable_memory_share")] = plan.usableMemoryShare;
  object[QStringLiteral("parameters")] = parametersToJson(plan);
  object[QStringLiteral("memory")] = memoryToJson(plan.memory);
  object[QStringLiteral("fits")] = plan.fits;
  object[QStringLiteral("max_context_that_fits")] =
      plan.fit.unbounded ? QJsonValue(QJsonValue::Null) : QJsonValue(plan.fit.maxContextTokens);
  object[QStringLiteral("max_context_unbounded")] = plan.fit.unbounded;
  object[QStringLiteral("kv_stops_growing_at")] = plan.fit.kvStopsGrowingAt && *plan.fit.kvStopsGrowingAt > 0
                                                      ? QJsonValue(*plan.fit.kvStopsGrowingAt)
                                                      : QJsonValue(QJsonValue::Null);
  object[QStringLiteral("parallel")] = parallelToJson(plan);
  object[QStringLiteral("fit_advice")] = fitAdviceToJson(plan);
  object[QStringLiteral("throughput")] = plannedThroughputToJson(plan);
  object[QStringLiteral("confidence")] = confidenceToJson(plan.confidence);
  object[QStringLiteral("context_cap")] = capValue(plan.contextCap);
  object[QStringLiteral("effective_context")] = plan.effectiveContext;
  object[QStringLiteral("quality_retention")] = optionalNumber(plan.qualityRetention, 3);
  QJsonArray rows;
  for (const MitigationPlan& row : plan.mitigations) rows.append(mitigationPlanToJson(row));
  object[QStringLiteral("mitigations")] = rows;
  object[QStringLiteral("recommendation")] = recommendationToJson(plan.recommendation);
  object[QStringLiteral("source_document_comparison")] = documentToJson(plan.sourceDocument);
  object[QStringLiteral("launch_flag_versions")] = launchFlagVersions();
  object[QStringLiteral("notes")] = QJsonArray::fromStringList(plan.notes);
  object[QStringLiteral("source")] = QStringLiteral("modelled");
  return object;
}

}  // namespace sinkscope
