#include "planner/MitigationModel.h"

#include "common/NumberFormat.h"
#include "planner/Confidence.h"
#include "planner/PublishedCurve.h"
#include "planner/RetentionModel.h"
#include "planner/VerdictText.h"
#include "positional/PhaseCoverage.h"
#include "positional/RopeSchedule.h"

#include <algorithm>
#include <cmath>

namespace sinkscope {

using retention::allLayerWindow;
using retention::trainedOf;

bool isVendorRecipe(const ModelSpec& model, Mitigation mitigation, double factor) {
  const auto& recipe = model.longContextRecipe;
  return recipe && !recipe->builtIn && recipe->mitigation == mitigationName(mitigation) &&
         std::abs(recipe->factor - factor) < 1e-6;
}

qint64 phaseCoverageReach(const ModelSpec& model, Mitigation mitigation, double factor,
                          qint64 trainedContext) {
  if (!model.usesRope || trainedContext <= 0) return 0;
  const RopeParameters own = ropeParametersFor(model);
  const RopeParameters used =
      mitigation == Mitigation::Baseline ? own : withMitigation(own, mitigation, factor);
  auto clean = [&](qint64 context) { return phaseCoverageFor(used, context).unseenRotaryDims == 0; };
  if (!clean(trainedContext)) return trainedContext;
  qint64 low = trainedContext;
  qint64 high = trainedContext * 2;
  const qint64 ceiling = trainedContext * 1024;
  while (high <= ceiling && clean(high)) {
    low = high;
    high *= 2;
  }
  if (high > ceiling) return ceiling;
  while (high - low > std::max<qint64>(1, low / 256)) {  // 0.4 % is finer than any anchor
    const qint64 middle = low + (high - low) / 2;
    (clean(middle) ? low : high) = middle;
  }
  return low;
}

namespace {

using namespace retention;

MitigationEstimate estimateOnce(const ModelSpec& model, Mitigation mitigation,
                                const MitigationScenario& scenario, const PlannerResources& resources,
                                const ReferenceSet& references) {
  MitigationEstimate e;
  e.mitigation = mitigation;
  e.factor = scenario.factor;
  Setting s;
  s.model = &model;
  s.mitigation = mitigation;
  s.trained = std::max<qint64>(1, trainedOf(model));
  s.context = scenario.contextTokens;
  s.factor = std::max(1.0, scenario.factor);
  s.cache = scenario.streamingCacheTokens;
  s.fineTuned =
      shipsWithMitigation(model, mitigation) ||
      (mitigation == Mitigation::Baseline && model.ropeScaling && !model.ropeScaling->type.isEmpty());
  s.vendorRecipe = !s.fineTuned && isVendorRecipe(model, mitigation, s.factor);
  const auto extension = resources.contextExtension.find(mitigation);
  s.literatureExtension = extension != resources.contextExtension.end() ? extension->second : 1.0;
  e.windowHonoured = allLayerWindow(model) > 0 && runtimeHonoursWindow(model, scenario.runtime);
  s.window = e.windowHonoured ? allLayerWindow(model) : 0;
  const bool runtimeRope = model.usesRope && !s.fineTuned && !s.vendorRecipe &&
                           mitigation != Mitigation::Baseline && mitigation != Mitigation::Streaming &&
                           mitigation != Mitigation::Alibi;
  if (runtimeRope) {
    e.applicable = mitigationApplies(ropeParametersFor(model), mitigation);
    if (e.applicable) s.phaseReach = phaseCoverageReach(model, mitigation, s.factor, s.trained);
  }
  e.fineTuned = s.fineTuned;
  e.vendorRecipe = s.vendorRecipe;
  e.sinkEvicted = s.sinkEvictedAt(s.context);
  e.farthestDistanceTokens = s.farthestAt(s.context);
  if (!e.applicable) {
    e.verdict = unknownVerdict(s);
    e.explanation = explain(s, e, references);
    return e;
  }
  const ReferencePoint* series = runtimeRope ? nullptr
                                             : publishedCurveFor(references, model.id, settingName(s),
                                                                 allLayerWindow(model) > 0, s.window > 0);
  if (series) {
    e.series = series->id;
    e.borrowedSeries = series->modelId != model.id;
  }
  e.reachTokens = reachFor(s, centralKnobs(references));
  QualityBasis basis;
  estimateQuality(s, series, references, resources.verdict, e, &basis);
  e.effectiveContextStrict = strictEffective(model, e.effectiveContext.central, references);
  e.anchors = anchorsFor(s, centralKnobs(references), references);
  if (series && !e.anchors.contains(series->id)) e.anchors.prepend(series->id);
  // A published series says how far it reaches itself; StreamingLLM's streams reach further than
  // any one model's series (positions never leave the cache).
  if (!series || mitigation == Mitigation::Streaming)
    e.extrapolationDoublings = extrapolationDoublings(s, references);
  if (runtimeRope && mitigation != Mitigation::LongRope) {
    Setting tuned = s;
    tuned.fineTuned = true;
    tuned.phaseReach = 0;
    ModelSpec extended = model;  // fine-tuned at factor s: reach = trained x s
    extended.maxPositionEmbeddings = qint64(double(s.trained) * s.factor);
    extended.longContextRecipe.reset();
    tuned.model = &extended;
    MitigationEstimate fineTuned;
    estimateQuality(tuned, nullptr, references, resources.verdict, fineTuned);
    e.fineTunedEffectiveContext = fineTuned.effectiveContext;
    e.fineTunedQualityRetention = fineTuned.qualityRetention;
    e.fineTuningCost = fineTuningCostFor(mitigation);
  }
  e.verdict = makeVerdict(e, s, basis, references, resources.verdict);
  e.explanation = explain(s, e, references);
  return e;
}

}  // namespace

MitigationEstimate estimateMitigation(const ModelSpec& model, Mitigation mitigation,
                                      const MitigationScenario& scenario, const PlannerResources& resources,
                                      const ReferenceSet& references) {
  MitigationEstimate e = estimateOnce(model, mitigation, scenario, resources, references);
  if (e.applicable && allLayerWindow(model) > 0 && mitigation != Mitigation::Streaming) {
    MitigationScenario other = scenario;  // the other reading of the window: what the runtime decides
    other.runtime = e.windowHonoured ? Runtime::LlamaCpp : Runtime::Vllm;
    if (runtimeHonoursWindow(model, other.runtime) != e.windowHonoured) {
      const MitigationEstimate alternative = estimateOnce(model, mitigation, other, resources, references);
      e.explanation +=
          QStringLiteral(" Under %1 (%2) this becomes effective ≈ %3, %4.")
              .arg(
                  runtimeName(other.runtime),
                  e.windowHonoured
                      ? QStringLiteral("full attention: llama.cpp runs Mistral-v0.1 GGUFs without the window")
                      : QStringLiteral("which honours the window"),
                  tokensShort(alternative.effectiveContext.central), alternative.verdict.text);
    }
  }
  return e;
}

double plannerMitigationFactor(const ModelSpec& model, Mitigation mitigation, qint64 designContextTokens) {
  const double shipped = model.ropeScaling ? std::max(1.0, model.ropeScaling->factor) : 1.0;
  if (mitigation == Mitigation::Baseline || shipsWithMitigation(model, mitigation)) return shipped;
  if (mitigation == Mitigation::Streaming || mitigation == Mitigation::Alibi) return 1.0;
  const auto& recipe = model.longContextRecipe;
  if (recipe && !recipe->builtIn && recipe->mitigation == mitigationName(mitigation)) return recipe->factor;
  return defaultScalingFactor(designContextTokens, trainedOf(model));
}

qint64 plannerStreamingCacheTokens(const ModelSpec& model, const PlannerResources& resources) {
  const qint64 cache =
      static_cast<qint64>(std::floor(double(trainedOf(model)) * resources.defaults.streamingCacheVsTrained));
  return std::max<qint64>(cache, resources.defaults.streamingSinkTokens + 1);
}

std::vector<MitigationEstimate> estimateMitigationCurve(const ModelSpec& model, Mitigation mitigation,
                                                        qint64 designContextTokens,
                                                        const std::vector<qint64>& contexts,
                                                        const PlannerResources& resources,
                                                        const ReferenceSet& references, Runtime runtime) {
  MitigationScenario scenario;
  scenario.factor = plannerMitigationFactor(model, mitigation, designContextTokens);
  scenario.streamingCacheTokens = plannerStreamingCacheTokens(model, resources);
  scenario.runtime = runtime;
  std::vector<MitigationEstimate> curve;
  curve.reserve(contexts.size());
  for (qint64 context : contexts) {
    scenario.contextTokens = context;
    curve.push_back(estimateMitigation(model, mitigation, scenario, resources, references));
  }
  return curve;
}

}  // namespace sinkscope
