#include "planner/VerdictText.h"

#include "common/NumberFormat.h"

#include <cmath>

namespace sinkscope {

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

namespace retention {

namespace {

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
                         ? QStringLiteral(" at %1").arg(tokensShort(double(nearest->contextTokens)))
                         : QString();
  const bool length = point.metric == QLatin1String("passkey_context") ||
                      point.metric == QLatin1String("ruler_effective_length") ||
                      point.metric == QLatin1String("stable_stream_length");
  return QStringLiteral("%1: %2 %3%4%5 (%6)")
      .arg(point.model, point.metric, nearest->lowerBound ? QStringLiteral(">") : QString(),
           length ? tokensShort(nearest->value) : QString::number(nearest->value, 'g', 4), at, point.id);
}

// "untuned ntk", "fine-tuned llama3", "baseline (as trained)": the setting and its state.
QString settingAndState(const Setting& s) {
  if (s.mitigation == Mitigation::Baseline && !s.fineTuned) return QStringLiteral("baseline (as trained)");
  return (s.fineTuned ? QStringLiteral("fine-tuned ") : QStringLiteral("untuned ")) + settingName(s);
}

// The basis in words: the point, or what the figure is extrapolated from when no point of the
// same setting and state exists, or why none is needed.
QString basisText(const Setting& s, const QualityBasis& basis, qint64 context) {
  if (basis.point) return describePoint(*basis.point, context);
  if (basis.inDistribution)
    return QStringLiteral("within the trained %1 and the setting's reach: in distribution")
        .arg(tokensShort(double(s.trained)));
  return QStringLiteral("no published point for %1 on %2 at this length; extrapolated from %3")
      .arg(settingAndState(s), s.model->id, basis.derivedFrom.join(QStringLiteral(", ")));
}

}  // namespace

Verdict unknownVerdict(const Setting& s) {
  Verdict v;
  v.contextTokens = s.context;
  v.setting = settingName(s);
  v.fineTuned = s.fineTuned;
  v.text = QStringLiteral("at %1: unknown (this setting cannot be estimated for %2)")
               .arg(tokensShort(double(s.context)), s.model->id);
  return v;
}

Verdict makeVerdict(const MitigationEstimate& e, const Setting& s, const QualityBasis& basis,
                    const ReferenceSet& references, const VerdictThresholds& thresholds) {
  Q_UNUSED(references);
  Verdict v;
  v.contextTokens = s.context;
  v.setting = settingName(s);
  v.fineTuned = s.fineTuned;
  v.kind = verdictFor(e.qualityRetention.central, thresholds);
  v.quality = e.qualityRetention;
  v.extrapolated = e.extrapolationDoublings > 0.05;
  if (basis.point) v.basisId = basis.point->id;
  v.basis = basisText(s, basis, s.context);
  v.text = QStringLiteral("at %1: %2 (quality ≈ %3)")
               .arg(tokensShort(double(s.context)), verdictName(v.kind),
                    bandInSentence(percentText(v.quality.central), percentText(v.quality.low),
                                   percentText(v.quality.high)));
  v.text += basis.point ? QStringLiteral("; rests on ") + v.basis : QStringLiteral("; ") + v.basis;
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
                      tokensShort(double(s.model->longContextRecipe->originalContext)),
                      tokensShort(double(s.model->longContextRecipe->supportedContext)),
                      s.model->longContextRecipe->source);
  } else if (s.fineTuned) {
    parts << QStringLiteral("%1 was trained with its own scaling up to %2 tokens")
                 .arg(s.model->id, tokensShort(double(e.reachTokens)));
  } else if (s.mitigation == Mitigation::Baseline) {
    parts << QStringLiteral("without scaling the model handles relative distances up to its trained %1")
                 .arg(tokensShort(double(s.trained)));
  } else {
    parts << QStringLiteral(
                 "%1 ×%2 applied without fine-tuning reaches about %3 (the smaller of the factor, the %4× "
                 "the literature reports untuned, and where the positional engine finds no unseen angles)")
                 .arg(mitigationName(s.mitigation), QString::number(s.factor, 'g', 3),
                      tokensShort(double(e.reachTokens)), QString::number(s.literatureExtension, 'g', 3));
  }
  if (s.windowRolledInTraining() && s.mitigation != Mitigation::Streaming)
    parts << QStringLiteral(
                 "the runtime honours its %1-token sliding window, which already rolled in training at %2: "
                 "no distance leaves the trained range, the first tokens leaving the window is what it was "
                 "trained on (not StreamingLLM's window-only collapse, measured on full-attention models); "
                 "nothing older than the window is attended directly")
                 .arg(s.window)
                 .arg(tokensShort(double(s.trained)));
  else if (e.series.isEmpty() && farthest > e.reachTokens && s.mitigation != Mitigation::Streaming &&
           s.mitigation != Mitigation::Alibi)
    parts << QStringLiteral(
                 "at %1 the farthest distance is %2, %3× that reach: past it perplexity collapses "
                 "(YaRN's fine-tuned s=2 models lose about half their quality 25 % past their reach, "
                 "Together-7B-32K exceeds perplexity 100 at 2×)")
                 .arg(tokensShort(double(s.context)), tokensShort(double(farthest)),
                      QString::number(double(farthest) / double(e.reachTokens), 'f', 2));
  if (compressesInsideWindow(s) && s.context > s.trained)
    parts << QStringLiteral(
                 "under that window the ×%1 scaling buys nothing and still squeezes positions: it pays the "
                 "untuned retention per doubling of its factor, as it would without the window")
                 .arg(QString::number(s.factor, 'g', 3));
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
  parts << QStringLiteral("effective ≈ %1; %2")
               .arg(bandInSentence(tokensShort(e.effectiveContext.central),
                                   tokensShort(e.effectiveContext.low), tokensShort(e.effectiveContext.high)),
                    e.verdict.text);
  const QString name = mitigationName(s.mitigation);
  for (const ReferencePoint& point :
       references.points)  // a measurement of this very checkpoint outranks the model
    if (point.modelId == s.model->id && point.mitigation == name &&
        point.metric == QLatin1String("perplexity") && point.curve == CurveKind::None &&
        point.values.size() >= 2 && point.values.back().value > 0 && isOwnMeasurement(point))
      parts << QStringLiteral(
                   "measured on this checkpoint (%1): quality %2 at %3 tokens against %4 — prefer the "
                   "measurement, the modelled figures are calibrated on 7B models")
                   .arg(point.id, percentText(point.values.front().value / point.values.back().value),
                        tokensShort(double(point.values.back().contextTokens)),
                        tokensShort(double(point.values.front().contextTokens)));
  return parts.join(QStringLiteral("; ")) + QLatin1Char('.');
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

}  // namespace retention

}  // namespace sinkscope
