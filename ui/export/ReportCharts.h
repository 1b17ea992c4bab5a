// Which builder draws each chart kind of a report, and its data table: the one mapping from
// ChartKind to the ui/charts builders, shared by the report writers and `sinkscope chart`.
// Not the builders themselves and not the data (core/report ChartData).
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "report/Report.h"

#include <QSize>
#include <optional>

namespace sinkscope::ui {

// nullopt when the report holds no data for that kind (e.g. no probe for the model). Memory
// and confidence are the Planner tab's own charts (PlannerCharts.h).
std::optional<ChartBuilder> chartBuilderFor(const Report& report, ChartKind kind);
std::optional<ChartTable> chartTableFor(const Report& report, ChartKind kind);
// The default size of a chart kind in exports and reports (logical pixels; points in PDF).
QSize defaultChartSize(const Report& report, ChartKind kind, int width = 720);

// The figure caption printed above a chart in the reports: what it shows and its provenance.
QString chartCaption(const Report& report, ChartKind kind);

// What `sinkscope chart` draws into the image besides the chart: chartCaption as the title (its
// provenance included) and a caption naming the model, hardware and context.
ChartHeading chartHeadingFor(const Report& report, ChartKind kind);
// A chart's data table as JSON: {"title", "columns", "rows": [[...], ...]} (numbers stay numbers).
QJsonObject chartTableToJson(const ChartTable& table);

}  // namespace sinkscope::ui
