// Which builder draws each chart kind of a report, and its data table: the one mapping from
// ChartKind to the ui/charts builders, shared by the report writers and `sinkscope chart`.
// Not the builders themselves and not the data (core/report ChartData).
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "report/ChartData.h"

#include <QSize>
#include <optional>

namespace sinkscope::ui {

// nullopt when the report holds no data for that kind (e.g. no probe for the model).
std::optional<ChartBuilder> chartBuilderFor(const ReportChartData& data, ChartKind kind);
std::optional<ChartTable> chartTableFor(const ReportChartData& data, ChartKind kind);
// The default size of a chart kind in exports and reports (logical pixels; points in PDF).
QSize defaultChartSize(const ReportChartData& data, ChartKind kind, int width = 720);

// A chart's data table as JSON: {"title", "columns", "rows": [[...], ...]} (numbers stay numbers).
QJsonObject chartTableToJson(const ChartTable& table);

}  // namespace sinkscope::ui
