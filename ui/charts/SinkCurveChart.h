// The sink curve: the share of attention on the first token(s) against context length, one line
// per mitigation (distinct colour and dash), with the trained context and the context_cap marked.
// Drawn the same on screen and in exports. Not the probe that computes it (core/attention).
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "report/ChartData.h"

namespace sinkscope::ui {

enum class SinkMetric { SinkMass1, SinkMass4, NormalizedEntropy };
QString sinkMetricLabel(SinkMetric metric);  // axis label with its unit

ChartBuilder sinkCurveChart(SinkCurveChartData data, SinkMetric metric = SinkMetric::SinkMass1);
// One row per (mitigation, context): every metric, mean over the sampled queries and the last query.
ChartTable sinkCurveChartTable(const SinkCurveChartData& data);

}  // namespace sinkscope::ui
