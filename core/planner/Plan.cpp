#include "planner/Plan.h"

#include "catalog/Catalog.h"
#include "common/Error.h"
#include "planner/MitigationComparison.h"
#include "planner/PlannerResources.h"
#include "planner/ReferencePoints.h"
#include "positional/PhaseCoverage.h"
#include "positional/RopeSchedule.h"

#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

constexpr qint64 kMaxPlanContextTokens = qint64(1) << 40;  // tokens; far beyond any memory

qint64 trainedContextOf(const ModelSpec& model) {
  return trainedContextOrMaxPositions(model);
}

void validateRequest(const ModelSpec& model, const PlanRequest& request) {
  const QString source = QStringLiteral("plan request");
  if (request.contextTokens <= 0 || request.contextTokens > kMaxPlanContextTokens)
    throwBadInput(
        source, QStringLiteral("context"),
        QStringLiteral("%1 is outside [1, %2]").arg(request.contextTokens).arg(kMaxPlanContextTokens));
  if (request.batch && (*request.batch < 1 || *request.batch > 1'000'000))
    throwBadInput(source, QStringLiteral("batch"),
                  QStringLiteral("%1 is outside [1, 1000000]").arg(*request.batch));
  if (request.prefillChunkTokens && *request.prefillChunkTokens < 1)
    throwBadInput(source, QStringLiteral("prefill_chunk"), QStringLiteral("must be at least 1 token"));
  if (request.usableMemoryShare && (*request.usableMemoryShare <= 0 || *request.usableMemoryShare > 1))
    throwBadInput(source, QStringLiteral("memory_share"), QStringLiteral("must be in (0, 1]"));
  if (request.mitigationFactor &&
      !(std::isfinite(*request.mitigationFactor) && *request.mitigationFactor >= 1))
    throwBadInput(source, QStringLiteral("factor"), QStringLiteral("must be a number >= 1"));
  const auto applicable = mitigationsFor(model.usesRope);
  if (request.mitigation &&
      std::find(applicable.begin(), applicable.end(), *request.mitigation) == applicable.end())
    throwBadInput(source, QStringLiteral("mitigation"),
                  QStringLiteral("'%1' does not apply to %2 (a %3 model)")
                      .arg(mitigationName(*request.mitigation), model.id,
                           model.usesRope ? QStringLiteral("RoPE") : QStringLiteral("non-RoPE")));
  if (model.layers <= 0 || model.hiddenSize <= 0)
    throwBadInput(model.origin, QStringLiteral("layers"),
                  QStringLiteral("the model has no layers or hidden size"));
}

const WeightDtype& weightDtypeFor(const PlanRequest& request, const PlannerResources& resources) {
  const QString name =
      request.weightsDtype.isEmpty() ? resources.defaults.weightsDtype : request.weightsDtype;
  const WeightDtype* dtype = resources.findWeightDtype(name);
  if (!dtype)
    throwBadInput(QStringLiteral("plan request"), QStringLiteral("weights_dtype"),
                  QStringLiteral("unknown dtype '%1' (known: %2)")
                      .arg(name, resources.weightDtypeNames().join(QStringLiteral(", "))));
  return *dtype;
}

const KvDtype& kvDtypeFor(const PlanRequest& request, const PlannerResources& resources) {
  const QString name = request.kvDtype.isEmpty() ? resources.defaults.kvDtype : request.kvDtype;
  const KvDtype* dtype = resources.findKvDtype(name);
  if (!dtype)
    throwBadInput(QStringLiteral("plan request"), QStringLiteral("kv_dtype"),
                  QStringLiteral("unknown dtype '%1' (known: %2)")
                      .arg(name, resources.kvDtypeNames().join(QStringLiteral(", "))));
  return *dtype;
}

// What the positional engine (PhaseCoverage.h) says about angles past the trained context.
// shippedUpToTokens: when the model ships this scaling and was trained with it up to that length
// (Llama 3.1's llama3 to 128K), angles past the pre-training context were seen in that training.
QString extrapolationDetail(const ModelSpec& model, Mitigation mitigation, double factor,
                            qint64 contextTokens, qint64 farthestDistanceTokens, qint64 shippedUpToTokens) {
  if (!model.usesRope)
    return QStringLiteral("ALiBi biases past the trained distance were never seen in training");
  if (mitigation == Mitigation::Streaming)
    return QStringLiteral(
        "StreamingLLM re-uses positions inside its cache, so no rotary angle leaves the trained "
        "range; tokens older than the cache are dropped");
  // Errors propagate: a model whose RoPE settings cannot be read cannot be planned (issue 20).
  {
    const RopeParameters own = ropeParametersFor(model);
    const RopeParameters used = mitigation == Mitigation::Baseline ||
                                        shipsWithMitigation(model, mitigation) ||
                                        !mitigationApplies(own, mitigation)
                                    ? own
                                    : withMitigation(own, mitigation, factor);
    // A window caps every query-key distance: the angles that matter are those up to it.
    const bool windowed = farthestDistanceTokens > 0 && farthestDistanceTokens < contextTokens;
    const PhaseCoverage coverage = phaseCoverageFor(used, windowed ? farthestDistanceTokens : contextTokens);
    const bool trainedWithIt = shippedUpToTokens > 0 && contextTokens <= shippedUpToTokens;
    QString text = coverage.unseenRotaryDims > 0 && trainedWithIt
                       ? QStringLiteral(
                             "RoPE angles in %1 of %2 rotary dims lie past its %3-token pre-training, but "
                             "the model was trained with this scaling up to %4 tokens, so its long-context "
                             "training saw them")
                             .arg(coverage.unseenRotaryDims)
                             .arg(coverage.rotaryDim)
                             .arg(coverage.trainedContext)
                             .arg(shippedUpToTokens)
                   : coverage.unseenRotaryDims > 0
                       ? QStringLiteral("RoPE angles in %1 of %2 rotary dims were never seen in training")
                             .arg(coverage.unseenRotaryDims)
                             .arg(coverage.rotaryDim)
                   : mitigation == Mitigation::Baseline
                       ? QStringLiteral("every RoPE angle stays in the trained range")
                       : QStringLiteral(
                             "every RoPE angle stays in the trained range, but positions are compressed "
                             "(nearby tokens are harder to tell apart)");
    if (mitigation != Mitigation::Baseline)
      text =
          QStringLiteral("with %1 ×%2, ").arg(mitigationName(mitigation), QString::number(factor, 'g', 4)) +
          text;
    if (windowed)
      text +=
          QStringLiteral(" (the %1-token sliding window caps every distance)").arg(farthestDistanceTokens);
    return text;
  }
}

MitigationPlan planMitigation(const ModelSpec& model, const HardwareSpec& hardware,
                              const PlanRequest& request, Mitigation mitigation,
                              const PlannerResources& resources) {
  MitigationPlan row;
  row.mitigation = mitigation;
  const qint64 trained = trainedContextOf(model);
  row.factor = (request.mitigation && mitigation == *request.mitigation && request.mitigationFactor)
                   ? *request.mitigationFactor
                   : plannerMitigationFactor(model, mitigation, request.contextTokens);
  const ContextCap cap = estimateContextCap(model, mitigation, row.factor, resources,
                                            runtimeHonoursWindow(model, request.runtime));
  row.fineTuned = cap.fineTuned;
  row.contextCap = cap.tokens;
  row.capBasis = cap.basis;
  const MemoryModel memory = memoryModelFor(model, hardware, request, mitigation);
  row.kvBytes = memory.kvBytes(request.contextTokens);
  row.kvCachedTokens = memory.kvCachedTokensMax(request.contextTokens);
  const qint64 streamingCache = plannerStreamingCacheTokens(model, resources);
  MitigationScenario scenario;
  scenario.contextTokens = request.contextTokens;
  scenario.factor = row.factor;
  scenario.streamingCacheTokens = streamingCache;
  scenario.runtime = request.runtime;
  row.estimate = estimateMitigation(model, mitigation, scenario, resources, referenceSet());
  row.effectiveContext =
      std::clamp<qint64>(std::llround(row.estimate.effectiveContext.central), 0, request.contextTokens);
  if (row.estimate.applicable) row.qualityRetention = row.estimate.qualityRetention.central;
  LaunchScenario launch;
  launch.contextTokens = request.contextTokens;
  launch.factor = row.factor;
  launch.trainedContextTokens = trained;
  launch.streamingCacheTokens = streamingCache;
  launch.streamingSinkTokens = resources.defaults.streamingSinkTokens;
  row.launchFlags = launchFlagsFor(model, mitigation, launch);
  addParallelFlags(row.launchFlags, parallelLayoutFor(model, request));
  return row;
}

ConfidenceInputs confidenceInputs(const ModelSpec& model, const HardwareSpec& hardware, const Plan& plan,
                                  const MitigationPlan& row, const PlanRequest& request,
                                  const PlannerResources& resources) {
  ConfidenceInputs in;
  in.contextTokens = plan.contextTokens;
  in.trainedContextTokens = plan.trainedContextTokens;
  in.contextCapTokens = row.contextCap;
  in.mitigation = mitigationName(row.mitigation);
  in.extrapolationDetail =
      extrapolationDetail(model, row.mitigation, row.factor, plan.contextTokens,
                          row.estimate.farthestDistanceTokens, row.fineTuned ? row.contextCap : 0);
  in.qualityMeasured = request.qualityMeasured;
  in.defaultedFields = model.defaultedFields;
  for (const QString& field : hardware.defaultedFields)
    in.defaultedFields << QStringLiteral("hardware.") + field;
  in.missingHardware = plan.throughput.missingHardware;
  const double capacity = double(plan.memory.capacityBytes);
  in.weightBitsPerWeight = resources.findWeightDtype(plan.weightsDtype)->bitsPerWeight;
  in.kvBitsPerElement = resources.findKvDtype(plan.kvDtype)->bitsPerElement;
  if (row.estimate.applicable) {
    in.anchorDistanceDoublings = row.estimate.extrapolationDoublings;
    in.anchorNames = row.estimate.anchors.join(QStringLiteral(", "));
  } else {
    in.notApplicableReason = row.estimate.explanation;
  }
  in.borrowedSeries = row.estimate.borrowedSeries;
  const VerdictKind verdict = row.estimate.verdict.kind;
  in.tier = verdict == VerdictKind::Works      ? ConfidenceTier::Works
            : verdict == VerdictKind::Degraded ? ConfidenceTier::Degraded
                                               : ConfidenceTier::Collapses;
  in.verdictText = row.estimate.verdict.text;
  if (row.estimate.applicable && verdict != VerdictKind::Unknown) {
    in.pessimisticQuality = row.estimate.qualityRetention.low;
    in.pessimisticTier = in.pessimisticQuality >= resources.verdict.worksQuality ? ConfidenceTier::Works
                         : in.pessimisticQuality >= resources.verdict.collapseQuality
                             ? ConfidenceTier::Degraded
                             : ConfidenceTier::Collapses;
  }
  in.fits = row.totalBytes <= plan.memory.capacityBytes;
  in.memoryMarginShare = capacity > 0 ? (capacity - double(row.totalBytes)) / capacity : 0;
  return in;
}

void describeDeployment(const ModelSpec& model, const DeploymentMemory& deployment, qint64 contextTokens,
                        Plan& plan) {
  plan.parallel = deployment.layout();
  plan.kvHeadsPerGpu = model.mla ? 1 : kvHeadsPerGpu(model, plan.parallel.tensorParallel);
  plan.kvReplicasPerHead = kvReplicasPerHead(model, plan.parallel.tensorParallel);
  for (const PipelineStage& stage : deployment.stages()) plan.layersPerStage.push_back(stage.layerCount);
  plan.memoryAllGpus = deployment.allGpus(contextTokens);
}

void addParallelNotes(const ModelSpec& model, Plan& plan) {
  const ParallelLayout& p = plan.parallel;
  if (p.gpus() == 1) return;
  plan.notes
      << QStringLiteral(
             "memory figures are per GPU (the fullest of %1: %2 node(s) x %3 GPUs, tensor-parallel %4, "
             "pipeline-parallel %5)")
             .arg(p.gpus())
             .arg(p.nodes)
             .arg(p.gpusPerNode)
             .arg(p.tensorParallel)
             .arg(p.pipelineParallel);
  if (model.mla && p.tensorParallel > 1)
    plan.notes << QStringLiteral(
        "MLA caches one latent per token and layer: every tensor-parallel GPU holds all of it "
        "(vLLM replicates the latent cache), so tensor parallelism does not shrink the KV cache");
  else if (plan.kvReplicasPerHead > 1)
    plan.notes << QStringLiteral(
                      "%1 KV heads over tensor-parallel %2: each GPU holds one KV head, each head on %3 GPUs "
                      "(vLLM replicates KV heads when there are fewer than GPUs)")
                      .arg(model.kvHeads)
                      .arg(p.tensorParallel)
                      .arg(plan.kvReplicasPerHead);
}

void addNotes(const ModelSpec& model, Plan& plan, const MemoryModel& memory) {
  addParallelNotes(model, plan);
  if (plan.fit.kvStopsGrowingAt && *plan.fit.kvStopsGrowingAt > 0)
    plan.notes << QStringLiteral(
                      "every caching layer holds at most %1 tokens (sliding window or StreamingLLM "
                      "cache): the KV cache stops growing past that context")
                      .arg(*plan.fit.kvStopsGrowingAt);
  else if (model.slidingWindow > 0 && memory.kvGroups().size() > 1)
    plan.notes << QStringLiteral(
                      "sliding-window layers stop growing at %1 tokens; the full-attention layers keep "
                      "growing")
                      .arg(model.slidingWindow);
  if (plan.fit.unbounded)
    plan.notes << QStringLiteral(
        "fits at any context: memory stops growing once the KV cache and the prefill "
        "chunk are full");
  if (model.trainedContext <= 0)
    plan.notes << QStringLiteral(
                      "the trained context is unknown: max_position_embeddings %1 is used in its place")
                      .arg(model.maxPositionEmbeddings);
  plan.notes << QStringLiteral("all figures are modelled, not measured");
}

// The vendor's own setting for the requested context: the model as shipped (baseline) inside its
// trained or built-in range, the documented recipe (e.g. Qwen's YaRN x4) inside the supported
// range; none past what the vendor supports.
std::optional<Mitigation> vendorSetting(const ModelSpec& model, qint64 contextTokens) {
  const qint64 trained = trainedContextOf(model);
  const auto& recipe = model.longContextRecipe;
  const bool builtIn = model.ropeScaling && !model.ropeScaling->type.isEmpty();
  const qint64 shipped = builtIn ? std::max(trained, model.maxPositionEmbeddings) : trained;
  const qint64 supported = recipe ? std::max(recipe->supportedContext, trained) : shipped;
  if (contextTokens <= trained || (builtIn && contextTokens <= supported)) return Mitigation::Baseline;
  if (recipe && recipe->mitigation == QLatin1String("none") && contextTokens <= supported)
    return Mitigation::Baseline;
  if (recipe && !recipe->builtIn && contextTokens <= supported)
    if (const auto mitigation = mitigationFromName(recipe->mitigation)) return *mitigation;
  return std::nullopt;
}

// What the plan is made for, and why: asked for; else what a person would run.
void chooseSetting(const ModelSpec& model, const PlanRequest& request, Plan& plan) {
  if (request.mitigation) {
    plan.mitigation = *request.mitigation;
    plan.mitigationChoice = QStringLiteral("%1, as asked").arg(mitigationName(plan.mitigation));
    return;
  }
  if (const auto vendor = vendorSetting(model, request.contextTokens)) {
    plan.mitigation = *vendor;
    const auto& recipe = model.longContextRecipe;
    if (*vendor == Mitigation::Baseline)
      plan.mitigationChoice =
          QStringLiteral("the model as shipped: %1 tokens is within what its vendor supports%2")
              .arg(request.contextTokens)
              .arg(recipe ? QStringLiteral(" (%1)").arg(recipe->source) : QString());
    else
      plan.mitigationChoice =
          QStringLiteral("the vendor's recipe, %1 ×%2: %3 tokens is within the %4 it supports (%5)")
              .arg(mitigationName(*vendor), QString::number(recipe->factor, 'g', 3))
              .arg(request.contextTokens)
              .arg(recipe->supportedContext)
              .arg(recipe->source);
    return;
  }
  plan.mitigation = plan.recommendation.best.value_or(Mitigation::Baseline);
  plan.mitigationChoice = QStringLiteral(
                              "SinkScope's recommendation: %1 tokens is past what the vendor supports "
                              "(or the vendor states no long-context recipe), so the plan is made for the "
                              "setting that works best there")
                              .arg(request.contextTokens);
}

}  // namespace

ParallelLayout parallelLayoutFor(const ModelSpec& model, const PlanRequest& request) {
  ParallelLayout layout;
  if (const auto problem = resolveParallelLayout(model, request.parallel, layout))
    throwBadInput(QStringLiteral("plan request"), problem->field, problem->message);
  return layout;
}

DeploymentMemory deploymentMemoryFor(const ModelSpec& model, const HardwareSpec& hardware,
                                     const PlanRequest& request, Mitigation mitigation) {
  const PlannerResources& resources = plannerResources();
  MemorySettings settings;
  settings.weights = weightDtypeFor(request, resources);
  settings.kv = kvDtypeFor(request, resources);
  settings.batch = request.batch.value_or(resources.defaults.batch);
  settings.prefillChunkTokens = request.prefillChunkTokens.value_or(resources.defaults.prefillChunkTokens);
  settings.usableMemoryShare = request.usableMemoryShare.value_or(resources.defaults.usableMemoryShare);
  settings.activationBytesPerElement = resources.defaults.activationBytesPerElement;
  settings.logitsBytesPerElement = resources.defaults.logitsBytesPerElement;
  settings.overheadBytes =
      hardware.category == QLatin1String("cpu") ? resources.cpuOverheadBytes : resources.gpuOverheadBytes;
  if (mitigation == Mitigation::Streaming)
    settings.streamingCacheTokens = plannerStreamingCacheTokens(model, resources);
  const ParallelLayout layout = parallelLayoutFor(model, request);
  if (model.slidingWindow > 0 && !runtimeHonoursWindow(model, request.runtime)) {
    ModelSpec fullAttention = model;  // llama.cpp runs Mistral-v0.1 without its window: every token is cached
    fullAttention.slidingWindow = 0;
    fullAttention.layerTypes.clear();
    return DeploymentMemory(fullAttention, hardware, settings, layout);
  }
  return DeploymentMemory(model, hardware, settings, layout);
}

MemoryModel memoryModelFor(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request,
                           Mitigation mitigation) {
  return deploymentMemoryFor(model, hardware, request, mitigation).fullest(request.contextTokens);
}

std::vector<MemoryPoint> memoryCurveFor(const ModelSpec& model, const HardwareSpec& hardware,
                                        const PlanRequest& request, const std::vector<qint64>& contexts) {
  const DeploymentMemory deployment =
      deploymentMemoryFor(model, hardware, request, request.mitigation.value_or(Mitigation::Baseline));
  std::vector<MemoryPoint> points;
  points.reserve(contexts.size());
  for (qint64 context : contexts) points.push_back({context, deployment.at(context)});
  return points;
}

Plan makePlan(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request) {
  validateRequest(model, request);
  const PlannerResources& resources = plannerResources();
  Plan plan;
  plan.modelId = model.id;
  plan.hardwareId = hardware.id;
  plan.contextTokens = request.contextTokens;
  plan.trainedContextTokens = trainedContextOf(model);
  plan.attentionKind = model.attentionKind;
  plan.runtime = request.runtime;

  const DeploymentMemory deployment =
      deploymentMemoryFor(model, hardware, request, request.mitigation.value_or(Mitigation::Baseline));
  const MemoryModel& memory = deployment.fullest(request.contextTokens);
  describeDeployment(model, deployment, request.contextTokens, plan);
  plan.batch = memory.settings().batch;
  plan.weightsDtype = memory.settings().weights.name;
  plan.kvDtype = memory.settings().kv.name;
  plan.prefillChunkTokens = memory.settings().prefillChunkTokens;
  plan.usableMemoryShare = memory.settings().usableMemoryShare;
  plan.parameters = memory.parameters();
  plan.totalParameters = plan.parameters.total();
  plan.activeParameters = plan.parameters.active();
  plan.memory = memory.at(request.contextTokens);
  plan.fits = deployment.fits(request.contextTokens);
  plan.fit = deployment.maxContextThatFits();
  plan.throughput = estimateDeploymentThroughput(model, hardware, deployment, request.contextTokens,
                                                 {resources.bandwidthEfficiency, resources.computeEfficiency},
                                                 resources.parallel);
  if (!plan.fits)
    plan.fitAdvice = adviseFit(model, hardware, request, plan.parallel, Catalog::builtin().hardware());

  for (Mitigation mitigation : mitigationsFor(model.usesRope)) {
    MitigationPlan row = planMitigation(model, hardware, request, mitigation, resources);
    row.totalBytes = plan.memory.totalBytes - plan.memory.kvBytes + row.kvBytes;
    row.confidence = assessConfidence(confidenceInputs(model, hardware, plan, row, request, resources),
                                      resources.confidence);
    plan.mitigations.push_back(row);
  }
  plan.recommendation = recommendMitigation(plan, model);
  chooseSetting(model, request, plan);
  const auto chosen =
      std::find_if(plan.mitigations.begin(), plan.mitigations.end(),
                   [&](const MitigationPlan& row) { return row.mitigation == plan.mitigation; });
  plan.mitigationFactor = chosen->factor;
  plan.confidence = chosen->confidence;
  plan.contextCap = chosen->contextCap;
  plan.effectiveContext = chosen->effectiveContext;
  plan.qualityRetention = chosen->qualityRetention;
  if (plan.mitigation != request.mitigation.value_or(Mitigation::Baseline)) {  // memory follows the choice
    PlanRequest chosenRequest = request;
    chosenRequest.mitigation = plan.mitigation;
    const DeploymentMemory chosen = deploymentMemoryFor(model, hardware, chosenRequest, plan.mitigation);
    plan.memory = chosen.fullest(request.contextTokens).at(request.contextTokens);
    plan.layersPerStage.clear();
    describeDeployment(model, chosen, request.contextTokens, plan);
    plan.fits = chosen.fits(request.contextTokens);
    plan.fit = chosen.maxContextThatFits();
    plan.throughput = estimateDeploymentThroughput(
        model, hardware, chosen, request.contextTokens,
        {resources.bandwidthEfficiency, resources.computeEfficiency}, resources.parallel);
    plan.fitAdvice =
        plan.fits ? FitAdvice{}
                  : adviseFit(model, hardware, chosenRequest, plan.parallel, Catalog::builtin().hardware());
  }
  plan.sourceDocument = compareWithSourceDocument(model, plan, referenceSet());
  addNotes(model, plan, memory);
  return plan;
}

}  // namespace sinkscope
