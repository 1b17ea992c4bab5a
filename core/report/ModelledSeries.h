// The modelled probe run for one compared mitigation, heads averaged: the sink-curve series and
// the pooled heatmap that the window's tabs and the report both draw. Not the choice of layer,
// heads and contexts (modelledProbeRequest) and not the drawing.
#pragma once

#include "attention/AttentionProbe.h"
#include "attention/ModelledAttention.h"
#include "report/ChartData.h"

#include <optional>

namespace sinkscope {

// The sink curve of `choice` averaged over probe.curveHeads, ascending contexts. progress
// reports 0..1 over all heads. Throws Cancelled when asked to stop, Error(BadInput) when the
// mitigation does not apply to the model (see modelledSchemeFor).
SinkCurveSeries modelledSinkCurveSeries(const ModelSpec& model, const ModelledProbeRequest& probe,
                                        const ModelledScheme& choice, const ProbeCallbacks& callbacks = {});

// The same mean with the sampled-query count and the needles kept, as `sinkscope probe` prints
// it: a needle's weight is the heads' mean, its rank the worst head's (so it counts as retrieved
// only when every averaged head ranks it first); in_cache and position are the same for every head.
// Throws as modelledSinkCurveSeries does.
std::vector<SinkCurvePoint> modelledMeanSinkCurve(const ModelSpec& model, const ModelledProbeRequest& probe,
                                                  const ModelledScheme& choice,
                                                  const ProbeCallbacks& callbacks = {});

// The pooled heatmap of `choice` at probe.heatmap.contextTokens, averaged over probe.heatmapHeads.
// lastQueryMean, when given, receives the last query row's metrics averaged over the same heads.
// Throws Cancelled when asked to stop, Error(BadInput) when the mitigation does not apply.
PooledHeatmap modelledMeanHeatmap(const ModelSpec& model, const ModelledProbeRequest& probe,
                                  const ModelledScheme& choice, const ProbeCallbacks& callbacks = {},
                                  RowMetrics* lastQueryMean = nullptr);

// Why `choice` cannot be modelled for the model (longrope without factors, alibi on a RoPE model),
// in core's words; nullopt when it applies.
std::optional<QString> modelledSchemeRefusal(const ModelSpec& model, const ModelledProbeRequest& probe,
                                             const ModelledScheme& choice);

}  // namespace sinkscope
