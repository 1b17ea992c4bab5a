#include "planner/MitigationModel.h"

#include "common/Error.h"
#include "planner/Confidence.h"
#include "positional/PhaseCoverage.h"
#include "positional/RopeSchedule.h"

#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

qint64 trainedOf(const ModelSpec& m) { return trainedContextOrMaxPositions(m); }

// Every caching layer keeps a sliding window: the farthest distance any query sees is the window.
qint64 allLayerWindow(const ModelSpec& m) {
  if (m.slidingWindow <= 0) return 0;
  for (int layer = 0; layer < m.layers; ++layer)
    if (m.layerType(layer) == LayerAttention::Full) return 0;
  return m.slidingWindow;
}

QString tokens(double value) {
  if (value >= 1024 && std::fmod(value, 1024.0) == 0) return QStringLiteral("%1K").arg(qint64(value) / 1024);
  if (value >= 10240) return QStringLiteral("%1K").arg(QString::number(value / 1024.0, 'f', 0));
  return QString::number(qint64(std::llround(value)));
}

QString percent(double share) { return QString::number(100.0 * share, 'f', share < 0.1 ? 1 : 0) + QStringLiteral(" %"); }

// One evaluation of the model's equations with one set of knobs (central, optimistic or pessimistic).
struct Knobs {
  double gamma = 0;         // past-reach decay
  double fineTuned = 1;     // retention per doubling, fine-tuned
  double untuned = 1;       // retention per doubling, untuned
  double streaming = 1;     // StreamingLLM retention
  double extension = 1;     // multiplier on the literature's untuned extension (1 central, 0.5 pessimistic)
  double windowOnly = 1;    // retention when a window evicts the sink tokens
};

struct Outcome {
  double effective = 0;
  double quality = 0;
  qint64 reach = 0;
};

struct Setting {
  const ModelSpec* model = nullptr;
  Mitigation mitigation = Mitigation::Baseline;
  bool fineTuned = false;
  qint64 trained = 0;
  qint64 context = 0;
  qint64 farthest = 0;      // farthest query-key distance
  qint64 phaseReach = 0;    // from the positional engine (0: not computed)
  double factor = 1;
  double literatureExtension = 1;  // untuned extension (planner.json context_extension)
  bool sinkEvicted = false;
};

qint64 reachFor(const Setting& s, const Knobs& k) {
  const qint64 shipped = std::max(s.trained, s.model->maxPositionEmbeddings);
  if (s.mitigation == Mitigation::Streaming) return s.trained;
  if (s.fineTuned) return s.mitigation == Mitigation::Baseline && !s.model->ropeScaling ? s.trained : shipped;
  if (s.mitigation == Mitigation::Baseline) return s.trained;
  const double extension = std::max(1.0, s.literatureExtension * k.extension);
  if (s.mitigation == Mitigation::Alibi) return qint64(double(s.trained) * extension);
  qint64 reach = qint64(double(s.trained) * std::min(s.factor, extension));
  if (s.phaseReach > 0) reach = std::min(reach, s.phaseReach);
  return std::max(reach, s.trained);
}

Outcome evaluate(const Setting& s, const Knobs& k) {
  Outcome o;
  o.reach = reachFor(s, k);
  if (s.mitigation == Mitigation::Streaming) {
    o.effective = double(s.farthest);
    o.quality = k.streaming;
    return o;
  }
  const double perDoubling = s.fineTuned ? k.fineTuned : (s.mitigation == Mitigation::Baseline ? 1.0 : k.untuned);
  const double inReach = double(std::min(s.farthest, o.reach));
  o.quality = std::pow(perDoubling, std::log2(std::max(1.0, inReach / double(s.trained))));
  o.effective = inReach;
  if (s.farthest > o.reach && s.mitigation != Mitigation::Alibi) {  // ALiBi's bias silences far keys instead
    const double x = double(s.farthest) / double(o.reach);
    const double decay = std::exp(-k.gamma * (x - 1) * (x - 1));
    o.quality *= decay;
    o.effective *= decay;
  }
  if (s.sinkEvicted) {
    o.quality *= k.windowOnly;
    o.effective *= k.windowOnly;
  }
  return o;
}

Knobs centralKnobs(const ReferenceSet& r) {
  return {r.pastReachDecay.central, r.fineTunedRetention.central, r.untunedRetention.central, r.streamingRetention.central,
          1.0, r.windowOnlyRetention.central};
}
Knobs optimisticKnobs(const ReferenceSet& r) {
  return {r.pastReachDecay.low, r.fineTunedRetention.high, r.untunedRetention.high, r.streamingRetention.high, 1.0,
          r.windowOnlyRetention.high};
}
Knobs pessimisticKnobs(const ReferenceSet& r) {
  return {r.pastReachDecay.high, r.fineTunedRetention.low, r.untunedRetention.low, r.streamingRetention.low, 0.5,
          r.windowOnlyRetention.low};
}

// Reference ids that speak for this mitigation: points about the same model or mitigation, plus
// the points behind each derived parameter the estimate used.
QStringList anchorsFor(const Setting& s, const Outcome& central, const ReferenceSet& references) {
  QStringList ids;
  const ModelSpec& model = *s.model;
  const QString name = mitigationName(s.mitigation);
  const QString shipped = model.ropeScaling ? model.ropeScaling->type.toLower() : QString();
  auto add = [&](const QStringList& more) {
    for (const QString& id : more)
      if (!ids.contains(id)) ids << id;
  };
  for (const ReferencePoint& point : references.points) {
    const bool sameModel = !point.modelId.isEmpty() && point.modelId == model.id;
    const bool otherCatalogueModel = !point.modelId.isEmpty() && !sameModel && point.metric != QLatin1String("ruler_effective_length");
    bool sameMitigation = point.mitigation == name ||
                          (s.mitigation == Mitigation::DynamicNtk && point.mitigation == QLatin1String("ntk"));
    if (s.mitigation == Mitigation::Baseline) sameMitigation = s.fineTuned && !shipped.isEmpty() && point.mitigation == shipped;
    if (sameModel || (sameMitigation && !otherCatalogueModel)) add({point.id});
  }
  if (s.mitigation == Mitigation::Streaming) add(references.streamingRetention.anchors);
  if (s.farthest > central.reach && s.mitigation != Mitigation::Streaming && s.mitigation != Mitigation::Alibi)
    add(references.pastReachDecay.anchors);
  if (s.sinkEvicted) add(references.windowOnlyRetention.anchors);
  const bool pastTrained = std::min(s.farthest, central.reach) > s.trained;
  if (pastTrained && s.fineTuned) add(references.fineTunedRetention.anchors);
  if (pastTrained && !s.fineTuned && s.mitigation != Mitigation::Baseline && s.mitigation != Mitigation::Streaming)
    add(references.untunedRetention.anchors);
  return ids;
}

double extrapolationDoublings(const QStringList& anchors, qint64 context, qint64 trained, const ReferenceSet& references) {
  double best = 1e9;
  const double ratio = double(context) / double(trained);
  for (const QString& id : anchors) {
    const ReferencePoint* point = references.find(id);
    if (!point || point->trainedContext <= 0) continue;
    const double low = point->ratioLow();
    const double high = std::max(low, point->ratioHigh());
    double distance = 0;
    if (ratio < low) distance = std::log2(low / ratio);
    if (ratio > high) distance = std::log2(ratio / high);
    best = std::min(best, distance);
  }
  return best >= 1e9 ? std::log2(std::max(1.0, ratio)) : best;
}

qint64 strictEffective(const ModelSpec& model, double effective, const ReferenceSet& references) {
  for (const ReferencePoint& point : references.points)
    if (point.metric == QLatin1String("ruler_effective_length") && !point.modelId.isEmpty() && point.modelId == model.id)
      return qint64(std::min(effective, point.values.front().value));
  constexpr double kRulerShortest = 4096;  // RULER's shortest length, where the threshold is set
  if (effective <= kRulerShortest) return qint64(effective);
  return qint64(std::max(kRulerShortest, effective * references.rulerStrictness.central));
}

QString fineTuningCostFor(Mitigation mitigation) {
  switch (mitigation) {
    case Mitigation::Linear: return QStringLiteral("PI: up to 1000 fine-tuning steps at the target length (Chen et al. 2023)");
    case Mitigation::Ntk:
    case Mitigation::DynamicNtk: return QStringLiteral("about 1B tokens at the target length (YaRN table, NTK theta 20k)");
    case Mitigation::Yarn: return QStringLiteral("about 400M tokens (YaRN table, s=2); YaRN-7B s=16/32 are published fine-tunes");
    case Mitigation::Llama3: return QStringLiteral("continued pre-training: Llama 3.1 used about 800B tokens for 8K to 128K");
    case Mitigation::LongRope: return QStringLiteral("a factor search plus fine-tuning (Ding et al. 2024)");
    default: return QString();
  }
}

QString explain(const Setting& s, const MitigationEstimate& e, const ReferenceSet& references) {
  QStringList parts;
  const QString name = mitigationName(s.mitigation);
  if (!e.applicable)
    return QStringLiteral("longrope needs per-dimension factors found by a search for this model (Ding et al. 2024); "
                          "%1 ships none, so SinkScope cannot estimate it").arg(s.model->id);
  if (s.mitigation == Mitigation::Streaming) {
    parts << QStringLiteral("StreamingLLM keeps 4 sink tokens plus a window, %1 tokens in all: positions stay inside the "
                            "trained range at any stream length, but nothing older than the cache can be recalled "
                            "(retrieval 61.6 % at 2300 tokens back, 0 at 4600 with a 4096 cache)").arg(s.farthest);
  } else if (s.fineTuned) {
    parts << QStringLiteral("%1 was trained with its own scaling up to %2 tokens").arg(s.model->id, tokens(double(e.reachTokens)));
  } else if (s.mitigation == Mitigation::Baseline) {
    parts << QStringLiteral("without scaling the model handles relative distances up to its trained %1").arg(tokens(double(s.trained)));
  } else {
    parts << QStringLiteral("%1 ×%2 applied without fine-tuning reaches about %3 (the smaller of the factor, the %4× "
                            "the literature reports untuned, and where the positional engine finds no unseen angles)")
                 .arg(name, QString::number(s.factor, 'g', 3), tokens(double(e.reachTokens)),
                      QString::number(s.literatureExtension, 'g', 3));
  }
  if (s.farthest > e.reachTokens && s.mitigation != Mitigation::Streaming && s.mitigation != Mitigation::Alibi)
    parts << QStringLiteral("at %1 the farthest distance is %2, %3× that reach: past it perplexity collapses "
                            "(YaRN's fine-tuned s=2 models lose about half their quality 25 % past their reach, "
                            "Together-7B-32K exceeds perplexity 100 at 2×)")
                 .arg(tokens(double(s.context)), tokens(double(s.farthest)),
                      QString::number(double(s.farthest) / double(e.reachTokens), 'f', 2));
  if (s.sinkEvicted)
    parts << QStringLiteral("its %1-token sliding window drops the first tokens past %1, which training at %2 never did: "
                            "StreamingLLM measured this window-only case at perplexity 5158 against 5.40 with 4 sinks")
                 .arg(s.farthest).arg(s.trained);
  parts << QStringLiteral("effective ≈ %1 (band %2–%3), quality ≈ %4 (band %5–%6)")
               .arg(tokens(e.effectiveContext.central), tokens(e.effectiveContext.low), tokens(e.effectiveContext.high),
                    percent(e.qualityRetention.central), percent(e.qualityRetention.low), percent(e.qualityRetention.high));
  if (!e.anchors.isEmpty())
    parts << QStringLiteral("carried by %1; %2").arg(e.anchors.join(QStringLiteral(", ")),
                                                     e.extrapolationDoublings > 0.05
                                                         ? QStringLiteral("extrapolates %1 doublings beyond them")
                                                               .arg(QString::number(e.extrapolationDoublings, 'f', 1))
                                                         : QStringLiteral("within their span"));
  else
    parts << QStringLiteral("no quantitative reference point covers it");
  for (const ReferencePoint& point : references.points)  // a measurement of this very checkpoint outranks the model
    if (point.modelId == s.model->id && point.mitigation == name && point.metric == QLatin1String("perplexity") &&
        point.values.size() >= 2 && point.values.back().value > 0)
      parts << QStringLiteral("measured on this checkpoint (%1): quality %2 at %3 tokens against %4 — prefer the "
                              "measurement, the modelled figures are calibrated on 7B models")
                   .arg(point.id, percent(point.values.front().value / point.values.back().value),
                        tokens(double(point.values.back().contextTokens)), tokens(double(point.values.front().contextTokens)));
  return parts.join(QStringLiteral("; ")) + QLatin1Char('.');
}

}  // namespace

qint64 phaseCoverageReach(const ModelSpec& model, Mitigation mitigation, double factor, qint64 trainedContext) {
  if (!model.usesRope || trainedContext <= 0) return 0;
  try {
    const RopeParameters own = ropeParametersFor(model);
    const RopeParameters used = mitigation == Mitigation::Baseline ? own : withMitigation(own, mitigation, factor);
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
  } catch (const Error&) {
    return 0;
  }
}

MitigationEstimate estimateMitigation(const ModelSpec& model, Mitigation mitigation, const MitigationScenario& scenario,
                                      const PlannerResources& resources, const ReferenceSet& references) {
  MitigationEstimate e;
  e.mitigation = mitigation;
  e.factor = scenario.factor;
  Setting s;
  s.model = &model;
  s.mitigation = mitigation;
  s.trained = std::max<qint64>(1, trainedOf(model));
  s.context = scenario.contextTokens;
  s.factor = std::max(1.0, scenario.factor);
  s.fineTuned = shipsWithMitigation(model, mitigation) || (mitigation == Mitigation::Baseline && model.ropeScaling &&
                                                           !model.ropeScaling->type.isEmpty());
  const auto extension = resources.contextExtension.find(mitigation);
  s.literatureExtension = extension != resources.contextExtension.end() ? extension->second : 1.0;
  const qint64 window = scenario.windowEnforced ? allLayerWindow(model) : 0;
  s.farthest = s.context;
  if (mitigation == Mitigation::Streaming) s.farthest = std::min(s.context, std::max<qint64>(1, scenario.streamingCacheTokens));
  if (window > 0) s.farthest = std::min(s.farthest, window);
  s.sinkEvicted = mitigation != Mitigation::Streaming && window > 0 && s.context > window && window >= s.trained;
  const bool runtimeRope = model.usesRope && !s.fineTuned && mitigation != Mitigation::Baseline &&
                           mitigation != Mitigation::Streaming && mitigation != Mitigation::Alibi;
  if (runtimeRope) {
    s.phaseReach = phaseCoverageReach(model, mitigation, s.factor, s.trained);
    if (s.phaseReach == 0) e.applicable = false;
  }
  e.fineTuned = s.fineTuned;
  e.sinkEvicted = s.sinkEvicted;
  e.farthestDistanceTokens = s.farthest;
  if (!e.applicable) {
    e.explanation = explain(s, e, references);
    return e;
  }
  const Outcome central = evaluate(s, centralKnobs(references));
  const Outcome optimistic = evaluate(s, optimisticKnobs(references));
  const Outcome pessimistic = evaluate(s, pessimisticKnobs(references));
  e.reachTokens = central.reach;
  e.effectiveContext = {central.effective, std::min({central.effective, optimistic.effective, pessimistic.effective}),
                        std::max({central.effective, optimistic.effective, pessimistic.effective})};
  e.qualityRetention = {central.quality, std::min({central.quality, optimistic.quality, pessimistic.quality}),
                        std::max({central.quality, optimistic.quality, pessimistic.quality})};
  e.effectiveContextStrict = strictEffective(model, e.effectiveContext.central, references);
  e.anchors = anchorsFor(s, central, references);
  e.extrapolationDoublings = extrapolationDoublings(e.anchors, s.context, s.trained, references);
  if (runtimeRope && mitigation != Mitigation::LongRope) {
    Setting tuned = s;
    tuned.fineTuned = true;
    tuned.phaseReach = 0;
    ModelSpec extended = model;  // fine-tuned at factor s: reach = trained x s
    extended.maxPositionEmbeddings = qint64(double(s.trained) * s.factor);
    tuned.model = &extended;
    const Outcome c = evaluate(tuned, centralKnobs(references));
    const Outcome o = evaluate(tuned, optimisticKnobs(references));
    const Outcome p = evaluate(tuned, pessimisticKnobs(references));
    e.fineTunedEffectiveContext = Band{c.effective, std::min(c.effective, p.effective), std::max(c.effective, o.effective)};
    e.fineTunedQualityRetention = Band{c.quality, std::min(c.quality, p.quality), std::max(c.quality, o.quality)};
    e.fineTuningCost = fineTuningCostFor(mitigation);
  }
  e.explanation = explain(s, e, references);
  if (window > 0 && mitigation != Mitigation::Streaming) {
    MitigationScenario full = scenario;
    full.windowEnforced = false;
    const MitigationEstimate unwindowed = estimateMitigation(model, mitigation, full, resources, references);
    e.explanation += QStringLiteral(" If the engine ignores the %1-token window (llama.cpp runs Mistral-v0.1-style "
                                    "GGUFs with full attention), this becomes effective ≈ %2, quality ≈ %3.")
                         .arg(window)
                         .arg(tokens(unwindowed.effectiveContext.central), percent(unwindowed.qualityRetention.central));
  }
  return e;
}

double plannerMitigationFactor(const ModelSpec& model, Mitigation mitigation, qint64 designContextTokens) {
  const double shipped = model.ropeScaling ? std::max(1.0, model.ropeScaling->factor) : 1.0;
  if (mitigation == Mitigation::Baseline || shipsWithMitigation(model, mitigation)) return shipped;
  if (mitigation == Mitigation::Streaming || mitigation == Mitigation::Alibi) return 1.0;
  return defaultScalingFactor(designContextTokens, trainedOf(model));
}

qint64 plannerStreamingCacheTokens(const ModelSpec& model, const PlannerResources& resources) {
  const qint64 cache = static_cast<qint64>(std::floor(double(trainedOf(model)) * resources.defaults.streamingCacheVsTrained));
  return std::max<qint64>(cache, resources.defaults.streamingSinkTokens + 1);
}

std::vector<MitigationEstimate> estimateMitigationCurve(const ModelSpec& model, Mitigation mitigation,
                                                        qint64 designContextTokens, const std::vector<qint64>& contexts,
                                                        const PlannerResources& resources,
                                                        const ReferenceSet& references) {
  MitigationScenario scenario;
  scenario.factor = plannerMitigationFactor(model, mitigation, designContextTokens);
  scenario.streamingCacheTokens = plannerStreamingCacheTokens(model, resources);
  std::vector<MitigationEstimate> curve;
  curve.reserve(contexts.size());
  for (qint64 context : contexts) {
    scenario.contextTokens = context;
    curve.push_back(estimateMitigation(model, mitigation, scenario, resources, references));
  }
  return curve;
}

}  // namespace sinkscope
