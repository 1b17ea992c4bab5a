// The report's table of the literature reference points (resources/references.json through
// core/planner ReferencePoints): every point, the current model's first and marked, its values
// in readable units. Not the estimates anchored on them (core/planner MitigationModel).
#include "planner/ReferencePoints.h"
#include "report/ReportSections.h"

#include <algorithm>

namespace sinkscope {

namespace {

// 2048 -> "2K", 100352 -> "98K", 2300 -> "2300": exact, never rounded.
QString tokensShort(qint64 tokens) {
  if (tokens >= 1024 && tokens % 1024 == 0) return QStringLiteral("%1K").arg(tokens / 1024);
  return QString::number(tokens);
}

QString bound(const ReferenceValue& v) {
  return v.lowerBound ? QStringLiteral("> ") : v.upperBound ? QStringLiteral("< ") : QString();
}

QString valueText(const ReferencePoint& p, const ReferenceValue& v) {
  const QString at =
      v.contextTokens > 0 ? QStringLiteral(" at %1").arg(tokensShort(v.contextTokens)) : QString();
  const QString number = QString::number(v.value, 'g', 6);
  if (p.metric == QLatin1String("perplexity")) return QStringLiteral("ppl %1%2%3").arg(bound(v), number, at);
  if (p.metric == QLatin1String("ruler_score"))
    return QStringLiteral("score %1%2%3").arg(bound(v), number, at);
  if (p.metric == QLatin1String("retrieval_accuracy"))
    return QStringLiteral("%1%2 %%3").arg(bound(v), QString::number(v.value * 100.0, 'g', 4), at);
  const QString length = bound(v) + tokensShort(qint64(v.value)) + QStringLiteral(" tokens");
  if (p.metric == QLatin1String("ruler_effective_length"))
    return p.claimedContext > 0
               ? QStringLiteral("%1 of %2 claimed").arg(length, tokensShort(p.claimedContext))
               : length;
  if (p.metric == QLatin1String("passkey_context")) return QStringLiteral("retrieved to %1").arg(length);
  return length;  // a claim of a length
}

QString metricTitle(const QString& metric) {
  if (metric == QLatin1String("perplexity")) return QStringLiteral("perplexity");
  if (metric == QLatin1String("passkey_context")) return QStringLiteral("passkey context");
  if (metric == QLatin1String("ruler_effective_length")) return QStringLiteral("RULER effective length");
  if (metric == QLatin1String("ruler_score")) return QStringLiteral("RULER score (0-100)");
  if (metric == QLatin1String("retrieval_accuracy")) return QStringLiteral("retrieval accuracy");
  if (metric == QLatin1String("claim")) return QStringLiteral("claim (no measurement)");
  return metric;
}

QString mitigationText(const ReferencePoint& p) {
  QString text = p.mitigation;
  if (p.factor > 1) text += QStringLiteral(", s = %1").arg(QString::number(p.factor, 'g', 4));
  if (p.trainedContext > 0) text += QStringLiteral(" (trained %1)").arg(tokensShort(p.trainedContext));
  return text;
}

}  // namespace

ReportTable referencePointsTable(const Report& report) {
  const ReferenceSet& set = referenceSet();
  std::vector<const ReferencePoint*> points;
  for (const ReferencePoint& p : set.points) points.push_back(&p);
  const auto isCurrent = [&](const ReferencePoint* p) {
    return !p->modelId.isEmpty() && p->modelId == report.model.id;
  };
  std::stable_partition(points.begin(), points.end(), isCurrent);
  ReportTable t{QStringLiteral("All %1 reference points").arg(points.size()),
                {QStringLiteral("Model"), QStringLiteral("Mitigation"), QStringLiteral("Fine-tuned"),
                 QStringLiteral("Metric"), QStringLiteral("Values"), QStringLiteral("Source [id]")},
                {},
                {}};
  int current = 0;
  for (const ReferencePoint* p : points) {
    QStringList values;
    for (const ReferenceValue& v : p->values) values << valueText(*p, v);
    const bool mine = isCurrent(p);
    current += mine ? 1 : 0;
    t.rows.push_back({mine ? QStringLiteral("%1 (this model)").arg(p->model) : p->model, mitigationText(*p),
                      p->fineTuned ? QStringLiteral("yes") : QStringLiteral("no"), metricTitle(p->metric),
                      values.join(QLatin1Char('\n')), QStringLiteral("%1 [%2]").arg(p->source, p->id)});
  }
  t.note = QStringLiteral(
               "The published figures SinkScope's estimates are anchored on (resources/references.json, "
               "docs/mitigations.md); %1. Perplexity: lower is better; s: the scaling factor.")
               .arg(current > 0
                        ? QStringLiteral("the %1 row(s) for %2 come first").arg(current).arg(report.model.id)
                        : QStringLiteral("none is for %1 itself").arg(report.model.id));
  return t;
}

}  // namespace sinkscope
