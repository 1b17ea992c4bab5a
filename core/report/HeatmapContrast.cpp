#include "report/HeatmapContrast.h"

#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

QString tokensShort(qint64 tokens) {
  if (tokens >= 1024 && tokens % 1024 == 0) return QStringLiteral("%1K").arg(tokens / 1024);
  return QString::number(tokens);
}

QString share(double value) {
  return QString::number(value, 'f', 2);
}

// Why two settings give nearly the same attention at this context, from what is true of the model
// and the runtime: a window that keeps every distance short, a context inside the trained one, or
// otherwise angles that differ too little.
QString alikeReason(const HeatmapChartData& data, const QString& nameB) {
  const QString trained = tokensShort(data.trainedContextTokens);
  if (data.windowTokens > 0 && data.contextTokens > data.windowTokens &&
      data.windowTokens <= data.trainedContextTokens)
    return QStringLiteral(
               "under %1 each query sees only its last %2 keys, so no query–key distance exceeds %2 "
               "(inside the trained %3) and token 0 is out of reach of every query past the window: "
               "there is nothing left for %4 to repair")
        .arg(data.runtime, tokensShort(data.windowTokens), trained, nameB);
  if (data.contextTokens <= data.trainedContextTokens)
    return QStringLiteral(
               "%1 is inside the trained %2, where both settings keep the angles close to those the "
               "model was trained on")
        .arg(tokensShort(data.contextTokens), trained);
  return QStringLiteral(
      "at this context the two settings' rotary angles differ too little to move the modelled "
      "attention");
}

}  // namespace

std::optional<HeatmapContrast> contrastHeatmaps(const HeatmapChartData& data) {
  if (data.panels.size() < 2 || data.lastQueryMetrics.size() < 2) return std::nullopt;
  const PooledHeatmap& left = data.panels[0].heatmap;
  const PooledHeatmap& right = data.panels[1].heatmap;
  if (left.rows() != right.rows() || left.bins() != right.bins() || left.rows() == 0) return std::nullopt;
  HeatmapContrast c;
  c.a = data.lastQueryMetrics[0];
  c.b = data.lastQueryMetrics[1];
  double largestSinkGap = -1;
  for (int r = 0; r < left.rows(); ++r) {
    for (int bin = 0; bin < left.bins(); ++bin) {
      const double d = std::abs(double(right.at(r, bin)) - double(left.at(r, bin)));
      double& largest = bin < left.exactKeyColumns ? c.sinkColumnsDifference : c.pooledBinsDifference;
      largest = std::max(largest, d);
    }
    // Bin 0 holds key 0 alone when there are exact columns: the row's attention on the first token.
    const double gap = std::abs(double(right.at(r, 0)) - double(left.at(r, 0)));
    if (left.exactKeyColumns > 0 && gap > largestSinkGap) {
      largestSinkGap = gap;
      c.largestSinkGapQuery = left.queryPositions[size_t(r)];
      c.sinkAtGapA = left.at(r, 0);
      c.sinkAtGapB = right.at(r, 0);
    }
  }
  c.lastQueryAlike = std::abs(c.b.sinkMass1 - c.a.sinkMass1) < kAlikeThreshold &&
                     std::abs(c.b.normalizedEntropy - c.a.normalizedEntropy) < kAlikeThreshold;
  c.alike = c.lastQueryAlike && c.sinkColumnsDifference < kAlikeThreshold &&
            c.pooledBinsDifference < kAlikeThreshold;
  return c;
}

QString heatmapContrastText(const HeatmapChartData& data) {
  const auto c = contrastHeatmaps(data);
  if (!c) return QString();
  const QString nameA = mitigationName(data.panels[0].mitigation),
                nameB = mitigationName(data.panels[1].mitigation);
  QString text =
      QStringLiteral(
          "At %1 the last query (mean of the heads shown) puts %2 of its attention on token 0 "
          "under %3 and %4 under %5; its entropy H / ln N is %6 and %7.")
          .arg(tokensShort(data.contextTokens), share(c->a.sinkMass1), nameA, share(c->b.sinkMass1), nameB,
               share(c->a.normalizedEntropy), share(c->b.normalizedEntropy));
  if (c->alike) {
    text += QStringLiteral(" The maps are alike because %1.").arg(alikeReason(data, nameB));
    const QString& verdictA = data.panels[0].verdict;
    const QString& verdictB = data.panels[1].verdict;
    if (!verdictA.isEmpty() && verdictA != verdictB)
      text += QStringLiteral(
                  " The planner's verdicts still differ (%1: %2; %3: %4): they rest on published "
                  "measurements of the trained model (the Mitigations table), which synthetic queries and "
                  "keys do not reproduce.")
                  .arg(nameA, verdictA, nameB, verdictB);
    return text;
  }
  if (c->sinkColumnsDifference >= c->pooledBinsDifference && c->largestSinkGapQuery >= 0)
    text +=
        QStringLiteral(
            " They differ most on token 0 at query %1: %2 of the attention under %3, %4 under %5. "
            "Token 0 is the first of the single-token columns at the left edge of each map, one bin of "
            "%6 wide, so the difference is a thin strip (hover it); the pooled bins differ by at most %7.")
            .arg(QString::number(c->largestSinkGapQuery), share(c->sinkAtGapA), nameA, share(c->sinkAtGapB),
                 nameB)
            .arg(data.panels[0].heatmap.bins())
            .arg(QString::number(c->pooledBinsDifference, 'f', 3));
  else
    text += QStringLiteral(
                " They differ by up to %1 attention mass per pooled key bin, and by up to %2 in the "
                "single-token columns at the left edge.")
                .arg(QString::number(c->pooledBinsDifference, 'f', 3), share(c->sinkColumnsDifference));
  if (c->lastQueryAlike)
    text += QStringLiteral(" By the last query the two agree within %1 on token 0 and on entropy.")
                .arg(kAlikeThreshold);
  return text;
}

}  // namespace sinkscope
