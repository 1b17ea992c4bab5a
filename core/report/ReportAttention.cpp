// The report's attention data from the modelled probe (core/attention): the sink curve and the
// pooled heatmaps per compared mitigation, for the layer and heads modelledProbeRequest chooses
// by default (the same request the window's tabs make), heads averaged as the window averages them.
#include "attention/ModelledAttention.h"
#include "report/ModelledSeries.h"
#include "report/ReportSections.h"

#include <algorithm>

namespace sinkscope {

namespace {

// Each probe run (one mitigation's curve or heatmap) gets an equal share of 0.2..0.9.
struct Progress {
  const ReportCallbacks& callbacks;
  double runs = 1;
  int done = 0;
  ProbeCallbacks next() {
    const double start = 0.2 + 0.7 * double(done) / runs, span = 0.7 / runs;
    ++done;
    return {callbacks.isCancelled, [this, start, span](double fraction) {
              if (callbacks.progress)
                callbacks.progress(start + span * fraction, QStringLiteral("attention"));
            }};
  }
};

}  // namespace

void addModelledAttention(Report& report, const ReportCallbacks& callbacks) {
  const ModelSpec& model = report.model;
  if (model.trainedContext <= 0) return;  // nothing to align the generator with: sections say so
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
  Progress progress{callbacks, double(mitigations * 2)};
  for (Mitigation mitigation : report.scenario.mitigations) {
    const ModelledScheme choice{mitigation, probe.factor, StreamingCache::builtin(),
                                runtimeHonoursWindow(model, report.scenario.runtime)};
    curve.series.push_back(modelledSinkCurveSeries(model, probe, choice, progress.next()));
    maps.panels.push_back(
        {mitigation, modelledMeanHeatmap(model, probe, choice, progress.next()), QString()});
  }
  report.charts.sinkCurve = std::move(curve);
  report.charts.heatmaps = std::move(maps);
}

}  // namespace sinkscope
