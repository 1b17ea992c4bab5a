// The report's attention data from the modelled probe (core/attention): the sink curve and the
// pooled heatmaps of one head, per compared mitigation, with the same settings as `sinkscope probe`.
#include "attention/ModelledAttention.h"
#include "report/ReportSections.h"

#include <algorithm>

namespace sinkscope {

namespace {

constexpr int kHeatmapRows = 64;       // as `sinkscope probe` (query rows)
constexpr int kHeatmapBins = 128;      // as `sinkscope probe` (key bins, the first 4 exact)
constexpr int kQueriesPerContext = 64; // as `sinkscope probe --queries`

// Doubling from 1K to the requested context, plus the trained context (as `sinkscope probe`).
std::vector<qint64> curveContexts(qint64 context, qint64 trained) {
  std::vector<qint64> contexts;
  for (qint64 n = 1024; n < context; n *= 2) contexts.push_back(n);
  contexts.push_back(context);
  if (trained > 8 && trained < context) contexts.push_back(trained);
  std::sort(contexts.begin(), contexts.end());
  contexts.erase(std::unique(contexts.begin(), contexts.end()), contexts.end());
  return contexts;
}

}  // namespace

int reportProbeLayer(const ModelSpec& model) { return std::max(model.layers, 1) / 2; }

bool addModelledAttention(Report& report, const ReportCallbacks& callbacks) {
  const ModelSpec& model = report.model;
  if (model.trainedContext <= 0) return true;  // nothing to align the generator with: sections say so
  const int layer = reportProbeLayer(model), head = 0;
  const std::unique_ptr<SyntheticQueryKeySource> source = modelledSource(model, layer, head);
  SinkCurveChartData curve;
  curve.modelName = report.charts.memory.modelName;
  curve.layer = layer;
  curve.head = head;
  curve.trainedContextTokens = model.trainedContext;
  curve.contextCapTokens = report.plan.contextCap;
  HeatmapChartData maps;
  maps.modelName = curve.modelName;
  maps.layer = layer;
  maps.head = head;
  maps.contextTokens = report.scenario.contextTokens;
  maps.trainedContextTokens = model.trainedContext;
  const size_t steps = report.scenario.mitigations.size();
  for (size_t i = 0; i < steps; ++i) {
    const Mitigation mitigation = report.scenario.mitigations[i];
    ModelledScheme choice;
    choice.mitigation = mitigation;
    choice.factor = defaultMitigationFactor(model, maps.contextTokens);
    choice.streaming = StreamingCache::builtin();
    const auto schemeAt = [&](qint64 n) { return modelledSchemeFor(model, choice, head, n); };
    ProbeCallbacks probeCallbacks;
    probeCallbacks.isCancelled = callbacks.isCancelled;
    probeCallbacks.progress = [&](double fraction) {
      if (callbacks.progress)
        callbacks.progress(0.2 + 0.7 * (double(i) + fraction) / double(steps), QStringLiteral("attention"));
    };
    SinkCurveRequest request;
    request.contexts = curveContexts(maps.contextTokens, model.trainedContext);
    request.queriesPerContext = kQueriesPerContext;
    request.trainedContext = model.trainedContext;
    const auto points = computeSinkCurve(*source, schemeAt, request, probeCallbacks);
    if (!points) return false;
    SinkCurveSeries series{mitigation, {}};
    for (const SinkCurvePoint& p : *points) series.samples.push_back({p.contextTokens, p.mean, p.last});
    curve.series.push_back(std::move(series));
    ProbeRequest heatmap;
    heatmap.contextTokens = maps.contextTokens;
    heatmap.queryPositions = evenlySpacedQueries(maps.contextTokens, kHeatmapRows, 0);
    heatmap.bins = kHeatmapBins;
    heatmap.exactKeyColumns = 4;
    const auto result = runAttentionProbe(*source, schemeAt(maps.contextTokens), heatmap, probeCallbacks);
    if (!result) return false;
    maps.panels.push_back({mitigation, result->heatmap});
  }
  report.charts.sinkCurve = std::move(curve);
  report.charts.heatmaps = std::move(maps);
  return true;
}

}  // namespace sinkscope
