// The modelled-attention computations the Heatmap and Sink curve tabs run on worker threads:
// the core probe per compared mitigation, mean over heads, cancellable with progress. Not drawing.
#pragma once

#include "compute/ComputeController.h"
#include "report/ChartData.h"
#include "scenario/Scenario.h"

namespace sinkscope::ui {

// The layer and heads a scenario's layer/head choice means for a model (-1: last layer; -1 head:
// the heads averaged, at most maxHeads of them spread evenly).
int resolvedLayer(const ModelSpec& model, int layer);
std::vector<int> resolvedHeads(const ModelSpec& model, int head, int maxHeads);
// The contexts of the sink curve: doubling from 512 up to the requested context (inclusive).
std::vector<qint64> sinkCurveContexts(qint64 contextTokens);

// Returns nullopt when cancelled. Mitigations that do not apply to the model are left out.
std::optional<SinkCurveChartData> computeSinkCurves(const ModelSpec& model, const ScenarioValues& values,
                                                    const JobContext& job);
std::optional<HeatmapChartData> computeHeatmaps(const ModelSpec& model, const ScenarioValues& values,
                                                const std::vector<Mitigation>& mitigations, const JobContext& job);

inline constexpr int kHeatmapRows = 64;
inline constexpr int kHeatmapBins = 128;
inline constexpr int kSinkCurveQueries = 32;

}  // namespace sinkscope::ui
