// The Sink curve's "effective context" view: the mitigation model's passkey-style effective
// context against context (log-log, band shaded, y = x guide) with the literature's reference
// points as markers and their hover text. Not the estimate itself (core/planner/MitigationModel).
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "planner/ReferencePoints.h"
#include "report/ChartData.h"

#include <QPointF>
#include <memory>

class QCustomPlot;

namespace sinkscope::ui {

// The points drawn: every effectiveContextReferences() point of resources/references.json.
const std::vector<EffectiveContextReference>& effectiveContextMarkers();

// The palette index of a mitigation on both sink-curve views: its place in the compared list.
int sinkCurveColorIndex(const SinkCurveChartData& data, Mitigation mitigation);

ChartBuilder effectiveContextBuilder(std::shared_ptr<const SinkCurveChartData> data);
// Modelled rows (one per mitigation and context) then the literature rows, with a source column.
ChartTable effectiveContextTable(const SinkCurveChartData& data);

// What a marker says on hover: model, mitigation, metric, value, context and source.
QString referenceMarkerText(const EffectiveContextReference& reference, bool currentModel);
// The hover text of every marker within radiusPixels of a point of the plot (empty: none);
// reads the marker graphs the builder drew.
QString referenceMarkersTextAt(const QCustomPlot& plot, QPointF pixel, double radiusPixels = 8);
// Name of the dynamic property that tags a marker graph with its reference id.
inline constexpr char kReferenceIdProperty[] = "sinkscopeReferenceId";

}  // namespace sinkscope::ui
