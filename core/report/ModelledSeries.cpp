#include "report/ModelledSeries.h"

#include "common/Error.h"

#include <algorithm>

namespace sinkscope {

namespace {

void addWeighted(RowMetrics& sum, const RowMetrics& add, double weight) {
  sum.sinkMass1 += weight * add.sinkMass1;
  sum.sinkMass4 += weight * add.sinkMass4;
  sum.entropy += weight * add.entropy;
  sum.normalizedEntropy += weight * add.normalizedEntropy;
}

// The callbacks of the index-th of `count` equal runs inside the caller's 0..1 progress.
ProbeCallbacks runCallbacks(const ProbeCallbacks& callbacks, size_t index, size_t count) {
  const double start = double(index) / double(count), span = 1.0 / double(count);
  ProbeCallbacks run{callbacks.isCancelled, {}};
  if (callbacks.progress)
    run.progress = [&callbacks, start, span](double f) { callbacks.progress(start + span * f); };
  return run;
}

// Adds one head's needles (weighted) into the mean's: the worst rank wins, evicted stays evicted.
void addNeedles(std::vector<NeedleResult>& sum, const std::vector<NeedleResult>& add, double weight) {
  if (sum.empty()) {
    sum = add;
    for (NeedleResult& n : sum) n.weight = 0;
  }
  for (size_t i = 0; i < sum.size() && i < add.size(); ++i) {
    sum[i].weight += weight * add[i].weight;
    sum[i].inCache = sum[i].inCache && add[i].inCache;
    sum[i].rank = !sum[i].inCache ? -1 : std::max(sum[i].rank, add[i].rank);
  }
}

}  // namespace

std::vector<SinkCurvePoint> modelledMeanSinkCurve(const ModelSpec& model, const ModelledProbeRequest& probe,
                                                  const ModelledScheme& choice,
                                                  const ProbeCallbacks& callbacks) {
  std::vector<SinkCurvePoint> mean;
  const std::vector<int>& heads = probe.curveHeads;
  const double weight = 1.0 / double(heads.size());
  for (size_t h = 0; h < heads.size(); ++h) {
    const int head = heads[h];
    const auto source = modelledSource(model, probe.layer, head, probe.seed);
    const auto schemeAt = [&](qint64 n) { return modelledSchemeFor(model, choice, probe.layer, head, n); };
    const std::vector<SinkCurvePoint> points =
        computeSinkCurve(*source, schemeAt, probe.curve, runCallbacks(callbacks, h, heads.size()));
    if (mean.empty()) mean.resize(points.size());
    for (size_t i = 0; i < points.size(); ++i) {
      mean[i].contextTokens = points[i].contextTokens;
      mean[i].queries = points[i].queries;
      addWeighted(mean[i].mean, points[i].mean, weight);
      addWeighted(mean[i].last, points[i].last, weight);
      addNeedles(mean[i].needles, points[i].needles, weight);
    }
  }
  std::sort(mean.begin(), mean.end(), [](const SinkCurvePoint& a, const SinkCurvePoint& b) {
    return a.contextTokens < b.contextTokens;
  });
  return mean;
}

SinkCurveSeries modelledSinkCurveSeries(const ModelSpec& model, const ModelledProbeRequest& probe,
                                        const ModelledScheme& choice, const ProbeCallbacks& callbacks) {
  SinkCurveSeries series{choice.mitigation, {}};
  for (const SinkCurvePoint& point : modelledMeanSinkCurve(model, probe, choice, callbacks))
    series.samples.push_back({point.contextTokens, point.mean, point.last});
  return series;
}

PooledHeatmap modelledMeanHeatmap(const ModelSpec& model, const ModelledProbeRequest& probe,
                                  const ModelledScheme& choice, const ProbeCallbacks& callbacks,
                                  RowMetrics* lastQueryMean) {
  PooledHeatmap mean;
  const std::vector<int>& heads = probe.heatmapHeads;
  if (lastQueryMean) *lastQueryMean = RowMetrics{};
  for (size_t h = 0; h < heads.size(); ++h) {
    const int head = heads[h];
    const auto source = modelledSource(model, probe.layer, head, probe.seed);
    const auto result = runAttentionProbe(
        *source, modelledSchemeFor(model, choice, probe.layer, head, probe.heatmap.contextTokens),
        probe.heatmap, runCallbacks(callbacks, h, heads.size()));
    if (mean.mass.empty()) {
      mean = result.heatmap;
      std::fill(mean.mass.begin(), mean.mass.end(), 0.0f);
    }
    for (size_t i = 0; i < mean.mass.size(); ++i)
      mean.mass[i] += result.heatmap.mass[i] / float(heads.size());
    if (lastQueryMean && !result.rows.empty())
      addWeighted(*lastQueryMean, result.rows.back(), 1.0 / double(heads.size()));
  }
  return mean;
}

std::optional<QString> modelledSchemeRefusal(const ModelSpec& model, const ModelledProbeRequest& probe,
                                             const ModelledScheme& choice) {
  try {
    modelledSchemeFor(model, choice, probe.layer, probe.curveHeads.front(), probe.heatmap.contextTokens);
    return std::nullopt;
  } catch (const Error& refusal) {
    return refusal.message();  // the reason goes to the caller, who shows it
  }
}

}  // namespace sinkscope
