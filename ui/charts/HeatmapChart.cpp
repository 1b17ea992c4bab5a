#include "charts/HeatmapChart.h"

#include "Units.h"
#include "charts/ChartHelpers.h"
#include "charts/ColorMaps.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace sinkscope::ui {

namespace {

constexpr double kFloorMass = 1e-6;  // lower end of the colour scale (share of attention)

// Key-axis ticks at a few bin edges, labelled with their token position.
QSharedPointer<QCPAxisTickerText> keyTicker(const PooledHeatmap& map) {
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  const int bins = map.bins();
  ticker->addTick(0, QStringLiteral("0"));
  for (int step = 1; step <= 3; ++step) {
    const int bin = map.exactKeyColumns + (bins - map.exactKeyColumns) * step / 4;
    if (bin > map.exactKeyColumns + 4 && bin < bins) ticker->addTick(bin, formatTokensShort(double(map.binStart[size_t(bin)])));
  }
  ticker->addTick(bins, formatTokensShort(double(map.binStart.back())));
  return ticker;
}

QSharedPointer<QCPAxisTickerText> queryTicker(const PooledHeatmap& map) {
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  const int rows = map.rows();
  for (int step = 0; step <= 4; ++step) {
    const int row = std::min(rows - 1, (rows - 1) * step / 4);
    ticker->addTick(row, formatTokensShort(double(map.queryPositions[size_t(row)])));
  }
  return ticker;
}

int binOf(const PooledHeatmap& map, qint64 key) {
  const auto it = std::upper_bound(map.binStart.begin(), map.binStart.end(), key);
  return int(std::distance(map.binStart.begin(), it)) - 1;
}

void fillPanel(QCustomPlot& plot, QCPAxisRect* rect, const HeatmapPanel& panel, const HeatmapChartData& data,
               QCPColorScale* scale, const ChartTheme& theme) {
  const PooledHeatmap& map = panel.heatmap;
  QCPAxis* keyAxis = rect->axis(QCPAxis::atBottom);
  QCPAxis* queryAxis = rect->axis(QCPAxis::atLeft);
  auto* colorMap = new QCPColorMap(keyAxis, queryAxis);
  colorMap->data()->setSize(map.bins(), map.rows());
  colorMap->data()->setRange(QCPRange(0.5, map.bins() - 0.5), QCPRange(0, map.rows() - 1));
  for (int r = 0; r < map.rows(); ++r)
    for (int b = 0; b < map.bins(); ++b) {
      const bool future = map.binStart[size_t(b)] > map.queryPositions[size_t(r)];
      colorMap->data()->setCell(b, r, std::max(double(map.at(r, b)), kFloorMass));
      if (future) colorMap->data()->setAlpha(b, r, 0);  // causal mask: keys after the query
    }
  colorMap->setColorScale(scale);
  colorMap->setInterpolate(false);
  keyAxis->setTicker(keyTicker(map));
  queryAxis->setTicker(queryTicker(map));
  keyAxis->setRange(0, map.bins());
  queryAxis->setRange(-0.5, map.rows() - 0.5);
  queryAxis->setRangeReversed(true);  // first query on top, as an attention matrix is read
  keyAxis->setLabel(QStringLiteral("key position (tokens)"));
  queryAxis->setLabel(QStringLiteral("query position (tokens)"));
  for (QCPAxis* axis : rect->axes()) theme.applyAxis(*axis);
  keyAxis->grid()->setVisible(false);
  queryAxis->grid()->setVisible(false);
  if (data.trainedContextTokens > 0 && data.trainedContextTokens < map.binStart.back())
    addVerticalMarker(plot, rect, double(binOf(map, data.trainedContextTokens)),
                      QString(), Qt::white, Qt::DashLine);
}

}  // namespace

ChartBuilder heatmapChart(HeatmapChartData data) {
  return [data = std::move(data)](QCustomPlot& plot, const ChartTheme& theme) {
    plot.plotLayout()->clear();
    plot.setBackground(theme.background);
    auto* grid = new QCPLayoutGrid;
    plot.plotLayout()->addElement(0, 0, grid);
    auto* scale = new QCPColorScale(&plot);
    scale->setType(QCPAxis::atRight);
    scale->setDataScaleType(QCPAxis::stLogarithmic);
    scale->setGradient(colorGradient(ColorMapName::Viridis));
    scale->setDataRange(QCPRange(kFloorMass, 1.0));
    scale->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    scale->axis()->setNumberFormat(QStringLiteral("eb"));
    scale->axis()->setNumberPrecision(0);
    scale->axis()->setLabel(QStringLiteral("attention mass per bin (share)"));
    theme.applyAxis(*scale->axis());
    auto* margins = new QCPMarginGroup(&plot);
    const int panels = int(data.panels.size());
    for (int i = 0; i < panels; ++i) {
      auto* rect = new QCPAxisRect(&plot);
      grid->addElement(1, i, rect);
      rect->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
      rect->setBackground(theme.background);
      auto* caption = new QCPTextElement(&plot, mitigationName(data.panels[size_t(i)].mitigation), [&] {
        QFont f = theme.font;
        f.setBold(true);
        return f;
      }());
      caption->setTextColor(theme.foreground);
      grid->addElement(0, i, caption);
      fillPanel(plot, rect, data.panels[size_t(i)], data, scale, theme);
    }
    grid->addElement(1, panels, scale);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    grid->setColumnStretchFactor(panels, 0.01);
    grid->setRowStretchFactor(0, 0.01);
    addTitle(plot,
             QStringLiteral("Attention at %1 tokens: %2, layer %3, head %4 (dashed: trained context) — %5")
                 .arg(formatTokensShort(double(data.contextTokens)), data.modelName)
                 .arg(data.layer)
                 .arg(data.head)
                 .arg(data.provenance),
             theme);
  };
}

ChartTable heatmapChartTable(const HeatmapChartData& data) {
  ChartTable table;
  table.title = QStringLiteral("Attention heatmap, layer %1 head %2 (%3)").arg(data.layer).arg(data.head).arg(data.provenance);
  table.columns = {QStringLiteral("mitigation"), QStringLiteral("query position (tokens)"),
                   QStringLiteral("key bin start (tokens)"), QStringLiteral("key bin end (tokens)"),
                   QStringLiteral("attention mass (share)")};
  for (const HeatmapPanel& panel : data.panels) {
    const PooledHeatmap& map = panel.heatmap;
    for (int r = 0; r < map.rows(); ++r)
      for (int b = 0; b < map.bins(); ++b)
        table.addRow({mitigationName(panel.mitigation), map.queryPositions[size_t(r)], map.binStart[size_t(b)],
                      map.binStart[size_t(b) + 1], double(map.at(r, b))});
  }
  return table;
}

}  // namespace sinkscope::ui
