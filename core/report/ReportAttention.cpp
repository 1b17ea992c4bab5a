// The report's attention data from the modelled probe (core/attention): the sink curve and the
// pooled heatmaps per compared mitigation, for the layer and heads modelledProbeRequest chooses
// by default (the same request the window's tabs make), heads averaged as the window averages them.
#include "attention/ModelledAttention.h"
#include "report/ReportSections.h"

#include <algorithm>

namespace sinkscope {

namespace {

void addWeighted(RowMetrics& sum, const RowMetrics& add, double weight) {
  sum.sinkMass1 += weight * add.sinkMass1;
  sum.sinkMass4 += weight * add.sinkMass4;
  sum.entropy += weight * add.entropy;
  sum.normalizedEntropy += weight * add.normalizedEntropy;
}

struct Progress {
  const ReportCallbacks& callbacks;
  double runs = 1;
  int done = 0;
  ProbeCallbacks next() {
    const double start = 0.2 + 0.7 * double(done) / runs, span = 0.7 / runs;
    ++done;
    return {callbacks.isCancelled, [this, start, span](double fraction) {
              if (callbacks.progress) callbacks.progress(start + span * fraction, QStringLiteral("attention"));
            }};
  }
};

// The curve of one mitigation, averaged over the request's curve heads; nullopt when cancelled.
std::optional<SinkCurveSeries> curveSeries(const ModelSpec& model, const ModelledProbeRequest& probe,
                                           const ModelledScheme& choice, Progress& progress) {
  SinkCurveSeries series{choice.mitigation, {}};
  const double weight = 1.0 / double(probe.curveHeads.size());
  for (int head : probe.curveHeads) {
    const auto source = modelledSource(model, probe.layer, head);
    const auto schemeAt = [&](qint64 n) { return modelledSchemeFor(model, choice, probe.layer, head, n); };
    const auto points = computeSinkCurve(*source, schemeAt, probe.curve, progress.next());
    if (!points) return std::nullopt;
    if (series.samples.empty()) series.samples.resize(points->size());
    for (size_t i = 0; i < points->size(); ++i) {
      series.samples[i].contextTokens = (*points)[i].contextTokens;
      addWeighted(series.samples[i].mean, (*points)[i].mean, weight);
      addWeighted(series.samples[i].last, (*points)[i].last, weight);
    }
  }
  std::sort(series.samples.begin(), series.samples.end(),
            [](const SinkCurveSample& a, const SinkCurveSample& b) { return a.contextTokens < b.contextTokens; });
  return series;
}

// The heatmap of one mitigation, averaged over the request's heatmap heads; nullopt when cancelled.
std::optional<PooledHeatmap> averagedHeatmap(const ModelSpec& model, const ModelledProbeRequest& probe,
                                             const ModelledScheme& choice, Progress& progress) {
  PooledHeatmap mean;
  for (int head : probe.heatmapHeads) {
    const auto source = modelledSource(model, probe.layer, head);
    const auto result = runAttentionProbe(*source, modelledSchemeFor(model, choice, probe.layer, head, probe.heatmap.contextTokens),
                                          probe.heatmap, progress.next());
    if (!result) return std::nullopt;
    if (mean.mass.empty()) {
      mean = result->heatmap;
      std::fill(mean.mass.begin(), mean.mass.end(), 0.0f);
    }
    for (size_t i = 0; i < mean.mass.size(); ++i) mean.mass[i] += result->heatmap.mass[i] / float(probe.heatmapHeads.size());
  }
  return mean;
}

}  // namespace

bool addModelledAttention(Report& report, const ReportCallbacks& callbacks) {
  const ModelSpec& model = report.model;
  if (model.trainedContext <= 0) return true;  // nothing to align the generator with: sections say so
  const ModelledProbeRequest probe = modelledProbeRequest(model, report.scenario.contextTokens);
  SinkCurveChartData curve;
  curve.modelName = report.charts.memory.modelName;
  curve.layer = probe.layer;
  curve.head = probe.curveHead();
  curve.heads = probe.curveHeads;
  curve.trainedContextTokens = model.trainedContext;
  curve.contextCapTokens = report.plan.contextCap;
  HeatmapChartData maps;
  maps.modelName = curve.modelName;
  maps.layer = probe.layer;
  maps.head = probe.heatmapHead();
  maps.heads = probe.heatmapHeads;
  maps.contextTokens = report.scenario.contextTokens;
  maps.trainedContextTokens = model.trainedContext;
  const size_t mitigations = report.scenario.mitigations.size();
  Progress progress{callbacks, double(mitigations * (probe.curveHeads.size() + probe.heatmapHeads.size()))};
  for (Mitigation mitigation : report.scenario.mitigations) {
    const ModelledScheme choice{mitigation, probe.factor, StreamingCache::builtin()};
    auto series = curveSeries(model, probe, choice, progress);
    if (!series) return false;
    curve.series.push_back(std::move(*series));
    auto heatmap = averagedHeatmap(model, probe, choice, progress);
    if (!heatmap) return false;
    maps.panels.push_back({mitigation, std::move(*heatmap)});
  }
  report.charts.sinkCurve = std::move(curve);
  report.charts.heatmaps = std::move(maps);
  return true;
}

}  // namespace sinkscope
