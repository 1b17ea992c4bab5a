// The modelled-attention computations the Heatmap and Sink curve tabs run on worker threads:
// the core probe per compared mitigation, mean over heads, cancellable with progress. Not drawing,
// and not the choice of layer, heads and contexts (core modelledProbeRequest, shared with the report).
#pragma once

#include "attention/ModelledAttention.h"
#include "compute/ComputeController.h"
#include "report/ChartData.h"
#include "scenario/Scenario.h"

namespace sinkscope::ui {

// Throw Cancelled (common/Cancelled.h) when the job is cancelled. Mitigations that do not apply to
// the model are left out and listed, with core's reason, in the data's notDrawn.
SinkCurveChartData computeSinkCurves(const ModelSpec& model, const ScenarioValues& values,
                                     const JobContext& job);
HeatmapChartData computeHeatmaps(const ModelSpec& model, const ScenarioValues& values,
                                 const std::vector<Mitigation>& mitigations, const JobContext& job);

// " Not drawn: <mitigation>: <why>; …." for a tab's note (HTML-escaped), empty when all were drawn.
QString notDrawnNote(const QStringList& notDrawn);

}  // namespace sinkscope::ui
