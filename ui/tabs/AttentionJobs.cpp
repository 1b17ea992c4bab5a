#include "tabs/AttentionJobs.h"

#include "attention/ModelledAttention.h"
#include "planner/Confidence.h"
#include "planner/PlannerResources.h"

#include <algorithm>

namespace sinkscope::ui {

namespace {

ProbeCallbacks callbacksFor(const JobContext& job, double start, double span) {
  return {job.cancelFunction(), [job, start, span](double f) { job.setProgress(start + span * f); }};
}

void accumulate(RowMetrics& sum, const RowMetrics& add, double weight) {
  sum.sinkMass1 += weight * add.sinkMass1;
  sum.sinkMass4 += weight * add.sinkMass4;
  sum.entropy += weight * add.entropy;
  sum.normalizedEntropy += weight * add.normalizedEntropy;
}

}  // namespace

std::optional<SinkCurveChartData> computeSinkCurves(const ModelSpec& model, const ScenarioValues& values,
                                                    const JobContext& job) {
  SinkCurveChartData data;
  data.modelName = model.displayName;
  data.modelId = model.id;
  const ModelledProbeRequest probe = modelledProbeRequest(model, values.contextTokens, values.layer, values.head);
  data.layer = probe.layer;
  const std::vector<int>& heads = probe.curveHeads;
  data.head = probe.curveHead();
  data.heads = heads;
  data.trainedContextTokens = model.trainedContext;
  const double factor = probe.factor;
  const Mitigation primary = values.primaryMitigation();
  data.contextCapTokens = estimateContextCap(model, primary, factor, plannerResources()).tokens;
  const SinkCurveRequest& request = probe.curve;
  const double jobs = double(values.mitigations.size() * heads.size());
  int done = 0;
  for (Mitigation mitigation : values.mitigations) {
    SinkCurveSeries series;
    series.mitigation = mitigation;
    const ModelledScheme scheme{mitigation, factor, StreamingCache::builtin()};
    bool applies = true;
    for (int head : heads) {
      std::unique_ptr<SyntheticQueryKeySource> source = modelledSource(model, data.layer, head);
      std::function<PositionalScheme(qint64)> schemeAt = [&](qint64 n) { return modelledSchemeFor(model, scheme, data.layer, head, n); };
      try {
        schemeAt(values.contextTokens);
      } catch (const std::exception&) {
        applies = false;  // e.g. longrope without factors: not drawn
        break;
      }
      const auto curve = computeSinkCurve(*source, schemeAt, request, callbacksFor(job, done / jobs, 1.0 / jobs));
      ++done;
      if (!curve) return std::nullopt;
      if (series.samples.empty()) series.samples.resize(curve->size());
      for (size_t i = 0; i < curve->size(); ++i) {
        series.samples[i].contextTokens = (*curve)[i].contextTokens;
        accumulate(series.samples[i].mean, (*curve)[i].mean, 1.0 / double(heads.size()));
        accumulate(series.samples[i].last, (*curve)[i].last, 1.0 / double(heads.size()));
      }
    }
    if (applies) {
      std::sort(series.samples.begin(), series.samples.end(),
                [](const SinkCurveSample& a, const SinkCurveSample& b) { return a.contextTokens < b.contextTokens; });
      data.series.push_back(std::move(series));
    }
  }
  // The planner's effective context at the same contexts (cheap next to the probe).
  data.effective = effectiveContextSeries(model, values.mitigations, request.contexts, values.contextTokens);
  if (job.isCancelled()) return std::nullopt;
  return data;
}

std::optional<HeatmapChartData> computeHeatmaps(const ModelSpec& model, const ScenarioValues& values,
                                                const std::vector<Mitigation>& mitigations, const JobContext& job) {
  HeatmapChartData data;
  data.modelName = model.displayName;
  const ModelledProbeRequest probe = modelledProbeRequest(model, values.contextTokens, values.layer, values.head);
  data.layer = probe.layer;
  const std::vector<int>& heads = probe.heatmapHeads;
  data.head = probe.heatmapHead();
  data.heads = heads;
  data.contextTokens = values.contextTokens;
  data.trainedContextTokens = model.trainedContext;
  const double factor = probe.factor;
  const ProbeRequest& request = probe.heatmap;
  const double jobs = double(mitigations.size() * heads.size());
  int done = 0;
  for (Mitigation mitigation : mitigations) {
    const ModelledScheme scheme{mitigation, factor, StreamingCache::builtin()};
    HeatmapPanel panel;
    panel.mitigation = mitigation;
    bool applies = true;
    for (int head : heads) {
      PositionalScheme positional;
      try {
        positional = modelledSchemeFor(model, scheme, data.layer, head, values.contextTokens);
      } catch (const std::exception&) {
        applies = false;
        break;
      }
      std::unique_ptr<SyntheticQueryKeySource> source = modelledSource(model, data.layer, head);
      const auto result = runAttentionProbe(*source, positional, request, callbacksFor(job, done / jobs, 1.0 / jobs));
      ++done;
      if (!result) return std::nullopt;
      if (panel.heatmap.mass.empty()) {
        panel.heatmap = result->heatmap;
        std::fill(panel.heatmap.mass.begin(), panel.heatmap.mass.end(), 0.0f);
      }
      for (size_t i = 0; i < panel.heatmap.mass.size(); ++i)
        panel.heatmap.mass[i] += result->heatmap.mass[i] / float(heads.size());
    }
    if (applies) data.panels.push_back(std::move(panel));
  }
  return data;
}

}  // namespace sinkscope::ui
