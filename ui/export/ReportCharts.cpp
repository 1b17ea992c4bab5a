#include "export/ReportCharts.h"

#include "charts/ConfidenceChart.h"
#include "charts/HeatmapChart.h"
#include "charts/MemoryChart.h"
#include "charts/MitigationsChart.h"
#include "charts/SinkCurveChart.h"

#include <QJsonArray>

namespace sinkscope::ui {

std::optional<ChartBuilder> chartBuilderFor(const ReportChartData& data, ChartKind kind) {
  switch (kind) {
    case ChartKind::Memory: return memoryChart(data.memory);
    case ChartKind::Confidence: return confidenceChart(data.confidence);
    case ChartKind::Mitigations: return mitigationsChart(data.mitigations);
    case ChartKind::SinkCurve:
      if (data.sinkCurve) return sinkCurveChart(*data.sinkCurve);
      return std::nullopt;
    case ChartKind::Heatmap:
      if (data.heatmaps) return heatmapChart(*data.heatmaps);
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<ChartTable> chartTableFor(const ReportChartData& data, ChartKind kind) {
  switch (kind) {
    case ChartKind::Memory: return memoryChartTable(data.memory);
    case ChartKind::Confidence: return confidenceChartTable(data.confidence);
    case ChartKind::Mitigations: return mitigationsChartTable(data.mitigations);
    case ChartKind::SinkCurve:
      if (data.sinkCurve) return sinkCurveChartTable(*data.sinkCurve);
      return std::nullopt;
    case ChartKind::Heatmap:
      if (data.heatmaps) return heatmapChartTable(*data.heatmaps);
      return std::nullopt;
  }
  return std::nullopt;
}

QSize defaultChartSize(const ReportChartData& data, ChartKind kind, int width) {
  switch (kind) {
    case ChartKind::Confidence: return {width, 110 + 38 * int(std::max<size_t>(1, data.confidence.rows.size()))};
    case ChartKind::Heatmap: return {width, int(width * 0.5)};
    default: return {width, int(width * 0.56)};
  }
}

QJsonObject chartTableToJson(const ChartTable& table) {
  QJsonArray rows;
  for (const auto& row : table.rows) {
    QJsonArray cells;
    for (const QVariant& cell : row) cells.append(cell.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue::fromVariant(cell));
    rows.append(cells);
  }
  return QJsonObject{{QStringLiteral("title"), table.title},
                     {QStringLiteral("columns"), QJsonArray::fromStringList(table.columns)},
                     {QStringLiteral("rows"), rows}};
}

}  // namespace sinkscope::ui
