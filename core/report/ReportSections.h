// Private to core/report: the steps of buildReport — the attention data (modelled probe) and the
// layout of the plan's numbers into titled sections. Not the JSON form nor any drawing.
#pragma once

#include "report/Report.h"

namespace sinkscope {

// Fills report.charts.sinkCurve and .heatmaps for the compared mitigations; false when cancelled.
bool addModelledAttention(Report& report, const ReportCallbacks& callbacks);

// Every literature reference point as a table, the report's model's first (ReportReferences.cpp).
ReportTable referencePointsTable(const Report& report);

// Builds report.sections and report.sources from the plan and the chart data.
void layOutSections(Report& report);

}  // namespace sinkscope
