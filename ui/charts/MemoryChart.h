// The memory chart: weights, KV cache, activations and overhead stacked against context length,
// with the usable capacity, the requested and trained contexts and the fit limit. Drawn the same
// on screen and in exports. Not where the numbers come from (core/report ChartData, the planner).
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "report/ChartData.h"

namespace sinkscope::ui {

ChartBuilder memoryChart(MemoryChartData data);
// One row per context of the curve; byte columns are integers.
ChartTable memoryChartTable(const MemoryChartData& data);

}  // namespace sinkscope::ui
