#include "planner/RetentionModel.h"

#include "planner/Confidence.h"
#include "planner/PublishedCurve.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace sinkscope::retention {

qint64 trainedOf(const ModelSpec& model) {
  return trainedContextOrMaxPositions(model);
}

qint64 allLayerWindow(const ModelSpec& model) {
  if (model.slidingWindow <= 0) return 0;
  for (int layer = 0; layer < model.layers; ++layer)
    if (model.layerType(layer) == LayerAttention::Full) return 0;
  return model.slidingWindow;
}

qint64 Setting::farthestAt(qint64 length) const {
  qint64 farthest = length;
  if (mitigation == Mitigation::Streaming) farthest = std::min(farthest, std::max<qint64>(1, cache));
  if (window > 0) farthest = std::min(farthest, window);
  return farthest;
}

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

namespace {

bool tunedRetention(const Setting& s) {
  return s.fineTuned || s.vendorRecipe;
}

}  // namespace

bool compressesInsideWindow(const Setting& s) {
  return s.window > 0 && s.window <= s.trained && !tunedRetention(s) && s.factor > 1 &&
         s.mitigation != Mitigation::Baseline && s.mitigation != Mitigation::Streaming &&
         s.mitigation != Mitigation::Alibi;
}

namespace {

// Whether the in-reach retention per doubling applies at the length (the reach lies past T).
bool pastTrainedInReach(const Setting& s, qint64 farthest, qint64 reach) {
  return std::min(farthest, reach) > s.trained;
}

bool pastReach(const Setting& s, qint64 farthest, qint64 reach) {
  return farthest > reach && s.mitigation != Mitigation::Alibi && s.mitigation != Mitigation::Streaming;
}

// Quality retention at `length` per the generic equations (docs/mitigations.md, "Equations").
double qualityAt(const Setting& s, const Knobs& k, qint64 length) {
  if (s.mitigation == Mitigation::Streaming) return k.streaming;
  const qint64 reach = reachFor(s, k);
  const qint64 farthest = s.farthestAt(length);
  const double perDoubling =
      tunedRetention(s) ? k.fineTuned : (s.mitigation == Mitigation::Baseline ? 1.0 : k.untuned);
  const double inReach = double(std::min(farthest, reach));
  double doublings = std::log2(std::max(1.0, inReach / double(s.trained)));
  if (compressesInsideWindow(s) && length > s.trained)
    doublings = std::max(doublings, std::log2(std::min(s.factor, double(length) / double(s.trained))));
  double quality = std::pow(perDoubling, doublings);
  if (pastReach(s, farthest, reach)) {  // ALiBi's bias silences far keys instead
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

bool windowCompatible(const ReferencePoint& point, const Setting& s) {
  if (point.runtimeWindow.isEmpty() || allLayerWindow(*s.model) <= 0) return true;
  return (point.runtimeWindow == QLatin1String("enforced")) == (s.window > 0);
}

bool aboutModel(const ReferencePoint& point, const ModelSpec& model) {
  return point.modelId == model.id || point.borrowedFor.contains(model.id);
}

void addUnique(QStringList& ids, const QStringList& more) {
  for (const QString& id : more)
    if (!ids.contains(id)) ids << id;
}

// The parameters' points behind the equations' central quality at s.context, the term that
// shapes it most first (past-reach decay, window terms, then the retention per doubling).
QStringList equationTermAnchors(const Setting& s, const ReferenceSet& references) {
  QStringList ids;
  const qint64 farthest = s.farthestAt(s.context);
  const qint64 reach = reachFor(s, centralKnobs(references));
  if (s.mitigation == Mitigation::Streaming) {
    addUnique(ids, references.streamingRetention.anchors);
    return ids;
  }
  if (pastReach(s, farthest, reach)) addUnique(ids, references.pastReachDecay.anchors);
  if (s.sinkEvictedAt(s.context)) addUnique(ids, references.windowOnlyRetention.anchors);
  if (s.windowRolledInTraining() && s.context > s.trained)
    addUnique(ids, references.fineTunedRetention.anchors);
  if ((pastTrainedInReach(s, farthest, reach) || compressesInsideWindow(s)) &&
      s.mitigation != Mitigation::Baseline)
    addUnique(
        ids, tunedRetention(s) ? references.fineTunedRetention.anchors : references.untunedRetention.anchors);
  if (pastTrainedInReach(s, farthest, reach) && s.mitigation == Mitigation::Baseline && tunedRetention(s))
    addUnique(ids, references.fineTunedRetention.anchors);
  return ids;
}

// The points a figure from the equations may rest on: the model's own points of the same setting
// and state (those spanning lengths first), then the parameters' points of the same setting and state.
std::vector<const ReferencePoint*> basisCandidates(const Setting& s, const QStringList& termAnchors,
                                                   const ReferenceSet& references) {
  std::vector<const ReferencePoint*> spanning, other;
  for (const ReferencePoint& point : references.points)
    if (aboutModel(point, *s.model) && sameSettingAndState(point, s) && !isOwnMeasurement(point))
      (spansLengths(point) ? spanning : other).push_back(&point);
  spanning.insert(spanning.end(), other.begin(), other.end());
  for (const QString& id : termAnchors)
    if (const ReferencePoint* point = references.find(id);
        point && sameSettingAndState(*point, s) &&
        std::find(spanning.begin(), spanning.end(), point) == spanning.end())
      spanning.push_back(point);
  return spanning;
}

}  // namespace

Knobs centralKnobs(const ReferenceSet& r) {
  return {r.pastReachDecay.central,
          r.fineTunedRetention.central,
          r.untunedRetention.central,
          r.streamingRetention.central,
          1.0,
          r.windowOnlyRetention.central};
}

QString settingName(const Setting& s) {
  if (s.fineTuned && s.model->ropeScaling) {
    const QString type = s.model->ropeScaling->type.toLower();
    if (type == QLatin1String("su")) return QStringLiteral("longrope");
    if (type == QLatin1String("dynamic")) return QStringLiteral("dynamic-ntk");
    return type;
  }
  return mitigationName(s.mitigation);
}

bool sameSettingAndState(const ReferencePoint& point, const Setting& s) {
  return point.mitigation == settingName(s) && point.fineTuned == s.fineTuned && windowCompatible(point, s);
}

void estimateQuality(const Setting& s, const ReferencePoint* series, const ReferenceSet& references,
                     const VerdictThresholds& thresholds, MitigationEstimate& e, QualityBasis* basis) {
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
  e.qualityRetention = {quality[0], std::min({quality[0], quality[1], quality[2]}),
                        std::max({quality[0], quality[1], quality[2]})};
  e.effectiveContext = {effective[0], std::min({effective[0], effective[1], effective[2]}),
                        std::max({effective[0], effective[1], effective[2]})};
  if (series) {
    const CurveReading reading = readCurve(*series, s.context);
    e.extrapolationDoublings =
        reading.extrapolated ? std::log2(double(s.context) / double(series->values.back().contextTokens))
                             : 0.0;
  }
  if (!basis) return;
  *basis = QualityBasis{};
  if (series) {
    basis->point = series;
    return;
  }
  const QStringList terms = equationTermAnchors(s, references);
  const std::vector<const ReferencePoint*> candidates = basisCandidates(s, terms, references);
  if (!candidates.empty()) basis->point = candidates.front();
  basis->derivedFrom = terms;
  basis->inDistribution = terms.isEmpty();
}

QStringList anchorsFor(const Setting& s, const Knobs& central, const ReferenceSet& references) {
  QStringList ids;
  const ModelSpec& model = *s.model;
  const QString name = mitigationName(s.mitigation);
  const QString setting = settingName(s);
  for (const ReferencePoint& point : references.points) {
    if (aboutModel(point, model)) {
      const bool rollingEvidence =
          s.windowRolledInTraining() && (point.runtimeWindow == QLatin1String("enforced") ||
                                         point.mitigation == QLatin1String("streaming"));
      if ((point.mitigation == setting && windowCompatible(point, s)) || rollingEvidence)
        addUnique(ids, {point.id});
      continue;
    }
    if (!point.modelId.isEmpty() && point.metric != QLatin1String("ruler_effective_length")) continue;
    bool sameMitigation = point.mitigation == name || (s.mitigation == Mitigation::DynamicNtk &&
                                                       point.mitigation == QLatin1String("ntk"));
    if (s.mitigation == Mitigation::Baseline) sameMitigation = s.fineTuned && point.mitigation == setting;
    if (sameMitigation) addUnique(ids, {point.id});
  }
  const qint64 farthest = s.farthestAt(s.context);
  const qint64 reach = reachFor(s, central);
  if (s.mitigation == Mitigation::Streaming) addUnique(ids, references.streamingRetention.anchors);
  if (pastReach(s, farthest, reach)) addUnique(ids, references.pastReachDecay.anchors);
  if (s.sinkEvictedAt(s.context)) addUnique(ids, references.windowOnlyRetention.anchors);
  const bool pastTrained =
      pastTrainedInReach(s, farthest, reach) || (s.windowRolledInTraining() && s.context > s.trained);
  if (pastTrained && (s.fineTuned || s.vendorRecipe || s.windowRolledInTraining()))
    addUnique(ids, references.fineTunedRetention.anchors);
  if (pastTrained && !s.fineTuned && !s.vendorRecipe && s.mitigation != Mitigation::Baseline &&
      s.mitigation != Mitigation::Streaming)
    addUnique(ids, references.untunedRetention.anchors);
  return ids;
}

bool spansLengths(const ReferencePoint& point) {
  return point.metric != QLatin1String("claim") && point.metric != QLatin1String("training_loss");
}

bool isOwnMeasurement(const ReferencePoint& point) {
  return point.source.startsWith(QLatin1String("SinkScope measured mode"));
}

namespace {

// The longest published stream with a sink + window cache that speaks for this model: the
// method's own runs (no catalogue model) and the model's own.
qint64 longestPublishedStream(const ModelSpec& model, const ReferenceSet& references) {
  qint64 longest = 0;
  for (const ReferencePoint& point : references.points) {
    if (point.mitigation != QLatin1String("streaming") || !spansLengths(point)) continue;
    if (!point.modelId.isEmpty() && point.modelId != model.id) continue;
    for (const ReferenceValue& value : point.values)
      longest = std::max(longest, value.contextTokens > 0 ? value.contextTokens : qint64(value.value));
  }
  return longest;
}

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

double distanceFromSpans(const std::vector<const ReferencePoint*>& points, qint64 context, qint64 trained) {
  double best = 1e9;
  const double ratio = double(context) / double(trained);
  for (const ReferencePoint* point : points) {
    if (point->trainedContext <= 0 || !spansLengths(*point)) continue;
    const double low = point->ratioLow();
    const double high = std::max(low, point->ratioHigh());
    double distance = 0;
    if (ratio < low) distance = std::log2(low / ratio);
    if (ratio > high) distance = std::log2(ratio / high);
    best = std::min(best, distance);
  }
  return best >= 1e9 ? std::log2(std::max(1.0, ratio)) : best;
}

}  // namespace

double extrapolationDoublings(const Setting& s, const ReferenceSet& references) {
  if (s.mitigation == Mitigation::Streaming) {
    const qint64 longest = longestPublishedStream(*s.model, references);
    return longest > 0 && s.context > longest ? std::log2(double(s.context) / double(longest)) : 0.0;
  }
  const QStringList terms = equationTermAnchors(s, references);
  if (s.context <= s.trained && terms.isEmpty()) return 0.0;
  const std::vector<const ReferencePoint*> candidates = basisCandidates(s, terms, references);
  if (candidates.empty()) return std::log2(std::max(1.0, double(s.context) / double(s.trained)));
  if (s.windowRolledInTraining() && s.context > s.trained)
    return rollingWindowExtrapolation(*s.model, s.context, references);
  return distanceFromSpans(candidates, s.context, s.trained);
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

}  // namespace sinkscope::retention
