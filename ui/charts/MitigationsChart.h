// The mitigation comparison chart: effective context per mitigation as bars, against the trained
// and requested contexts, each bar labelled with its quality and confidence. Drawn the same on
// screen and in exports. Not the estimates themselves (core/planner).
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "report/ChartData.h"

namespace sinkscope::ui {

ChartBuilder mitigationsChart(MitigationsChartData data);
ChartTable mitigationsChartTable(const MitigationsChartData& data);

}  // namespace sinkscope::ui
