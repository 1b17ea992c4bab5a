// Tests of core/report: the report holds the very plan `sinkscope plan --json` prints for the
// same scenario (compared with the command's own output), its sections carry those numbers, the
// chart data agrees with the plan, and bad scenarios fail naming the field.
#include "TestSupport.h"
#include "attention/ModelledAttention.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "planner/PlanJson.h"
#include "planner/ReferencePoints.h"
#include "report/Report.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace sinkscope;

class TestReportData : public QObject {
  Q_OBJECT

 private:
  // Tokens as a reader sees them, digits grouped in threes (English).
  static QString grouped(qint64 tokens) { return QLocale(QLocale::English).toString(tokens); }

  static const ReportKeyValue* keyValue(const ReportSection& s, const QString& key) {
    for (const ReportKeyValue& kv : s.keyValues)
      if (kv.key == key) return &kv;
    return nullptr;
  }

  static const MitigationPlan* planRow(const Plan& plan) {
    for (const MitigationPlan& row : plan.mitigations)
      if (row.mitigation == plan.mitigation) return &row;
    return nullptr;
  }

  static QString allText(const ReportSection& s) {
    QStringList parts = s.paragraphs + s.bullets;
    for (const ReportKeyValue& kv : s.keyValues) parts << kv.key + QLatin1Char(' ') + kv.value;
    for (const ReportTable& t : s.tables)
      for (const QStringList& row : t.rows) parts << row.join(QLatin1Char(' '));
    for (const ReportTable& t : s.tables) parts << t.note;
    return parts.join(QLatin1Char('\n'));
  }

 private slots:
  void planIsThePlanCommandsJson() {
    ReportScenario scenario;  // the default: mistral-7b-v0.1, h100-sxm-80gb, 32768, baseline vs ntk
    const auto report = buildReport(scenario, {}, QDateTime::currentDateTimeUtc(), false);
    const test::CliResult cli = test::runCli(
        {QStringLiteral("plan"), QStringLiteral("--model"), scenario.model, QStringLiteral("--hardware"),
         scenario.hardware, QStringLiteral("--context"), QString::number(scenario.contextTokens),
         QStringLiteral("--runtime"), QStringLiteral("llama.cpp"), QStringLiteral("--json")});
    QCOMPARE(cli.exitCode, 0);
    QJsonObject fromCli = QJsonDocument::fromJson(cli.standardOutput).object();
    QVERIFY(!fromCli.isEmpty());
    fromCli.remove(QStringLiteral("model_origin"));  // the command line's own additions, not the plan's
    fromCli.remove(QStringLiteral("parameter_count"));
    QCOMPARE(reportToJson(report).value(QStringLiteral("plan")).toObject(), fromCli);
    // No --mitigation: the report's plan is made for what a person would run (docs/planner.md).
    QCOMPARE(report.planCommand,
             QStringLiteral("sinkscope plan --model mistral-7b-v0.1 --hardware h100-sxm-80gb "
                            "--context 32768 --runtime llama.cpp --json"));
  }

  // Several GPUs: the report is the plan command's with --gpus, says how many GPUs, and gives the
  // fullest GPU's memory; a plan that does not fit says what would and shows no throughput.
  void reportOnSeveralGpusAndWhatWouldFit() {
    ReportScenario scenario;
    scenario.model = QStringLiteral("deepseek-v2");
    scenario.mitigations = {Mitigation::Baseline, Mitigation::Yarn};
    scenario.gpusPerNode = 8;
    const auto eight = buildReport(scenario, {}, QDateTime::currentDateTimeUtc(), false);
    QVERIFY(eight.planCommand.contains(QStringLiteral("--gpus 8 --nodes 1")));
    const test::CliResult cli = test::runCli(eight.planCommand.split(QLatin1Char(' ')).mid(1));
    QCOMPARE(cli.exitCode, 0);
    QJsonObject fromCli = QJsonDocument::fromJson(cli.standardOutput).object();
    fromCli.remove(QStringLiteral("model_origin"));  // what the command line adds about the model file
    fromCli.remove(QStringLiteral("parameter_count"));
    QCOMPARE(reportToJson(eight).value(QStringLiteral("plan")).toObject()[QStringLiteral("parallel")],
             fromCli[QStringLiteral("parallel")]);
    QCOMPARE(reportToJson(eight).value(QStringLiteral("plan")).toObject(), fromCli);
    QVERIFY(
        allText(*eight.section(QStringLiteral("scenario"))).contains(QStringLiteral("tensor-parallel 8")));
    const QString memory = allText(*eight.section(QStringLiteral("memory")));
    QVERIFY(memory.contains(QString::number(eight.plan.memory.totalBytes)));
    QVERIFY(memory.contains(QStringLiteral("the fullest of the 8 GPUs")));
    scenario.gpusPerNode = 1;
    const auto one = buildReport(scenario, {}, QDateTime::currentDateTimeUtc(), false);
    QVERIFY(!one.plan.fits);
    const QString notFit = allText(*one.section(QStringLiteral("memory")));
    QVERIFY2(notFit.contains(QStringLiteral("The smallest change that fits: 8 GPUs")), qPrintable(notFit));
    QVERIFY(notFit.contains(QStringLiteral("not estimated")));
    QVERIFY(!notFit.contains(QStringLiteral("tokens/s")));
  }

  void sectionsCarryThePlansNumbers() {
    const auto report = buildReport(ReportScenario{}, {}, QDateTime::currentDateTimeUtc(), false);
    const Plan& plan = report.plan;
    for (const char* id : {"summary", "scenario", "specifications", "memory", "confidence", "attention",
                           "mitigations", "method"})
      QVERIFY2(report.section(QString::fromLatin1(id)), id);
    QCOMPARE(report.sections.front().id, QStringLiteral("summary"));  // page 1
    QVERIFY(isAppendixSection(report.sections.back()));               // the literature tables last
    QCOMPARE(report.sections.back().id, QStringLiteral("references"));
    const QString memory = allText(*report.section(QStringLiteral("memory")));
    QVERIFY(memory.contains(QString::number(plan.memory.kvBytesPerToken)));
    QVERIFY(memory.contains(QString::number(plan.memory.totalBytes)));
    QVERIFY(memory.contains(QString::number(plan.memory.weightsBytes)));
    QVERIFY(memory.contains(plan.fit.unbounded ? QStringLiteral("unbounded")
                                               : grouped(plan.fit.maxContextTokens)));
    const QString confidence = allText(*report.section(QStringLiteral("confidence")));
    // Two decimals, as every surface prints a confidence (docs/design.md "Numbers as text"), and
    // never above 0.8 past the trained context.
    const double value = planToJson(plan)
                             .value(QStringLiteral("confidence"))
                             .toObject()
                             .value(QStringLiteral("value"))
                             .toDouble();
    QVERIFY(
        confidence.contains(QStringLiteral("Confidence ") + QString::number(plan.confidence.value, 'f', 2)));
    QVERIFY(value <= 0.8);
    QVERIFY(confidence.contains(grouped(plan.contextCap)));
    for (const ConfidenceReason& reason : plan.confidence.reasons) QVERIFY(confidence.contains(reason.text));
    const ReportSection* mitigations = report.section(QStringLiteral("mitigations"));
    // Baseline and ntk, in that order, then the plan's own setting when it is neither.
    const auto& rows = mitigations->tables.front().rows;
    const bool planCompared = plan.mitigation == Mitigation::Baseline || plan.mitigation == Mitigation::Ntk;
    QCOMPARE(rows.size(), size_t(planCompared ? 2 : 3));
    QVERIFY(rows[0][0].startsWith(QStringLiteral("baseline")));
    QVERIFY(rows[1][0].startsWith(QStringLiteral("ntk")));
    if (!planCompared) QVERIFY(rows[2][0].startsWith(mitigationName(plan.mitigation)));
    int marked = 0;
    for (const QStringList& row : rows)
      marked += row[0].contains(QStringLiteral("(the plan's setting)")) ? 1 : 0;
    QCOMPARE(marked, 1);
  }

  // Page 1 answers the question in the plan's own numbers: the setting the plan is made for, its
  // verdict, effective context, quality, confidence (two decimals) with its largest deductions,
  // and that setting's launch flags exactly as the plan gives them.
  void summaryAnswersWithThePlansSetting() {
    const auto report = buildReport(ReportScenario{}, {}, QDateTime::currentDateTimeUtc(), false);
    const Plan& plan = report.plan;
    const ReportSection* summary = report.section(QStringLiteral("summary"));
    QVERIFY(summary);
    const QString question = summary->paragraphs.value(0), answer = summary->paragraphs.value(1);
    QVERIFY2(question.contains(report.charts.memory.modelName) &&
                 question.contains(report.charts.memory.hardwareName) &&
                 question.contains(QStringLiteral("32,768 tokens (32K)")),
             qPrintable(question));
    QCOMPARE(plan.fits, true);  // 7B in bf16 at 32K on 80 GB
    QVERIFY2(answer.startsWith(QStringLiteral("Answer: yes, it fits")), qPrintable(answer));
    const MitigationPlan* row = planRow(plan);
    QVERIFY(row);
    QVERIFY(keyValue(*summary, QStringLiteral("Setting"))
                ->value.startsWith(mitigationName(plan.mitigation) + QLatin1Char(',')));
    QVERIFY(keyValue(*summary, QStringLiteral("Verdict"))->value.contains(row->estimate.verdict.text));
    QVERIFY(keyValue(*summary, QStringLiteral("Effective context"))
                ->value.startsWith(grouped(plan.effectiveContext)));
    QVERIFY(keyValue(*summary, QStringLiteral("Confidence"))
                ->value.startsWith(QString::number(plan.confidence.value, 'f', 2)));
    double largest = 0;
    QString largestText;
    for (const ConfidenceReason& reason : plan.confidence.reasons)
      if (reason.deduction > largest) {
        largest = reason.deduction;
        largestText = reason.text;
      }
    const ReportKeyValue* reasons = keyValue(*summary, QStringLiteral("Top reasons"));
    QVERIFY(reasons);
    if (largest > 0)
      QVERIFY2(reasons->value.startsWith(QStringLiteral("– ") + largestText), qPrintable(reasons->value));
    QVERIFY(reasons->value.count(QLatin1Char('\n')) <= 2);  // three at most
    QCOMPARE(summary->tables.size(), size_t(1));
    const ReportTable& flags = summary->tables.front();
    QVERIFY(flags.title.contains(mitigationName(plan.mitigation)));
    QStringList engines;
    for (const QStringList& r : flags.rows) engines << r.value(0);
    const int llamaCpp = int(engines.indexOf(QStringLiteral("llama.cpp")));
    QVERIFY(llamaCpp >= 0);
    QCOMPARE(flags.rows[size_t(llamaCpp)].value(1), row->launchFlags.llamaCpp.isEmpty()
                                                        ? QStringLiteral("(not available)")
                                                        : row->launchFlags.llamaCpp);
    // The tables that follow have the summary's setting as a row.
    bool inTable = false;
    for (const QStringList& r : report.section(QStringLiteral("mitigations"))->tables.front().rows)
      inTable = inTable || r.value(0).startsWith(mitigationName(plan.mitigation));
    QVERIFY(inTable);
  }

  // A plan that does not fit says so on page 1, with the smallest change that would.
  void summarySaysWhatWouldFit() {
    ReportScenario scenario;
    scenario.model = QStringLiteral("deepseek-v2");  // 440 GiB of weights: not on one H100
    scenario.mitigations = {Mitigation::Baseline, Mitigation::Yarn};
    const auto report = buildReport(scenario, {}, QDateTime::currentDateTimeUtc(), false);
    QVERIFY(!report.plan.fits);
    const QString answer = report.section(QStringLiteral("summary"))->paragraphs.value(1);
    QVERIFY2(answer.startsWith(QStringLiteral("Answer: no, it does not fit")), qPrintable(answer));
    QVERIFY2(answer.contains(QStringLiteral("What would fit: 8 GPUs")), qPrintable(answer));
  }

  void chartDataAgreesWithThePlan() {
    const auto report = buildReport(ReportScenario{}, {}, QDateTime::currentDateTimeUtc(), false);
    const MemoryChartData& memory = report.charts.memory;
    QVERIFY(memory.curve.size() > 50);
    QVERIFY(memory.curve.front().contextTokens < report.plan.trainedContextTokens);
    QVERIFY(memory.curve.back().contextTokens >= 2 * report.plan.contextTokens);
    qint64 previous = 0;
    for (const MemoryPoint& p : memory.curve) {
      const MemoryBreakdown& m = p.memory;
      QCOMPARE(m.totalBytes, m.weightsBytes + m.kvBytes + m.activationBytes + m.overheadBytes);
      QVERIFY(m.totalBytes >= previous);
      previous = m.totalBytes;
      QCOMPARE(m.weightsBytes, report.plan.memory.weightsBytes);
    }
    QCOMPARE(memory.atContext.totalBytes, report.plan.memory.totalBytes);
    QCOMPARE(report.charts.confidence.value, report.plan.confidence.value);
    QCOMPARE(report.charts.mitigations.rows.size(), size_t(2));
    const QJsonObject json = reportToJson(report);
    QCOMPARE(json.value(QStringLiteral("charts"))
                 .toObject()
                 .value(QStringLiteral("memory"))
                 .toObject()
                 .value(QStringLiteral("curve"))
                 .toArray()
                 .size(),
             qsizetype(memory.curve.size()));
  }

  // The report's attention is the window's default probe target (core modelledProbeRequest):
  // the last layer, heads averaged; its section names them.
  void attentionUsesTheSharedProbeRequest() {
    ReportScenario scenario;
    scenario.contextTokens = 8192;
    const auto report = buildReport(scenario);
    QVERIFY(report.charts.sinkCurve && report.charts.heatmaps);
    const ModelledProbeRequest probe = modelledProbeRequest(report.model, scenario.contextTokens);
    QCOMPARE(report.charts.sinkCurve->layer, report.model.layers - 1);
    QCOMPARE(report.charts.sinkCurve->heads, probe.curveHeads);
    QCOMPARE(report.charts.heatmaps->layer, probe.layer);
    QCOMPARE(report.charts.heatmaps->heads, probe.heatmapHeads);
    for (const SinkCurveSeries& series : report.charts.sinkCurve->series) {
      QCOMPARE(series.samples.size(), probe.curve.contexts.size());
      for (size_t i = 0; i < series.samples.size(); ++i)
        QCOMPARE(series.samples[i].contextTokens, probe.curve.contexts[i]);
    }
    const QString text = allText(*report.section(QStringLiteral("attention")));
    QVERIFY2(text.contains(probeTargetText(report.model, probe.layer, probe.curveHeads)), qPrintable(text));
    QVERIFY(text.contains(probeTargetText(report.model, probe.layer, probe.heatmapHeads)));
  }

  // The literature reference points: all of them, the report's model's own first and marked,
  // values in readable units.
  void referencePointsTableHasEveryPointCurrentModelFirst() {
    ReportScenario scenario;
    scenario.model = QStringLiteral("llama-3.1-8b");
    scenario.contextTokens = 131072;
    const auto report = buildReport(scenario, {}, QDateTime::currentDateTimeUtc(), false);
    const ReportSection* section = report.section(QStringLiteral("references"));
    QVERIFY(section && section->tables.size() == 1);
    const ReportTable& table = section->tables.front();
    QCOMPARE(table.rows.size(), referenceSet().points.size());
    QVERIFY(table.rows[0][0].endsWith(QStringLiteral("(this model)")));
    QVERIFY(table.rows[0][5].endsWith(QStringLiteral("[ruler-llama-3.1-8b]")));
    QCOMPARE(table.rows[0][4], QStringLiteral("32K tokens of 128K claimed"));  // RULER: 32768 of 131072
    QVERIFY(table.rows[1][0].endsWith(QStringLiteral("(this model)")));        // its RULER score series
    QVERIFY(!table.rows[2][0].endsWith(QStringLiteral("(this model)")));
    // YaRN's table row: perplexity per context, one value a line.
    for (const QStringList& row : table.rows)
      if (row[5].endsWith(QStringLiteral("[yarn-table-pi-s2]"))) {
        QCOMPARE(row[4],
                 QStringLiteral(
                     "ppl 3.92 at 2K\nppl 3.51 at 4K\nppl 3.51 at 6K\nppl 3.34 at 8K\nppl 8.07 at 10K"));
        QCOMPARE(row[1], QStringLiteral("linear, s = 2 (trained 4K)"));
        QCOMPARE(row[2], QStringLiteral("yes"));
      }
  }

  void badScenariosNameTheField() {
    ReportScenario alibi;
    alibi.mitigations = {Mitigation::Baseline, Mitigation::Alibi};  // a RoPE model has no ALiBi row
    try {
      buildReport(alibi, {}, QDateTime::currentDateTimeUtc(), false);
      QFAIL("alibi on Mistral should be refused");
    } catch (const Error& error) {
      QCOMPARE(error.kind(), ErrorKind::BadInput);
      QCOMPARE(error.field(), QStringLiteral("mitigations"));
    }
    ReportScenario unknown;
    unknown.model = QStringLiteral("no-such-model");
    QVERIFY_THROWS_EXCEPTION(Error, buildReport(unknown, {}, QDateTime::currentDateTimeUtc(), false));
    ReportScenario halfMeasured;
    halfMeasured.ggufPath = QStringLiteral("model.gguf");
    QVERIFY_THROWS_EXCEPTION(Error, buildReport(halfMeasured, {}, QDateTime::currentDateTimeUtc(), false));
  }

  // Cancelled is an outcome of its own (common/Cancelled.h): never an empty report, never an Error,
  // whether the stop comes before the attention probe or in the middle of it.
  void cancelledReportThrowsCancelled() {
    const ReportScenario scenario;
    const ReportCallbacks stopNow{[] { return true; }, {}};
    QVERIFY_THROWS_EXCEPTION(Cancelled,
                             buildReport(scenario, stopNow, QDateTime::currentDateTimeUtc(), false));
    int polls = 0;
    const ReportCallbacks stopInTheProbe{[&] { return ++polls > 5; }, {}};
    QVERIFY_THROWS_EXCEPTION(Cancelled, buildReport(scenario, stopInTheProbe));
    QCOMPARE(polls, 6);  // the first poll is before the probe, the sixth inside it
  }
};

QTEST_GUILESS_MAIN(TestReportData)
#include "test_report_data.moc"
