#include "report/Report.h"

#include "catalog/Catalog.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "inference/Measurement.h"
#include "planner/PlanJson.h"
#include "report/ReportSections.h"

#include <sinkscope/Version.h>

#include <QJsonArray>
#include <algorithm>
#include <cmath>

namespace sinkscope {

Mitigation primaryMitigation(const ReportScenario& scenario) {
  for (Mitigation mitigation : scenario.mitigations)
    if (mitigation != Mitigation::Baseline) return mitigation;
  return Mitigation::Baseline;
}

const ReportSection* Report::section(const QString& id) const {
  for (const ReportSection& s : sections)
    if (s.id == id) return &s;
  return nullptr;
}

bool isAppendixSection(const ReportSection& section) {
  return section.id == QLatin1String("references");
}

namespace {

void checkScenario(const ReportScenario& scenario) {
  if (scenario.contextTokens <= 0)
    throwBadInput(QString(), QStringLiteral("context"), QStringLiteral("must be positive"));
  if (scenario.mitigations.empty())
    throwBadInput(QString(), QStringLiteral("mitigations"), QStringLiteral("name at least one mitigation"));
  const bool measuring = !scenario.ggufPath.isEmpty() || !scenario.finishedMeasurements.empty();
  if (!measuring && (!scenario.textPath.isEmpty() || scenario.measureContextTokens ||
                     scenario.measureTrainedContext || scenario.measureSlidingWindow))
    throw Error(
        ErrorKind::Usage, QString(), QStringLiteral("gguf"),
        QStringLiteral("a text, a measure context, a trained context or a sliding window needs a GGUF "
                       "checkpoint to measure"));
}

QString planCommandFor(const ReportScenario& scenario) {
  const QString gpus =
      scenario.gpusPerNode * scenario.nodes > 1
          ? QStringLiteral(" --gpus %1 --nodes %2").arg(scenario.gpusPerNode).arg(scenario.nodes)
          : QString();
  return QStringLiteral("sinkscope plan --model %1 --hardware %2 --context %3 --runtime %4%5 --json")
      .arg(scenario.model, scenario.hardware)
      .arg(scenario.contextTokens)
      .arg(runtimeName(scenario.runtime), gpus);
}

QJsonObject scenarioToJson(const ReportScenario& scenario) {
  QJsonArray mitigations;
  for (Mitigation mitigation : scenario.mitigations) mitigations.append(mitigationName(mitigation));
  QJsonObject object{{QStringLiteral("model"), scenario.model},
                     {QStringLiteral("hardware"), scenario.hardware},
                     {QStringLiteral("context"), scenario.contextTokens},
                     {QStringLiteral("gpus_per_node"), scenario.gpusPerNode},
                     {QStringLiteral("nodes"), scenario.nodes},
                     {QStringLiteral("mitigations"), mitigations},
                     {QStringLiteral("runtime"), runtimeName(scenario.runtime)}};
  return object;
}

QJsonObject sectionToJson(const ReportSection& section) {
  QJsonArray keyValues, tables, charts;
  for (const ReportKeyValue& kv : section.keyValues)
    keyValues.append(QJsonObject{{QStringLiteral("key"), kv.key}, {QStringLiteral("value"), kv.value}});
  for (const ReportTable& table : section.tables) {
    QJsonArray rows;
    for (const QStringList& row : table.rows) rows.append(QJsonArray::fromStringList(row));
    tables.append(QJsonObject{{QStringLiteral("title"), table.title},
                              {QStringLiteral("columns"), QJsonArray::fromStringList(table.columns)},
                              {QStringLiteral("rows"), rows},
                              {QStringLiteral("note"), table.note}});
  }
  for (ChartKind kind : section.charts) charts.append(chartKindName(kind));
  return QJsonObject{{QStringLiteral("id"), section.id},
                     {QStringLiteral("title"), section.title},
                     {QStringLiteral("paragraphs"), QJsonArray::fromStringList(section.paragraphs)},
                     {QStringLiteral("key_values"), keyValues},
                     {QStringLiteral("tables"), tables},
                     {QStringLiteral("charts"), charts},
                     {QStringLiteral("bullets"), QJsonArray::fromStringList(section.bullets)}};
}

}  // namespace

Report buildReport(const ReportScenario& requested, const ReportCallbacks& callbacks, const QDateTime& now,
                   bool includeAttention) {
  checkScenario(requested);
  const auto progress = [&](double fraction, const QString& stage) {
    if (callbacks.progress) callbacks.progress(fraction, stage);
  };
  Report report;
  report.version = QString::fromLatin1(kVersion);
  report.generatedUtc = now.toUTC();
  report.scenario = requested;
  const ReportScenario& scenario = report.scenario;
  progress(0.0, QStringLiteral("plan"));
  report.model = resolveModel(scenario.model);
  // Defaults that apply to the model: NTK scaling means nothing to an ALiBi model.
  if (requested.mitigationsDefaulted && !report.model.usesRope)
    report.scenario.mitigations = {Mitigation::Baseline, Mitigation::Streaming};
  report.hardware = resolveHardware(scenario.hardware);
  const std::vector<Mitigation> applicable = mitigationsFor(report.model.usesRope);
  for (Mitigation mitigation : scenario.mitigations)
    if (std::find(applicable.begin(), applicable.end(), mitigation) == applicable.end())
      throwBadInput(scenario.model, QStringLiteral("mitigations"),
                    QStringLiteral("'%1' does not apply to this model").arg(mitigationName(mitigation)));
  report.planRequest.contextTokens = scenario.contextTokens;
  report.planRequest.runtime = scenario.runtime;  // the plan is made for what a person would run
  report.planRequest.parallel.gpusPerNode = scenario.gpusPerNode;
  report.planRequest.parallel.nodes = scenario.nodes;
  report.plan = makePlan(report.model, report.hardware, report.planRequest);
  report.planCommand = planCommandFor(scenario);
  for (Mitigation mitigation : scenario.mitigations)
    if (!planRow(report.plan, mitigation))
      throwBadInput(scenario.model, QStringLiteral("mitigations"),
                    QStringLiteral("'%1' does not apply to this model").arg(mitigationName(mitigation)));
  report.charts.memory = memoryChartData(report.model, report.hardware, report.planRequest, report.plan);
  report.charts.confidence = confidenceChartData(report.plan, scenario.mitigations);
  report.charts.mitigations = mitigationsChartData(report.plan, scenario.mitigations);
  stopIfCancelled(callbacks.isCancelled);
  progress(0.2, QStringLiteral("attention"));
  if (includeAttention) addModelledAttention(report, callbacks);
  progress(0.9, QStringLiteral("measured"));
  addMeasurements(report, callbacks);
  progress(0.98, QStringLiteral("sections"));
  report.title = QStringLiteral("Long-context capacity report: %1 on %2 at %3")
                     .arg(report.charts.memory.modelName, report.charts.memory.hardwareName,
                          tokensText(scenario.contextTokens));
  layOutSections(report);
  progress(1.0, QStringLiteral("done"));
  return report;
}

namespace {

// The measured runs' key numbers (as `measure --json` names them); file names, never folders.
QJsonObject measuredToJson(const ReportMeasured& measured) {
  QJsonArray runs;
  for (const auto& run : measured.runs) {
    const Measurement& m = *run;
    runs.append(QJsonObject{{QStringLiteral("mitigation"), mitigationName(m.mitigation)},
                            {QStringLiteral("factor"), m.factor},
                            {QStringLiteral("tokens"), qint64(m.tokens.size())},
                            {QStringLiteral("trained_context"), m.trainedContext},
                            {QStringLiteral("threads"), m.threads},
                            {QStringLiteral("sliding_window"), slidingWindowJson(m)},
                            {QStringLiteral("mean_nll_inside_trained"), m.meanNllInside},
                            {QStringLiteral("mean_nll_beyond_trained"),
                             m.positionsBeyond > 0 ? QJsonValue(m.meanNllBeyond) : QJsonValue()},
                            {QStringLiteral("context_cap"), m.contextCap},
                            {QStringLiteral("effective_context"), m.effectiveContext},
                            {QStringLiteral("sink_rate"), m.forward.sinkRate()},
                            {QStringLiteral("command"), measured.commandFor(m)}});
  }
  return QJsonObject{{QStringLiteral("source"), provenanceName(Provenance::Measured)},
                     {QStringLiteral("gguf"), measured.checkpointFile},
                     {QStringLiteral("text"), measured.textName},
                     {QStringLiteral("runs"), runs},
                     {QStringLiteral("not_measured"), QJsonArray::fromStringList(measured.notMeasured)}};
}

}  // namespace

QJsonObject reportToJson(const Report& report) {
  QJsonArray sections;
  for (const ReportSection& section : report.sections) sections.append(sectionToJson(section));
  QJsonObject json{{QStringLiteral("title"), report.title},
                   {QStringLiteral("sinkscope_version"), report.version},
                   {QStringLiteral("generated_utc"), report.generatedUtc.toString(Qt::ISODate)},
                   {QStringLiteral("scenario"), scenarioToJson(report.scenario)},
                   {QStringLiteral("plan_command"), report.planCommand},
                   {QStringLiteral("plan"), planToJson(report.plan)},
                   {QStringLiteral("charts"), chartDataToJson(report.charts)},
                   {QStringLiteral("sections"), sections},
                   {QStringLiteral("sources"), QJsonArray::fromStringList(report.sources)}};
  if (report.measured) json.insert(QStringLiteral("measured"), measuredToJson(*report.measured));
  return json;
}

}  // namespace sinkscope
