#include "tabs/AttentionJobs.h"

#include "attention/ModelledAttention.h"
#include "common/Cancelled.h"
#include "planner/Confidence.h"
#include "planner/MitigationModel.h"
#include "planner/PlannerResources.h"
#include "planner/ReferencePoints.h"
#include "report/ModelledSeries.h"

namespace sinkscope::ui {

namespace {

ProbeCallbacks callbacksFor(const JobContext& job, double start, double span) {
  return {job.cancelFunction(), [job, start, span](double f) { job.setProgress(start + span * f); }};
}

// "<mitigation>: <core's reason>", for the tab's note.
QString notDrawnText(Mitigation mitigation, const QString& refusal) {
  return QStringLiteral("%1: %2").arg(mitigationName(mitigation), refusal);
}

}  // namespace

SinkCurveChartData computeSinkCurves(const ModelSpec& model, const ScenarioValues& values,
                                     const JobContext& job) {
  SinkCurveChartData data;
  data.modelName = model.displayName;
  data.modelId = model.id;
  const ModelledProbeRequest probe =
      modelledProbeRequest(model, values.contextTokens, values.layer, values.head);
  data.layer = probe.layer;
  const std::vector<int>& heads = probe.curveHeads;
  data.head = probe.curveHead();
  data.heads = heads;
  data.trainedContextTokens = model.trainedContext;
  const double factor = probe.factor;
  const Mitigation primary = values.primaryMitigation();
  data.contextCapTokens = estimateContextCap(model, primary, factor, plannerResources(),
                                             runtimeHonoursWindow(model, values.runtime))
                              .tokens;
  const double runs = double(values.mitigations.size());
  int done = 0;
  for (Mitigation mitigation : values.mitigations) {
    const ModelledScheme scheme{mitigation, factor, StreamingCache::builtin(),
                                runtimeHonoursWindow(model, values.runtime)};
    if (const auto refusal = modelledSchemeRefusal(model, probe, scheme)) {  // e.g. longrope without factors
      data.notDrawn << notDrawnText(mitigation, *refusal);
      continue;
    }
    data.series.push_back(
        modelledSinkCurveSeries(model, probe, scheme, callbacksFor(job, done++ / runs, 1.0 / runs)));
  }
  // The planner's effective context at the same contexts (cheap next to the probe).
  data.effective = effectiveContextSeries(model, values.mitigations, probe.curve.contexts,
                                          values.contextTokens, values.runtime);
  stopIfCancelled(job.cancelFunction());
  return data;
}

HeatmapChartData computeHeatmaps(const ModelSpec& model, const ScenarioValues& values,
                                 const std::vector<Mitigation>& mitigations, const JobContext& job) {
  HeatmapChartData data;
  data.modelName = model.displayName;
  const ModelledProbeRequest probe =
      modelledProbeRequest(model, values.contextTokens, values.layer, values.head);
  data.layer = probe.layer;
  const std::vector<int>& heads = probe.heatmapHeads;
  data.head = probe.heatmapHead();
  data.heads = heads;
  data.contextTokens = values.contextTokens;
  data.trainedContextTokens = model.trainedContext;
  const double factor = probe.factor;
  const bool honourWindow = runtimeHonoursWindow(model, values.runtime);
  data.windowTokens = honourWindow ? modelWindowAt(model, probe.layer) : 0;
  data.runtime = runtimeName(values.runtime);
  const double runs = double(mitigations.size());
  int done = 0;
  for (Mitigation mitigation : mitigations) {
    const ModelledScheme scheme{mitigation, factor, StreamingCache::builtin(), honourWindow};
    if (const auto refusal = modelledSchemeRefusal(model, probe, scheme)) {
      data.notDrawn << notDrawnText(mitigation, *refusal);
      continue;
    }
    RowMetrics lastQuery;
    PooledHeatmap heatmap =
        modelledMeanHeatmap(model, probe, scheme, callbacksFor(job, done++ / runs, 1.0 / runs), &lastQuery);
    data.lastQueryMetrics.push_back(lastQuery);
    MitigationScenario planned;  // the planner's verdict for the same setting, for the compare note
    planned.contextTokens = values.contextTokens;
    planned.factor = plannerMitigationFactor(model, mitigation, values.contextTokens);
    planned.streamingCacheTokens = plannerStreamingCacheTokens(model, plannerResources());
    planned.runtime = values.runtime;
    const MitigationEstimate estimate =
        estimateMitigation(model, mitigation, planned, plannerResources(), referenceSet());
    data.panels.push_back({mitigation, std::move(heatmap), verdictName(estimate.verdict.kind)});
  }
  return data;
}

QString notDrawnNote(const QStringList& notDrawn) {
  if (notDrawn.isEmpty()) return QString();
  return QObject::tr(" Not drawn: %1.").arg(notDrawn.join(QStringLiteral("; ")).toHtmlEscaped());
}

}  // namespace sinkscope::ui
