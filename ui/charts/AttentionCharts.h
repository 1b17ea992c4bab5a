// Builders for the attention charts over core/report's chart data: the sink curve (one line per
// mitigation against context, log axis) and pooled heatmaps (one colour scale, causal mask,
// trained-context lines, difference map). Not the probe: the tabs run it off-thread.
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "charts/ColorMaps.h"
#include "report/ChartData.h"

#include <memory>

namespace sinkscope::ui {

// EffectiveContext is the planner's modelled effective context (EffectiveContextChart.h), not a
// probe metric: sinkMetricValue() is NaN for it.
enum class SinkMetric { SinkMass1, SinkMass4, NormalizedEntropy, LastQuerySinkMass1, EffectiveContext };
QString sinkMetricLabel(SinkMetric metric);  // axis label with its unit
double sinkMetricValue(const SinkCurveSample& sample, SinkMetric metric);

// EffectiveContext draws effectiveContextBuilder(); the table follows the metric the same way.
ChartBuilder sinkCurveBuilder(std::shared_ptr<const SinkCurveChartData> data, SinkMetric metric);
ChartTable sinkCurveTable(const SinkCurveChartData& data, SinkMetric metric = SinkMetric::SinkMass1);

struct HeatmapStyle {
  ColorMapName colorMap = ColorMapName::Viridis;
  bool logColor = true;
};
// Panels side by side (one per data panel, sharing rows, columns and one colour scale); when
// withDifference, a last panel shows right minus left on a diverging scale.
ChartBuilder heatmapBuilder(std::shared_ptr<const HeatmapChartData> data, HeatmapStyle style,
                            bool withDifference);
ChartTable heatmapTable(const HeatmapChartData& data);

// The cell under plot coordinates (column = key bin, row = query row); false outside.
bool heatmapCell(const PooledHeatmap& heatmap, double x, double y, int& bin, int& row);

}  // namespace sinkscope::ui
