#include "charts/AttentionCharts.h"

#include "Units.h"
#include "charts/ChartHelpers.h"
#include "charts/EffectiveContextChart.h"
#include "scenario/Explanations.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sinkscope::ui {

QString sinkMetricLabel(SinkMetric metric) {
  switch (metric) {
    case SinkMetric::SinkMass1:
      return QObject::tr("sink mass S₁ (share of attention on token 0)");
    case SinkMetric::SinkMass4:
      return QObject::tr("sink mass S₄ (share on tokens 0–3)");
    case SinkMetric::NormalizedEntropy:
      return QObject::tr("normalised entropy H / ln(i+1)");
    case SinkMetric::LastQuerySinkMass1:
      return QObject::tr("S₁ of the last query");
    case SinkMetric::EffectiveContext:
      return QObject::tr("effective context (tokens, passkey-style, modelled)");
  }
  return QString();
}

double sinkMetricValue(const SinkCurveSample& sample, SinkMetric metric) {
  switch (metric) {
    case SinkMetric::SinkMass1:
      return sample.mean.sinkMass1;
    case SinkMetric::SinkMass4:
      return sample.mean.sinkMass4;
    case SinkMetric::NormalizedEntropy:
      return sample.mean.normalizedEntropy;
    case SinkMetric::LastQuerySinkMass1:
      return sample.last.sinkMass1;
    case SinkMetric::EffectiveContext:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

ChartBuilder sinkCurveBuilder(std::shared_ptr<const SinkCurveChartData> data, SinkMetric metric) {
  if (metric == SinkMetric::EffectiveContext) return effectiveContextBuilder(std::move(data));
  return [data, metric](QCustomPlot& plot, const ChartTheme& theme) {
    double minContext = std::numeric_limits<double>::max(), maxContext = 0, maxValue = 0;
    for (const SinkCurveSeries& series : data->series) {
      const int index = sinkCurveColorIndex(*data, series.mitigation);
      QCPGraph* graph = plot.addGraph();
      graph->setName(mitigationTitle(series.mitigation));
      QVector<double> x, y;
      for (const SinkCurveSample& sample : series.samples) {
        x << double(sample.contextTokens);
        y << sinkMetricValue(sample, metric);
        minContext = std::min(minContext, x.back());
        maxContext = std::max(maxContext, x.back());
        maxValue = std::max(maxValue, y.back());
      }
      graph->setData(x, y, true);
      graph->setPen(QPen(theme.seriesColor(index), 2.2, theme.seriesStyle(index)));
      static const QCPScatterStyle::ScatterShape shapes[] = {
          QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare, QCPScatterStyle::ssTriangle,
          QCPScatterStyle::ssDiamond, QCPScatterStyle::ssCross};
      graph->setScatterStyle(
          QCPScatterStyle(shapes[index % 5], theme.seriesColor(index), theme.background, 7));
    }
    if (maxContext <= 0) minContext = 512, maxContext = 32768;
    setTokenLogAxis(*plot.xAxis, minContext / 1.3, maxContext * 1.3, QObject::tr("context (tokens)"));
    plot.yAxis->setLabel(sinkMetricLabel(metric));
    plot.yAxis->setRange(0, metric == SinkMetric::NormalizedEntropy ? 1.05 : std::max(0.05, maxValue * 1.25));
    theme.apply(plot);
    addTrainedAndCapMarkers(plot, data->trainedContextTokens, data->contextCapTokens, theme);
    // Many series: the legend goes under the plot, clear of the curves and of the markers' labels.
    constexpr size_t kSeriesInsideLegend = 3;
    if (data->series.size() > kSeriesInsideLegend)
      legendBelow(plot, 3);
    else
      placeLegend(plot, metric == SinkMetric::NormalizedEntropy ? (Qt::AlignBottom | Qt::AlignRight)
                                                                : (Qt::AlignTop | Qt::AlignRight));
    theme.applyLegend(*plot.legend);
  };
}

ChartTable sinkCurveTable(const SinkCurveChartData& data, SinkMetric metric) {
  if (metric == SinkMetric::EffectiveContext) return effectiveContextTable(data);
  ChartTable table;
  table.title = QObject::tr("Sink curve (%1), layer %2 head %3")
                    .arg(provenanceName(data.provenance))
                    .arg(data.layer)
                    .arg(data.head);
  table.columns = {QObject::tr("mitigation"),
                   QObject::tr("context (tokens)"),
                   QObject::tr("mean S1 (share)"),
                   QObject::tr("mean S4 (share)"),
                   QObject::tr("mean normalised entropy"),
                   QObject::tr("last-query S1 (share)"),
                   QObject::tr("source")};
  for (const SinkCurveSeries& series : data.series)
    for (const SinkCurveSample& s : series.samples)
      table.addRow({mitigationName(series.mitigation), s.contextTokens, s.mean.sinkMass1, s.mean.sinkMass4,
                    s.mean.normalizedEntropy, s.last.sinkMass1, provenanceName(data.provenance)});
  return table;
}

// --- heatmaps ----------------------------------------------------------------------------------

namespace {

// x in bin units where the key position `tokens` falls (fractional inside its bin).
double binCoordinate(const PooledHeatmap& heatmap, qint64 tokens) {
  for (int b = 0; b < heatmap.bins(); ++b) {
    const qint64 start = heatmap.binStart[size_t(b)], end = heatmap.binStart[size_t(b) + 1];
    if (tokens < end) return b + double(tokens - start) / double(std::max<qint64>(1, end - start));
  }
  return heatmap.bins();
}

// y of the boundary before the first row at or past `position`: row r is drawn over [r, r + 1],
// so the trained-context line separates the rows inside it from the rows past it (with unevenly
// spaced rows, e.g. the measured 63, 255, 511, 1023, ..., it falls between 511 and 1023 for 512).
double rowBoundary(const PooledHeatmap& heatmap, qint64 position) {
  const auto& rows = heatmap.queryPositions;
  return double(std::lower_bound(rows.begin(), rows.end(), position) - rows.begin());
}

// Masked (NaN) when the whole bin lies after the query: the causal upper triangle.
double cellValue(const PooledHeatmap& heatmap, int row, int bin) {
  if (heatmap.binStart[size_t(bin)] > heatmap.queryPositions[size_t(row)])
    return std::numeric_limits<double>::quiet_NaN();
  return heatmap.at(row, bin);
}

// What a panel draws: also masked where the query attends to nothing at all (mass exactly 0: the
// keys left its cache, a sliding window or StreamingLLM's eviction), so "not in the cache" never
// reads as "a little attention" on a log colour scale. The difference map keeps cellValue.
double panelValue(const PooledHeatmap& heatmap, int row, int bin) {
  const double v = cellValue(heatmap, row, bin);
  return v == 0.0 ? std::numeric_limits<double>::quiet_NaN() : v;
}

// maxTicks: fewer labels when several panels share the width, so they never run together.
// Ticks sit at round key positions (0, 8K, 16K, ...), placed inside their bins, not at the bins'
// own uneven starts.
QSharedPointer<QCPAxisTickerText> binTicker(const PooledHeatmap& heatmap, int maxTicks) {
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  for (qint64 tokens : roundTokenTicks(heatmap.binStart.back(), maxTicks))
    ticker->addTick(binCoordinate(heatmap, tokens), formatTokensShort(double(tokens)));
  return ticker;
}

// y where query position `tokens` falls, between the centres (r + 0.5) of the rows around it.
double rowCoordinate(const PooledHeatmap& heatmap, qint64 tokens) {
  const auto& rows = heatmap.queryPositions;
  const auto next = std::lower_bound(rows.begin(), rows.end(), tokens);
  if (next == rows.begin()) return 0.5;
  if (next == rows.end()) return double(rows.size()) - 0.5;
  const auto r = next - rows.begin();
  const double fraction = double(tokens - rows[size_t(r - 1)]) /
                          double(std::max<qint64>(1, rows[size_t(r)] - rows[size_t(r - 1)]));
  return double(r) - 0.5 + fraction;
}

bool evenlySpacedRows(const PooledHeatmap& heatmap) {
  const auto& rows = heatmap.queryPositions;
  if (rows.size() < 3) return false;
  qint64 smallest = rows[1] - rows[0], largest = smallest;
  for (size_t r = 2; r < rows.size(); ++r) {
    smallest = std::min(smallest, rows[r] - rows[r - 1]);
    largest = std::max(largest, rows[r] - rows[r - 1]);
  }
  return smallest > 0 && largest <= 2 * smallest;
}

// Evenly spaced rows (the modelled probe) get round ticks (0, 8K, 16K, ...); rows at doublings
// (the measured 63, 511, 1023, ...) are labelled themselves, since they already are round.
QSharedPointer<QCPAxisTickerText> rowTicker(const PooledHeatmap& heatmap) {
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  const int rows = heatmap.rows();
  if (rows == 0) return ticker;
  if (evenlySpacedRows(heatmap)) {
    for (qint64 tokens : roundTokenTicks(heatmap.queryPositions.back() + 1, 6))
      ticker->addTick(rowCoordinate(heatmap, tokens), formatTokensShort(double(tokens)));
    return ticker;
  }
  const int step = std::max(1, rows / 8);
  for (int r = 0; r < rows; r += step)
    ticker->addTick(r + 0.5, formatTokensShort(double(heatmap.queryPositions[size_t(r)])));
  return ticker;
}

QCPColorMap* addMap(QCustomPlot& plot, QCPAxisRect* rect, const PooledHeatmap& heatmap,
                    const std::function<double(int, int)>& value) {
  auto* map = new QCPColorMap(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  map->data()->setSize(heatmap.bins(), heatmap.rows());
  map->data()->setRange(QCPRange(0.5, heatmap.bins() - 0.5), QCPRange(0.5, heatmap.rows() - 0.5));
  for (int r = 0; r < heatmap.rows(); ++r)
    for (int b = 0; b < heatmap.bins(); ++b) map->data()->setCell(b, r, value(r, b));
  map->setInterpolate(false);
  (void)plot;
  return map;
}

void styleHeatmapRect(QCPAxisRect* rect, const PooledHeatmap& heatmap, const ChartTheme& theme,
                      bool firstColumn, int panelsSideBySide) {
  QCPAxis* x = rect->axis(QCPAxis::atBottom);
  QCPAxis* y = rect->axis(QCPAxis::atLeft);
  x->setTicker(binTicker(heatmap, panelsSideBySide > 1 ? 3 : 6));
  y->setTicker(rowTicker(heatmap));
  x->setRange(0, heatmap.bins());
  y->setRange(0, heatmap.rows());
  y->setRangeReversed(true);
  x->setLabel(panelsSideBySide > 1
                  ? QObject::tr("key position (tokens)")
                  : QObject::tr("key position (tokens; first %1 bins exact)").arg(heatmap.exactKeyColumns));
  y->setLabel(firstColumn ? QObject::tr("query position (tokens)") : QString());
  for (QCPAxis* axis : rect->axes()) theme.applyAxis(*axis);
  x->grid()->setVisible(false);
  y->grid()->setVisible(false);
}

void addTrainedLines(QCustomPlot& plot, QCPAxisRect* rect, const PooledHeatmap& heatmap, qint64 trained,
                     const ChartTheme& theme) {
  if (trained <= 0 || trained >= heatmap.binStart.back()) return;
  const QPen pen(theme.dark ? QColor(Qt::white) : QColor(Qt::white), 1.5, Qt::DashLine);
  auto* vertical = new QCPItemStraightLine(&plot);
  vertical->setClipAxisRect(rect);
  for (QCPItemPosition* p : {vertical->point1, vertical->point2})
    p->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  const double x = binCoordinate(heatmap, trained);
  vertical->point1->setCoords(x, 0);
  vertical->point2->setCoords(x, 1);
  vertical->setPen(pen);
  auto* horizontal = new QCPItemStraightLine(&plot);
  horizontal->setClipAxisRect(rect);
  for (QCPItemPosition* p : {horizontal->point1, horizontal->point2})
    p->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  const double y = rowBoundary(heatmap, trained);
  horizontal->point1->setCoords(0, y);
  horizontal->point2->setCoords(1, y);
  horizontal->setPen(pen);
}

QCPColorGradient divergingGradient() {
  // Blue (less attention than the left panel) to white to vermillion (more): Okabe–Ito ends.
  QCPColorGradient gradient;
  gradient.clearColorStops();
  gradient.setColorStopAt(0, QColor(0x00, 0x72, 0xB2));
  gradient.setColorStopAt(0.5, QColor(0xF7, 0xF7, 0xF7));
  gradient.setColorStopAt(1, QColor(0xD5, 0x5E, 0x00));
  gradient.setNanHandling(QCPColorGradient::nhTransparent);
  return gradient;
}

}  // namespace

bool heatmapCell(const PooledHeatmap& heatmap, double x, double y, int& bin, int& row) {
  bin = int(std::floor(x));
  row = int(std::floor(y));
  return bin >= 0 && bin < heatmap.bins() && row >= 0 && row < heatmap.rows();
}

ChartBuilder heatmapBuilder(std::shared_ptr<const HeatmapChartData> data, HeatmapStyle style,
                            bool withDifference) {
  return [data, style, withDifference](QCustomPlot& plot, const ChartTheme& theme) {
    plot.plotLayout()->clear();
    const int panels = int(data->panels.size());
    const bool difference = withDifference && panels >= 2;
    // One colour range for every panel.
    double maxValue = 0, minPositive = std::numeric_limits<double>::max();
    for (const HeatmapPanel& panel : data->panels)
      for (float v : panel.heatmap.mass) {
        maxValue = std::max(maxValue, double(v));
        if (v > 0) minPositive = std::min(minPositive, double(v));
      }
    if (maxValue <= 0) maxValue = 1;
    const double floor = std::max(minPositive, maxValue * 1e-4);
    QCPColorGradient gradient = colorGradient(style.colorMap);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    auto* scale = new QCPColorScale(&plot);
    scale->setType(QCPAxis::atRight);
    scale->setGradient(gradient);
    scale->setDataScaleType(style.logColor ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    scale->setDataRange(QCPRange(style.logColor ? floor : 0, maxValue));
    scale->axis()->setLabel(QObject::tr("attention mass per bin (%1)")
                                .arg(style.logColor ? QObject::tr("log") : QObject::tr("linear")));
    if (style.logColor) scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    theme.applyAxis(*scale->axis());
    auto* group = new QCPMarginGroup(&plot);
    QFont titleFont = theme.font;
    titleFont.setBold(true);
    for (int p = 0; p < panels; ++p) {
      const PooledHeatmap& heatmap = data->panels[size_t(p)].heatmap;
      auto* rect = new QCPAxisRect(&plot);
      plot.plotLayout()->addElement(1, p, rect);
      auto* title = new QCPTextElement(&plot, mitigationTitle(data->panels[size_t(p)].mitigation), titleFont);
      title->setTextColor(theme.foreground);
      plot.plotLayout()->addElement(0, p, title);
      QCPColorMap* map = addMap(plot, rect, heatmap, [&](int r, int b) {
        const double v = panelValue(heatmap, r, b);
        return style.logColor && v <= floor ? (std::isnan(v) ? v : floor) : v;
      });
      map->setName(mitigationName(data->panels[size_t(p)].mitigation));
      map->setColorScale(scale);
      styleHeatmapRect(rect, heatmap, theme, p == 0, panels + (difference ? 1 : 0));
      rect->setBackground(theme.dark ? QColor(0x30, 0x30, 0x30) : QColor(0xdd, 0xdd, 0xdd));
      rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
      addTrainedLines(plot, rect, heatmap, data->trainedContextTokens, theme);
    }
    plot.plotLayout()->addElement(1, panels, scale);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    if (difference) {
      const PooledHeatmap& left = data->panels[0].heatmap;
      const PooledHeatmap& right = data->panels[1].heatmap;
      if (left.bins() == right.bins() && left.rows() == right.rows()) {
        auto* rect = new QCPAxisRect(&plot);
        plot.plotLayout()->addElement(1, panels + 1, rect);
        auto* title =
            new QCPTextElement(&plot,
                               QObject::tr("%1 − %2").arg(mitigationName(data->panels[1].mitigation),
                                                          mitigationName(data->panels[0].mitigation)),
                               titleFont);
        title->setTextColor(theme.foreground);
        plot.plotLayout()->addElement(0, panels + 1, title);
        double maxAbs = 1e-6;
        QCPColorMap* map = addMap(plot, rect, left, [&](int r, int b) {
          const double d = cellValue(right, r, b) - cellValue(left, r, b);
          if (!std::isnan(d)) maxAbs = std::max(maxAbs, std::abs(d));
          return d;
        });
        map->setName(QStringLiteral("difference"));
        auto* diffScale = new QCPColorScale(&plot);
        diffScale->setGradient(divergingGradient());
        diffScale->setDataRange(QCPRange(-maxAbs, maxAbs));
        diffScale->axis()->setLabel(QObject::tr("difference B − A (mass per bin)"));
        theme.applyAxis(*diffScale->axis());
        map->setColorScale(diffScale);
        styleHeatmapRect(rect, left, theme, false, panels + 1);
        rect->setBackground(theme.dark ? QColor(0x30, 0x30, 0x30) : QColor(0xdd, 0xdd, 0xdd));
        rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
        diffScale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
        plot.plotLayout()->addElement(1, panels + 2, diffScale);
      }
    }
    plot.plotLayout()->setRowStretchFactor(0, 0.001);
    // Linked axes: zooming or panning one panel moves them all.
    QList<QCPAxisRect*> rects = plot.axisRects();
    for (QCPAxisRect* a : rects)
      for (QCPAxisRect* b : rects)
        if (a != b) {
          QObject::connect(a->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
                           b->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::setRange));
          QObject::connect(a->axis(QCPAxis::atLeft), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
                           b->axis(QCPAxis::atLeft), qOverload<const QCPRange&>(&QCPAxis::setRange));
        }
    plot.setBackground(theme.background);
    plot.xAxis = rects.isEmpty() ? nullptr : rects.front()->axis(QCPAxis::atBottom);
    plot.yAxis = rects.isEmpty() ? nullptr : rects.front()->axis(QCPAxis::atLeft);
  };
}

ChartTable heatmapTable(const HeatmapChartData& data) {
  ChartTable table;
  table.title = QObject::tr("Attention heatmap (%1), layer %2 head %3, context %4")
                    .arg(provenanceName(data.provenance))
                    .arg(data.layer)
                    .arg(data.head)
                    .arg(data.contextTokens);
  table.columns = {QObject::tr("mitigation"), QObject::tr("query position (token)"),
                   QObject::tr("key bin start (token)"), QObject::tr("key bin end (token, exclusive)"),
                   QObject::tr("attention mass (share)")};
  for (const HeatmapPanel& panel : data.panels) {
    const PooledHeatmap& h = panel.heatmap;
    for (int r = 0; r < h.rows(); ++r)
      for (int b = 0; b < h.bins(); ++b)
        if (h.binStart[size_t(b)] <= h.queryPositions[size_t(r)])
          table.addRow({mitigationName(panel.mitigation), h.queryPositions[size_t(r)], h.binStart[size_t(b)],
                        h.binStart[size_t(b) + 1], double(h.at(r, b))});
  }
  return table;
}

}  // namespace sinkscope::ui
