// The confidence chart: the planner's confidence (0–1) per compared mitigation as a gauge of
// bars over red/amber/green bands, with the 0.8 ceiling past the trained context. Drawn the same
// on screen and in exports. Not the reasons' text (listed beside it) nor the maths (core/planner).
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "report/ChartData.h"

namespace sinkscope::ui {

ChartBuilder confidenceChart(ConfidenceChartData data);
// One row per mitigation, then one per reason of the primary mitigation's confidence.
ChartTable confidenceChartTable(const ConfidenceChartData& data);

}  // namespace sinkscope::ui
