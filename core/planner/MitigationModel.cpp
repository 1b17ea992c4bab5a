#include "planner/MitigationModel.h"

#include "common/Error.h"
#include "common/NumberFormat.h"
#include "planner/Confidence.h"
#include "planner/PublishedCurve.h"
#include "positional/PhaseCoverage.h"
#include "positional/RopeSchedule.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace sinkscope {

namespace {

qint64 trainedOf(const ModelSpec& m) {
  return trainedContextOrMaxPositions(m);
}

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
  if (value >= 1024) return QStringLiteral("%1K").arg(QString::number(value / 1024.0, 'f', 1));
  return QString::number(qint64(std::llround(value)));
}

// One evaluation of the model's equations with one set of knobs (central, optimistic or pessimistic).
struct Knobs {
  double gamma = 0;       // past-reach decay
  double fineTuned = 1;   // retention per doubling, fine-tuned
  double untuned = 1;     // retention per doubling, untuned
  double streaming = 1;   // StreamingLLM retention
  double extension = 1;   // multiplier on the literature's untuned extension (1 central, 0.5 pessimistic)
  double windowOnly = 1;  // retention when a window evicts the sink tokens
};

struct Setting {
  const ModelSpec* model = nullptr;
  Mitigation mitigation = Mitigation::Baseline;
  bool fineTuned = false;
  bool vendorRecipe = false;
  qint64 trained = 0;
  qint64 context = 0;
  qint64 window = 0;      // the all-layer window the runtime honours (0: none)
  qint64 cache = 0;       // StreamingLLM's sinks + window
  qint64 phaseReach = 0;  // from the positional engine (0: not computed)
  double factor = 1;
  double literatureExtension = 1;  // untuned extension (planner.json context_extension)
  // The farthest query-key distance at length `length`.
  qint64 farthestAt(qint64 length) const {
    qint64 farthest = length;
    if (mitigation == Mitigation::Streaming) farthest = std::min(farthest, std::max<qint64>(1, cache));
    if (window > 0) farthest = std::min(farthest, window);
    return farthest;
  }
  bool windowRolledInTraining() const { return window > 0 && window < trained; }
  bool sinkEvictedAt(qint64 length) const {
    return mitigation != Mitigation::Streaming && window > 0 && length > window && window >= trained;
  }
};

qint64 reachFor(const Setting& s, const Knobs& k) {
  const qint64 shipped = shippedScalingContext(*s.model, s.trained);
  if (s.mitigation == Mitigation::Streaming) return s.trained;
  if (s.vendorRecipe) return std::max(s.trained, s.model->longContextRecipe->supportedContext);
  if (s.fineTuned) return s.mitigation == Mitigation::Baseline && !s.model->ropeScaling ? s.trained : shipped;
  if (s.mitigation == Mitigation::Baseline) return s.trained;
  const double extension = std::max(1.0, s.literatureExtension * k.extension);
  if (s.mitigation == Mitigation::Alibi) return qint64(double(s.trained) * extension);
  qint64 reach = qint64(double(s.trained) * std::min(s.factor, extension));
  if (s.phaseReach > 0) reach = std::min(reach, s.phaseReach);
  return std::max(reach, s.trained);
}

// Quality retention at `length` per the generic equations (docs/mitigations.md, "Equations").
double qualityAt(const Setting& s, const Knobs& k, qint64 length) {
  if (s.mitigation == Mitigation::Streaming) return k.streaming;
  const qint64 reach = reachFor(s, k);
  const qint64 farthest = s.farthestAt(length);
  const bool tuned = s.fineTuned || s.vendorRecipe;
  const double perDoubling = tuned ? k.fineTuned : (s.mitigation == Mitigation::Baseline ? 1.0 : k.untuned);
  const double inReach = double(std::min(farthest, reach));
  double quality = std::pow(perDoubling, std::log2(std::max(1.0, inReach / double(s.trained))));
  if (farthest > reach && s.mitigation != Mitigation::Alibi) {  // ALiBi's bias silences far keys instead
    const double x = double(farthest) / double(reach);
    quality *= std::exp(-k.gamma * (x - 1) * (x - 1));
  }
  // A window that rolled in training: distances stay in distribution, only the length is new.
  if (s.windowRolledInTraining() && length > s.trained)
    quality *= std::pow(k.fineTuned, std::log2(double(length) / double(s.trained)));
  if (s.sinkEvictedAt(length)) quality *= k.windowOnly;
  return quality;
}

// The longest length in [1, limit] up to which quality(length) stays at or above threshold
// (the first crossing, found on a 1/32-doubling grid and refined by bisection).
qint64 worksUpTo(const std::function<double(qint64)>& quality, qint64 limit, double threshold) {
  if (limit <= 1) return quality(1) >= threshold ? limit : 0;
  qint64 previous = 0;
  for (double exponent = 0;; exponent += 1.0 / 32.0) {
    const qint64 length =
        std::min(limit, std::max<qint64>(previous + 1, qint64(std::llround(std::exp2(exponent)))));
    if (quality(length) < threshold) {
      qint64 good = previous;
      qint64 bad = length;
      while (bad - good > std::max<qint64>(1, good / 512)) {
        const qint64 middle = good + (bad - good) / 2;
        (quality(middle) >= threshold ? good : bad) = middle;
      }
      return good;
    }
    if (length >= limit) return limit;
    previous = length;
  }
}

Knobs centralKnobs(const ReferenceSet& r) {
  return {r.pastReachDecay.central,
          r.fineTunedRetention.central,
          r.untunedRetention.central,
          r.streamingRetention.central,
          1.0,
          r.windowOnlyRetention.central};
}
Knobs optimisticKnobs(const ReferenceSet& r) {
  return {r.pastReachDecay.low,
          r.fineTunedRetention.high,
          r.untunedRetention.high,
          r.streamingRetention.high,
          1.0,
          r.windowOnlyRetention.high};
}
Knobs pessimisticKnobs(const ReferenceSet& r) {
  return {r.pastReachDecay.high,
          r.fineTunedRetention.low,
          r.untunedRetention.low,
          r.streamingRetention.low,
          0.5,
          r.windowOnlyRetention.low};
}

// The mitigation as the reference points name the setting: a shipped scaling by its own name.
QString settingName(const Setting& s) {
  if (s.fineTuned && s.model->ropeScaling) {
    const QString type = s.model->ropeScaling->type.toLower();
    if (type == QLatin1String("su")) return QStringLiteral("longrope");
    if (type == QLatin1String("dynamic")) return QStringLiteral("dynamic-ntk");
    return type;
  }
  return mitigationName(s.mitigation);
}

bool windowCompatible(const ReferencePoint& point, const Setting& s) {
  if (point.runtimeWindow.isEmpty() || allLayerWindow(*s.model) <= 0) return true;
  return (point.runtimeWindow == QLatin1String("enforced")) == (s.window > 0);
}

// Reference ids that speak for this setting: points about the same model and setting (or its
// family's series), points about the same mitigation on models outside the catalogue, plus the
// points behind each derived parameter the estimate used.
QStringList anchorsFor(const Setting& s, const Knobs& central, const ReferenceSet& references) {
  QStringList ids;
  const ModelSpec& model = *s.model;
  const QString name = mitigationName(s.mitigation);
  const QString setting = settingName(s);
  auto add = [&](const QStringList& more) {
    for (const QString& id : more)
      if (!ids.contains(id)) ids << id;
  };
  for (const ReferencePoint& point : references.points) {
    const bool aboutModel = point.modelId == model.id || point.borrowedFor.contains(model.id);
    if (aboutModel) {
      const bool rollingEvidence =
          s.windowRolledInTraining() && (point.runtimeWindow == QLatin1String("enforced") ||
                                         point.mitigation == QLatin1String("streaming"));
      if ((point.mitigation == setting && windowCompatible(point, s)) || rollingEvidence) add({point.id});
      continue;
    }
    if (!point.modelId.isEmpty() && point.metric != QLatin1String("ruler_effective_length")) continue;
    bool sameMitigation = point.mitigation == name || (s.mitigation == Mitigation::DynamicNtk &&
                                                       point.mitigation == QLatin1String("ntk"));
    if (s.mitigation == Mitigation::Baseline) sameMitigation = s.fineTuned && point.mitigation == setting;
    if (sameMitigation) add({point.id});
  }
  const qint64 farthest = s.farthestAt(s.context);
  const qint64 reach = reachFor(s, central);
  if (s.mitigation == Mitigation::Streaming) add(references.streamingRetention.anchors);
  if (farthest > reach && s.mitigation != Mitigation::Streaming && s.mitigation != Mitigation::Alibi)
    add(references.pastReachDecay.anchors);
  if (s.sinkEvictedAt(s.context)) add(references.windowOnlyRetention.anchors);
  const bool pastTrained =
      std::min(farthest, reach) > s.trained || (s.windowRolledInTraining() && s.context > s.trained);
  if (pastTrained && (s.fineTuned || s.vendorRecipe || s.windowRolledInTraining()))
    add(references.fineTunedRetention.anchors);
  if (pastTrained && !s.fineTuned && !s.vendorRecipe && s.mitigation != Mitigation::Baseline &&
      s.mitigation != Mitigation::Streaming)
    add(references.untunedRetention.anchors);
  return ids;
}

// Points that measure quality against length (claims and training losses support a verdict but
// do not span lengths).
bool spansLengths(const ReferencePoint& point) {
  return point.metric != QLatin1String("claim") && point.metric != QLatin1String("training_loss");
}

double extrapolationDoublings(const QStringList& anchors, qint64 context, qint64 trained,
                              const ReferenceSet& references) {
  double best = 1e9;
  const double ratio = double(context) / double(trained);
  for (const QString& id : anchors) {
    const ReferencePoint* point = references.find(id);
    if (!point || point->trainedContext <= 0 || !spansLengths(*point)) continue;
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
    if (point.metric == QLatin1String("ruler_effective_length") && !point.modelId.isEmpty() &&
        point.modelId == model.id)
      return qint64(std::min(effective, point.values.front().value));
  constexpr double kRulerShortest = 4096;  // RULER's shortest length, where the threshold is set
  if (effective <= kRulerShortest) return qint64(effective);
  return qint64(std::max(kRulerShortest, effective * references.rulerStrictness.central));
}

QString fineTuningCostFor(Mitigation mitigation) {
  switch (mitigation) {
    case Mitigation::Linear:
      return QStringLiteral("PI: up to 1000 fine-tuning steps at the target length (Chen et al. 2023)");
    case Mitigation::Ntk:
    case Mitigation::DynamicNtk:
      return QStringLiteral("about 1B tokens at the target length (YaRN table, NTK theta 20k)");
    case Mitigation::Yarn:
      return QStringLiteral("about 400M tokens (YaRN table, s=2); YaRN-7B s=16/32 are published fine-tunes");
    case Mitigation::Llama3:
      return QStringLiteral("continued pre-training: Llama 3.1 used about 800B tokens for 8K to 128K");
    case Mitigation::LongRope:
      return QStringLiteral("a factor search plus fine-tuning (Ding et al. 2024)");
    default:
      return QString();
  }
}

VerdictKind verdictFor(double quality, const VerdictThresholds& t) {
  if (quality >= t.worksQuality) return VerdictKind::Works;
  if (quality < t.collapseQuality) return VerdictKind::Collapses;
  return VerdictKind::Degraded;
}

// "Llama-3.1-8B-Instruct: ruler_score 77 at 128K (ruler-llama-3.1-8b-scores)": the published value
// of `point` nearest to `context`.
QString describePoint(const ReferencePoint& point, qint64 context) {
  const ReferenceValue* nearest = &point.values.front();
  for (const ReferenceValue& value : point.values) {
    const qint64 at = value.contextTokens > 0 ? value.contextTokens : qint64(value.value);
    const qint64 best = nearest->contextTokens > 0 ? nearest->contextTokens : qint64(nearest->value);
    if (std::abs(std::log(double(std::max<qint64>(1, at)) / double(context))) <
        std::abs(std::log(double(std::max<qint64>(1, best)) / double(context))))
      nearest = &value;
  }
  const QString at = nearest->contextTokens > 0
                         ? QStringLiteral(" at %1").arg(tokens(double(nearest->contextTokens)))
                         : QString();
  return QStringLiteral("%1: %2 %3%4%5 (%6)")
      .arg(point.model, point.metric, nearest->lowerBound ? QStringLiteral(">") : QString(),
           QString::number(nearest->value, 'g', 4), at, point.id);
}

// The point a verdict rests on: the model's own series, else its own points, else the first anchor.
const ReferencePoint* basisPoint(const MitigationEstimate& e, const ModelSpec& model,
                                 const ReferenceSet& references) {
  if (!e.series.isEmpty()) return references.find(e.series);
  for (const QString& id : e.anchors)
    if (const ReferencePoint* point = references.find(id);
        point && point->modelId == model.id && spansLengths(*point))
      return point;
  for (const QString& id : e.anchors)
    if (const ReferencePoint* point = references.find(id); point && spansLengths(*point)) return point;
  return e.anchors.isEmpty() ? nullptr : references.find(e.anchors.front());
}

Verdict makeVerdict(const MitigationEstimate& e, qint64 context, const ModelSpec& model,
                    const ReferenceSet& references, const VerdictThresholds& thresholds) {
  Verdict v;
  v.contextTokens = context;
  if (!e.applicable) {
    v.text = QStringLiteral("at %1: unknown (this setting cannot be estimated for %2)")
                 .arg(tokens(double(context)), model.id);
    return v;
  }
  v.kind = verdictFor(e.qualityRetention.central, thresholds);
  v.quality = e.qualityRetention;
  v.extrapolated = e.extrapolationDoublings > 0.05;
  if (const ReferencePoint* point = basisPoint(e, model, references)) {
    v.basisId = point->id;
    v.basis = describePoint(*point, context);
  }
  v.text = QStringLiteral("at %1: %2 (quality ≈ %3, band %4–%5)")
               .arg(tokens(double(context)), verdictName(v.kind), percentText(v.quality.central),
                    percentText(v.quality.low), percentText(v.quality.high));
  v.text += v.basis.isEmpty() ? QStringLiteral("; no published point covers it")
                              : QStringLiteral("; rests on ") + v.basis;
  if (v.extrapolated)
    v.text += QStringLiteral("; extrapolates %1 doublings past the published points")
                  .arg(QString::number(e.extrapolationDoublings, 'f', 1));
  return v;
}

QString explain(const Setting& s, const MitigationEstimate& e, const ReferenceSet& references) {
  QStringList parts;
  if (!e.applicable)
    return QStringLiteral(
               "longrope needs per-dimension factors found by a search for this model (Ding et al. 2024); "
               "%1 ships none, so SinkScope cannot estimate it")
        .arg(s.model->id);
  const qint64 farthest = s.farthestAt(s.context);
  if (s.mitigation == Mitigation::Streaming) {
    parts
        << QStringLiteral(
               "StreamingLLM keeps 4 sink tokens plus a window, %1 tokens in all: positions stay inside the "
               "trained range at any stream length, but nothing older than the cache can be recalled "
               "(retrieval 61.6 % at 2300 tokens back, 0 at 4600 with a 4096 cache)")
               .arg(farthest);
  } else if (s.vendorRecipe) {
    parts << QStringLiteral("the vendor's documented recipe (%1 ×%2 from %3, supported to %4): %5")
                 .arg(mitigationName(s.mitigation), QString::number(s.factor, 'g', 3),
                      tokens(double(s.model->longContextRecipe->originalContext)),
                      tokens(double(s.model->longContextRecipe->supportedContext)),
                      s.model->longContextRecipe->source);
  } else if (s.fineTuned) {
    parts << QStringLiteral("%1 was trained with its own scaling up to %2 tokens")
                 .arg(s.model->id, tokens(double(e.reachTokens)));
  } else if (s.mitigation == Mitigation::Baseline) {
    parts << QStringLiteral("without scaling the model handles relative distances up to its trained %1")
                 .arg(tokens(double(s.trained)));
  } else {
    parts << QStringLiteral(
                 "%1 ×%2 applied without fine-tuning reaches about %3 (the smaller of the factor, the %4× "
                 "the literature reports untuned, and where the positional engine finds no unseen angles)")
                 .arg(mitigationName(s.mitigation), QString::number(s.factor, 'g', 3),
                      tokens(double(e.reachTokens)), QString::number(s.literatureExtension, 'g', 3));
  }
  if (s.windowRolledInTraining() && s.mitigation != Mitigation::Streaming)
    parts << QStringLiteral(
                 "the runtime honours its %1-token sliding window, which already rolled in training at %2: "
                 "no distance leaves the trained range, the first tokens leaving the window is what it was "
                 "trained on (not StreamingLLM's window-only collapse, measured on full-attention models); "
                 "nothing older than the window is attended directly")
                 .arg(s.window)
                 .arg(tokens(double(s.trained)));
  else if (e.series.isEmpty() && farthest > e.reachTokens && s.mitigation != Mitigation::Streaming &&
           s.mitigation != Mitigation::Alibi)
    parts << QStringLiteral(
                 "at %1 the farthest distance is %2, %3× that reach: past it perplexity collapses "
                 "(YaRN's fine-tuned s=2 models lose about half their quality 25 % past their reach, "
                 "Together-7B-32K exceeds perplexity 100 at 2×)")
                 .arg(tokens(double(s.context)), tokens(double(farthest)),
                      QString::number(double(farthest) / double(e.reachTokens), 'f', 2));
  if (s.sinkEvictedAt(s.context))
    parts
        << QStringLiteral(
               "its %1-token sliding window drops the first tokens past %1, which training at %2 never did: "
               "StreamingLLM measured this window-only case at perplexity 5158 against 5.40 with 4 sinks")
               .arg(s.window)
               .arg(s.trained);
  if (!e.series.isEmpty())
    parts << QStringLiteral("read from %1 series %2")
                 .arg(e.borrowedSeries ? QStringLiteral("its family's published")
                                       : QStringLiteral("its own published"),
                      e.series);
  parts << QStringLiteral("effective ≈ %1 (band %2–%3); %4")
               .arg(tokens(e.effectiveContext.central), tokens(e.effectiveContext.low),
                    tokens(e.effectiveContext.high), e.verdict.text);
  const QString name = mitigationName(s.mitigation);
  for (const ReferencePoint& point :
       references.points)  // a measurement of this very checkpoint outranks the model
    if (point.modelId == s.model->id && point.mitigation == name &&
        point.metric == QLatin1String("perplexity") && point.curve == CurveKind::None &&
        point.values.size() >= 2 && point.values.back().value > 0 &&
        point.source.startsWith(QLatin1String("SinkScope measured mode")))
      parts << QStringLiteral(
                   "measured on this checkpoint (%1): quality %2 at %3 tokens against %4 — prefer the "
                   "measurement, the modelled figures are calibrated on 7B models")
                   .arg(point.id, percentText(point.values.front().value / point.values.back().value),
                        tokens(double(point.values.back().contextTokens)),
                        tokens(double(point.values.front().contextTokens)));
  return parts.join(QStringLiteral("; ")) + QLatin1Char('.');
}

Band bandOf(double central, double a, double b) {
  return {central, std::min({central, a, b}), std::max({central, a, b})};
}

// Effective context and quality from the equations (three knob sets), or from a published series.
void estimateQuality(const Setting& s, const ReferencePoint* series, const ReferenceSet& references,
                     const VerdictThresholds& thresholds, MitigationEstimate& e) {
  const Knobs knobs[3] = {centralKnobs(references), optimisticKnobs(references),
                          pessimisticKnobs(references)};
  const BandEdge edges[3] = {BandEdge::Central, BandEdge::High, BandEdge::Low};
  double quality[3];
  double effective[3];
  const qint64 recall = s.mitigation == Mitigation::Alibi
                            ? std::min(s.farthestAt(s.context), reachFor(s, knobs[0]))
                            : s.farthestAt(s.context);
  for (int i = 0; i < 3; ++i) {
    std::function<double(qint64)> at;
    if (series) {
      at = [&, edge = edges[i]](qint64 length) {
        const Band band = readCurve(*series, length).quality;
        return edge == BandEdge::Central ? band.central : edge == BandEdge::Low ? band.low : band.high;
      };
    } else {
      at = [&, k = knobs[i]](qint64 length) { return qualityAt(s, k, length); };
    }
    quality[i] = at(s.context);
    effective[i] = double(std::min(recall, worksUpTo(at, s.context, thresholds.worksQuality)));
  }
  e.qualityRetention = bandOf(quality[0], quality[1], quality[2]);
  e.effectiveContext = bandOf(effective[0], effective[1], effective[2]);
  if (series) {
    const CurveReading reading = readCurve(*series, s.context);
    e.extrapolationDoublings =
        reading.extrapolated ? std::log2(double(s.context) / double(series->values.back().contextTokens))
                             : 0.0;
  }
}

}  // namespace

QString verdictName(VerdictKind kind) {
  switch (kind) {
    case VerdictKind::Works:
      return QStringLiteral("works");
    case VerdictKind::Degraded:
      return QStringLiteral("degraded");
    case VerdictKind::Collapses:
      return QStringLiteral("collapses");
    case VerdictKind::Unknown:
      return QStringLiteral("unknown");
  }
  return QString();
}

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

// How far past the model's own rolling-window evidence (same-model points with the window
// enforced, or StreamingLLM's rolling cache) the length lies, in doublings.
double rollingWindowExtrapolation(const ModelSpec& model, qint64 context, const ReferenceSet& references) {
  qint64 longest = 0;
  for (const ReferencePoint& point : references.points)
    if (point.modelId == model.id && spansLengths(point) &&
        (point.runtimeWindow == QLatin1String("enforced") || point.mitigation == QLatin1String("streaming")))
      for (const ReferenceValue& value : point.values) longest = std::max(longest, value.contextTokens);
  if (longest <= 0)
    return std::log2(std::max(1.0, double(context) / double(std::max<qint64>(1, trainedOf(model)))));
  return context > longest ? std::log2(double(context) / double(longest)) : 0.0;
}

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
    e.verdict = makeVerdict(e, s.context, model, references, resources.verdict);
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
  estimateQuality(s, series, references, resources.verdict, e);
  e.effectiveContextStrict = strictEffective(model, e.effectiveContext.central, references);
  e.anchors = anchorsFor(s, centralKnobs(references), references);
  if (series && !e.anchors.contains(series->id)) e.anchors.prepend(series->id);
  if (!series) e.extrapolationDoublings = extrapolationDoublings(e.anchors, s.context, s.trained, references);
  if (!series && s.windowRolledInTraining() && s.context > s.trained)
    e.extrapolationDoublings = rollingWindowExtrapolation(model, s.context, references);
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
  e.verdict = makeVerdict(e, s.context, model, references, resources.verdict);
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
                  tokens(alternative.effectiveContext.central), alternative.verdict.text);
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
