#include "report/ChartData.h"

#include "inference/Measurement.h"
#include "planner/MitigationModel.h"
#include "planner/PlanJson.h"
#include "planner/PlannerResources.h"
#include "planner/ReferencePoints.h"

#include <QJsonArray>
#include <algorithm>

namespace sinkscope {

namespace {

QJsonArray intArray(const std::vector<int>& values) {
  QJsonArray array;
  for (int v : values) array.append(v);
  return array;
}

const std::vector<std::pair<ChartKind, QString>>& kindNames() {
  static const std::vector<std::pair<ChartKind, QString>> names{
      {ChartKind::Heatmap, QStringLiteral("heatmap")},
      {ChartKind::SinkCurve, QStringLiteral("sink-curve")},
      {ChartKind::Memory, QStringLiteral("memory")},
      {ChartKind::Mitigations, QStringLiteral("mitigations")},
      {ChartKind::Confidence, QStringLiteral("confidence")},
      {ChartKind::MeasuredLoss, QStringLiteral("measured-loss")}};
  return names;
}

QJsonValue capJson(qint64 tokens) {
  return tokens > 0 ? QJsonValue(tokens) : QJsonValue(QJsonValue::Null);
}

QJsonObject metricsJson(const RowMetrics& m) {
  return QJsonObject{{QStringLiteral("sink_mass_1"), m.sinkMass1},
                     {QStringLiteral("sink_mass_4"), m.sinkMass4},
                     {QStringLiteral("entropy_nats"), m.entropy},
                     {QStringLiteral("normalized_entropy"), m.normalizedEntropy}};
}

QJsonArray rowsJson(const std::vector<MitigationPlan>& rows) {
  QJsonArray array;
  for (const MitigationPlan& row : rows) array.append(mitigationPlanToJson(row));
  return array;
}

std::vector<MitigationPlan> comparedRows(const Plan& plan, const std::vector<Mitigation>& compared) {
  std::vector<MitigationPlan> rows;
  for (Mitigation mitigation : compared)
    if (const MitigationPlan* row = planRow(plan, mitigation)) rows.push_back(*row);
  return rows;
}

}  // namespace

QString chartKindName(ChartKind kind) {
  for (const auto& [k, name] : kindNames())
    if (k == kind) return name;
  return QString();
}

std::optional<ChartKind> chartKindFromName(const QString& name) {
  for (ChartKind kind : allChartKinds())
    if (chartKindName(kind).compare(name, Qt::CaseInsensitive) == 0) return kind;
  return std::nullopt;
}

const std::vector<ChartKind>& allChartKinds() {
  static const std::vector<ChartKind> kinds{ChartKind::Heatmap, ChartKind::SinkCurve, ChartKind::Memory,
                                            ChartKind::Mitigations, ChartKind::Confidence};
  return kinds;
}

const MitigationPlan* planRow(const Plan& plan, Mitigation mitigation) {
  for (const MitigationPlan& row : plan.mitigations)
    if (row.mitigation == mitigation) return &row;
  return nullptr;
}

MemoryChartData memoryChartData(const ModelSpec& model, const HardwareSpec& hardware,
                                const PlanRequest& request, const Plan& plan, int points) {
  MemoryChartData data;
  data.modelName = model.displayName.isEmpty() ? model.id : model.displayName;
  data.hardwareName = hardware.displayName.isEmpty() ? hardware.id : hardware.displayName;
  data.atContext = plan.memory;
  data.contextTokens = plan.contextTokens;
  data.trainedContextTokens = plan.trainedContextTokens;
  data.capacityBytes = plan.memory.capacityBytes;
  data.fit = plan.fit;
  // From well below the trained context to past both the request and the fit limit.
  const qint64 first = std::max<qint64>(1, std::min(plan.contextTokens, plan.trainedContextTokens) / 4);
  qint64 last = std::max(plan.contextTokens, plan.trainedContextTokens) * 2;
  if (!plan.fit.unbounded && plan.fit.maxContextTokens > 0)
    last = std::max(
        last, std::min(plan.fit.maxContextTokens + plan.fit.maxContextTokens / 4, plan.contextTokens * 16));
  PlanRequest curveRequest = request;
  curveRequest.mitigation = plan.mitigation;
  data.curve = memoryCurveFor(model, hardware, curveRequest, contextGrid(first, last, points, true));
  return data;
}

ConfidenceChartData confidenceChartData(const Plan& plan, const std::vector<Mitigation>& compared) {
  ConfidenceChartData data;
  data.primaryMitigation = mitigationName(plan.mitigation);
  data.value = plan.confidence.value;
  data.reasons = plan.confidence.reasons;
  data.contextCapTokens = plan.contextCap;
  data.contextTokens = plan.contextTokens;
  data.trainedContextTokens = plan.trainedContextTokens;
  data.rows = comparedRows(plan, compared);
  return data;
}

MitigationsChartData mitigationsChartData(const Plan& plan, const std::vector<Mitigation>& compared) {
  MitigationsChartData data;
  data.contextTokens = plan.contextTokens;
  data.trainedContextTokens = plan.trainedContextTokens;
  data.rows = comparedRows(plan, compared);
  return data;
}

QJsonObject chartDataToJson(const MemoryChartData& data) {
  QJsonArray curve;
  for (const MemoryPoint& point : data.curve) {
    QJsonObject item = memoryToJson(point.memory);
    item.remove(QStringLiteral("source"));
    item.insert(QStringLiteral("context"), point.contextTokens);
    curve.append(item);
  }
  return QJsonObject{
      {QStringLiteral("chart"), QStringLiteral("memory")},
      {QStringLiteral("source"), provenanceName(Provenance::Modelled)},
      {QStringLiteral("model"), data.modelName},
      {QStringLiteral("hardware"), data.hardwareName},
      {QStringLiteral("context"), data.contextTokens},
      {QStringLiteral("trained_context"), data.trainedContextTokens},
      {QStringLiteral("capacity_bytes"), data.capacityBytes},
      {QStringLiteral("max_context_that_fits"),
       data.fit.unbounded ? QJsonValue(QJsonValue::Null) : QJsonValue(data.fit.maxContextTokens)},
      {QStringLiteral("at_context"), memoryToJson(data.atContext)},
      {QStringLiteral("curve"), curve}};
}

QJsonObject chartDataToJson(const ConfidenceChartData& data) {
  return QJsonObject{{QStringLiteral("chart"), QStringLiteral("confidence")},
                     {QStringLiteral("source"), provenanceName(Provenance::Modelled)},
                     {QStringLiteral("mitigation"), data.primaryMitigation},
                     {QStringLiteral("confidence"), confidenceToJson(Confidence{data.value, data.reasons})},
                     {QStringLiteral("context_cap"), capJson(data.contextCapTokens)},
                     {QStringLiteral("context"), data.contextTokens},
                     {QStringLiteral("trained_context"), data.trainedContextTokens},
                     {QStringLiteral("mitigations"), rowsJson(data.rows)}};
}

QJsonObject chartDataToJson(const MitigationsChartData& data) {
  return QJsonObject{{QStringLiteral("chart"), QStringLiteral("mitigations")},
                     {QStringLiteral("source"), provenanceName(Provenance::Modelled)},
                     {QStringLiteral("context"), data.contextTokens},
                     {QStringLiteral("trained_context"), data.trainedContextTokens},
                     {QStringLiteral("mitigations"), rowsJson(data.rows)}};
}

std::vector<EffectiveContextSeries> effectiveContextSeries(const ModelSpec& model,
                                                           const std::vector<Mitigation>& compared,
                                                           const std::vector<qint64>& contexts,
                                                           qint64 designContextTokens, Runtime runtime) {
  std::vector<EffectiveContextSeries> all;
  for (Mitigation mitigation : compared) {
    EffectiveContextSeries series;
    series.mitigation = mitigation;
    series.factor = plannerMitigationFactor(model, mitigation, designContextTokens);
    const std::vector<MitigationEstimate> curve = estimateMitigationCurve(
        model, mitigation, designContextTokens, contexts, plannerResources(), referenceSet(), runtime);
    for (const MitigationEstimate& estimate : curve) {
      series.applicable = series.applicable && estimate.applicable;
      if (estimate.applicable) series.samples.push_back({0, estimate.effectiveContext});
    }
    for (size_t i = 0; i < series.samples.size(); ++i) series.samples[i].contextTokens = contexts[i];
    if (!curve.empty()) series.explanation = curve.back().explanation;
    if (!series.applicable) series.samples.clear();
    all.push_back(std::move(series));
  }
  return all;
}

QJsonObject chartDataToJson(const SinkCurveChartData& data) {
  QJsonArray series;
  for (const SinkCurveSeries& s : data.series) {
    QJsonArray samples;
    for (const SinkCurveSample& sample : s.samples)
      samples.append(QJsonObject{{QStringLiteral("context"), sample.contextTokens},
                                 {QStringLiteral("mean"), metricsJson(sample.mean)},
                                 {QStringLiteral("last"), metricsJson(sample.last)}});
    series.append(QJsonObject{{QStringLiteral("mitigation"), mitigationName(s.mitigation)},
                              {QStringLiteral("samples"), samples}});
  }
  QJsonObject object{{QStringLiteral("chart"), QStringLiteral("sink-curve")},
                     {QStringLiteral("source"), provenanceName(data.provenance)},
                     {QStringLiteral("model"), data.modelName},
                     {QStringLiteral("layer"), data.layer},
                     {QStringLiteral("head"), data.head},
                     {QStringLiteral("heads"), intArray(data.heads)},
                     {QStringLiteral("trained_context"), data.trainedContextTokens},
                     {QStringLiteral("context_cap"), capJson(data.contextCapTokens)},
                     {QStringLiteral("series"), series}};
  if (!data.effective.empty()) {
    QJsonArray effective;
    for (const EffectiveContextSeries& s : data.effective) {
      QJsonArray samples;
      for (const EffectiveContextSample& sample : s.samples)
        samples.append(QJsonObject{{QStringLiteral("context"), sample.contextTokens},
                                   {QStringLiteral("effective_context"), sample.effectiveTokens.central},
                                   {QStringLiteral("effective_context_low"), sample.effectiveTokens.low},
                                   {QStringLiteral("effective_context_high"), sample.effectiveTokens.high}});
      effective.append(QJsonObject{{QStringLiteral("mitigation"), mitigationName(s.mitigation)},
                                   {QStringLiteral("factor"), s.factor},
                                   {QStringLiteral("applicable"), s.applicable},
                                   {QStringLiteral("source"), provenanceName(Provenance::Modelled)},
                                   {QStringLiteral("samples"), samples}});
    }
    object.insert(QStringLiteral("effective"), effective);
  }
  return object;
}

QJsonObject chartDataToJson(const HeatmapChartData& data) {
  QJsonArray panels;
  for (const HeatmapPanel& panel : data.panels) {
    const PooledHeatmap& map = panel.heatmap;
    QJsonArray mass;
    for (int r = 0; r < map.rows(); ++r) {
      QJsonArray row;
      for (int b = 0; b < map.bins(); ++b) row.append(double(map.at(r, b)));
      mass.append(row);
    }
    QJsonArray queries, bins;
    for (qint64 q : map.queryPositions) queries.append(q);
    for (qint64 b : map.binStart) bins.append(b);
    panels.append(QJsonObject{{QStringLiteral("mitigation"), mitigationName(panel.mitigation)},
                              {QStringLiteral("query_positions"), queries},
                              {QStringLiteral("bin_start"), bins},
                              {QStringLiteral("exact_key_columns"), map.exactKeyColumns},
                              {QStringLiteral("mass"), mass}});
  }
  return QJsonObject{{QStringLiteral("chart"), QStringLiteral("heatmap")},
                     {QStringLiteral("source"), provenanceName(data.provenance)},
                     {QStringLiteral("model"), data.modelName},
                     {QStringLiteral("layer"), data.layer},
                     {QStringLiteral("head"), data.head},
                     {QStringLiteral("heads"), intArray(data.heads)},
                     {QStringLiteral("context"), data.contextTokens},
                     {QStringLiteral("trained_context"), data.trainedContextTokens},
                     {QStringLiteral("panels"), panels}};
}

MeasuredLossChartData measuredLossChartData(const std::vector<const Measurement*>& runs) {
  MeasuredLossChartData data;
  if (runs.empty()) return data;
  const Measurement& first = *runs.front();
  data.modelName = first.modelName;
  data.trainedContextTokens = first.trainedContext;
  data.tokens = first.tokens;
  data.controlNll = first.controlNll;
  for (const Measurement* m : runs)
    data.series.push_back(
        {m->mitigation, m->forward.nll, m->forward.argmax, m->contextCap, m->lossSpike.detected});
  return data;
}

QJsonObject chartDataToJson(const MeasuredLossChartData& data) {
  const auto floats = [](const std::vector<float>& values) {
    QJsonArray array;
    for (float v : values) array.append(double(v));
    return array;
  };
  QJsonArray series;
  for (const MeasuredLossSeries& s : data.series)
    series.append(QJsonObject{{QStringLiteral("mitigation"), mitigationName(s.mitigation)},
                              {QStringLiteral("nll"), floats(s.nll)},
                              {QStringLiteral("context_cap"), s.contextCapTokens},
                              {QStringLiteral("loss_spike_detected"), s.spikeDetected}});
  return QJsonObject{{QStringLiteral("chart"), QStringLiteral("measured-loss")},
                     {QStringLiteral("source"), provenanceName(data.provenance)},
                     {QStringLiteral("model"), data.modelName},
                     {QStringLiteral("trained_context"), data.trainedContextTokens},
                     {QStringLiteral("control_nll"), floats(data.controlNll)},
                     {QStringLiteral("series"), series}};
}

QJsonObject chartDataToJson(const ReportChartData& data) {
  QJsonObject object{{QStringLiteral("memory"), chartDataToJson(data.memory)},
                     {QStringLiteral("confidence"), chartDataToJson(data.confidence)},
                     {QStringLiteral("mitigations"), chartDataToJson(data.mitigations)}};
  if (data.sinkCurve) object.insert(QStringLiteral("sink_curve"), chartDataToJson(*data.sinkCurve));
  if (data.heatmaps) object.insert(QStringLiteral("heatmap"), chartDataToJson(*data.heatmaps));
  if (data.measuredLoss) object.insert(QStringLiteral("measured_loss"), chartDataToJson(*data.measuredLoss));
  return object;
}

}  // namespace sinkscope
