// Builders for the measured charts over core/report's chart data: the per-position loss of a real
// checkpoint (one line per measured mitigation, the window control dashed, the trained context
// and the detected context_cap marked), as the Measured tab and the report draw it, and the sink
// mass of every layer and head. Not the run.
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "report/ChartData.h"

#include <memory>

namespace sinkscope::ui {

inline constexpr int kLossSmoothingTokens = 64;  // the drawn lines are running means over this many tokens

ChartBuilder measuredLossBuilder(std::shared_ptr<const MeasuredLossChartData> data);
// Every position's loss (not smoothed): position, next token id, nll per run, control nll, argmax per run.
ChartTable measuredLossTable(const MeasuredLossChartData& data);

// The mean sink mass S1 of every (layer, head) of one measured run as a grid, and its table.
ChartBuilder sinkGridBuilder(std::shared_ptr<const Measurement> measurement);
ChartTable sinkGridTable(const Measurement& measurement);

}  // namespace sinkscope::ui
