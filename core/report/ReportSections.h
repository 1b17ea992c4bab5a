// Private to core/report: the steps of buildReport — the attention data (modelled probe), the
// measured runs and the layout of the plan's numbers into titled sections. Not the JSON form nor any drawing.
#pragma once

#include "report/Report.h"

namespace sinkscope {

// Fills report.charts.sinkCurve and .heatmaps for the compared mitigations; throws Cancelled
// when asked to stop.
void addModelledAttention(Report& report, const ReportCallbacks& callbacks);

// Runs (or takes the finished) measured runs into report.measured and .charts.measuredLoss.
// Throws Cancelled when asked to stop, Error naming the file for a bad GGUF or text.
void addMeasurements(Report& report, const ReportCallbacks& callbacks);
// The "Measured results" section: the runs, or one line saying nothing was measured and how to.
ReportSection measuredSection(const Report& report);

// Every literature reference point as a table, the report's model's first (ReportReferences.cpp).
ReportTable referencePointsTable(const Report& report);

// The first page: the question, the answer and the launch flags to copy (ReportSummary.cpp).
ReportSection summarySection(const Report& report);

// Builds report.sections and report.sources from the plan and the chart data.
void layOutSections(Report& report);

}  // namespace sinkscope
