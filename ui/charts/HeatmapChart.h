// The attention heatmap chart: pooled attention (query rows x key bins) of one head, one panel
// per mitigation side by side on one logarithmic colour scale (viridis), the causal upper
// triangle masked and the trained context marked. Drawn the same on screen and in exports.
// Not the probe (core/attention) nor the pooling.
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "report/ChartData.h"

namespace sinkscope::ui {

ChartBuilder heatmapChart(HeatmapChartData data);
// Long form: one row per (mitigation, query row, key bin) with the bin's key range.
ChartTable heatmapChartTable(const HeatmapChartData& data);

}  // namespace sinkscope::ui
