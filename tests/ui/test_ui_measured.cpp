// The Measured tab over the real test model (stories260K, docs/references.md section 8) with baseline
// and NTK compared: one run per compared mitigation, each loss line equal to core measure() for
// that mitigation, and the "Attention of" box switching the heatmap without a new job.
#include "MainWindow.h"
#include "TestSupport.h"
#include "UiTestSupport.h"
#include "catalog/Catalog.h"
#include "charts/ChartView.h"
#include "charts/MeasuredCharts.h"
#include "common/NumberFormat.h"
#include "compute/ComputeController.h"
#include "gguf/GgufFile.h"
#include "inference/GgufSummary.h"
#include "inference/MeasureInput.h"
#include "inference/Measurement.h"
#include "scenario/Scenario.h"
#include "scenario/SpecLibrary.h"
#include "tabs/MeasuredTab.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

constexpr qint64 kContext = 1024;  // twice stories260K's trained 512: positions beyond it exist

// The tab's run, recomputed with core measure() alone: the same tokens, the catalogue's trained context.
Measurement coreMeasure(const QString& ggufPath, Mitigation mitigation) {
  const GgufFile gguf(ggufPath);
  const LlamaModel model = LlamaModel::load(gguf);
  std::vector<int> tokens = tokenizeMeasureText(gguf, kSampleTextPath);
  tokens.resize(size_t(std::min<qint64>(kContext, qint64(tokens.size()))));
  MeasureSettings settings;
  settings.mitigation = mitigation;
  settings.trainedContext = Catalog::builtin().findModel(QStringLiteral("stories260K"))->trainedContext;
  return measure(model, ggufPath, QStringLiteral("stories260K"), std::move(tokens), settings);
}

// The drawn line: the running mean of the last kLossSmoothingTokens losses, computed here again.
double runningMeanAt(const std::vector<float>& nll, size_t p) {
  const size_t from = p + 1 >= size_t(kLossSmoothingTokens) ? p + 1 - size_t(kLossSmoothingTokens) : 0;
  double sum = 0;
  for (size_t i = from; i <= p; ++i) sum += nll[i];
  return sum / double(p + 1 - from);
}

QCPGraph* graphNamed(QCustomPlot* plot, const QString& name) {
  for (int i = 0; i < plot->graphCount(); ++i)
    if (plot->graph(i)->name() == name) return plot->graph(i);
  return nullptr;
}

MeasuredTab* measureInWindow(MainWindow& window, const QString& gguf) {
  window.show();
  window.scenario().setContextTokens(kContext);
  window.scenario().setMitigations({Mitigation::Baseline, Mitigation::Ntk});
  auto* tab = qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
  if (!tab) return nullptr;
  QSignalSpy updated(tab, &AnalysisTab::updated);
  window.tabs()->setCurrentWidget(tab);
  tab->setGgufPath(gguf);
  tab->refreshNow();
  if (!updated.wait(120000) && updated.count() == 0) return nullptr;
  if (!test::waitForIdle(window, 120000)) return nullptr;
  return tab;
}

// The keys of a measured run both `measure --json` and the report's "measured.runs" carry.
QStringList reportRunKeys() {
  return {QStringLiteral("mitigation"),
          QStringLiteral("factor"),
          QStringLiteral("tokens"),
          QStringLiteral("trained_context"),
          QStringLiteral("threads"),
          QStringLiteral("mean_nll_inside_trained"),
          QStringLiteral("mean_nll_beyond_trained"),
          QStringLiteral("context_cap"),
          QStringLiteral("effective_context")};
}

// The channels a jobCancelled or jobFailed spy saw.
QStringList channelsOf(const QSignalSpy& spy) {
  QStringList channels;
  for (const QList<QVariant>& arguments : spy) channels << arguments.at(0).toString();
  return channels;
}

// The first key whose value differs between a and b, or empty.
QString firstDifference(const QJsonObject& a, const QJsonObject& b) {
  for (const QString& key : a.keys() + b.keys())
    if (a.value(key) != b.value(key)) return key;
  return QString();
}

}  // namespace

class TestUiMeasured : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_measured")); }

  // The config's window (vLLM's reading) chosen in the tab reaches every run, and narrows what
  // the model attends to (docs/measured-mode.md, --sliding-window).
  void slidingWindowFromTheConfig() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    auto* tab = qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
    QVERIFY(tab);
    tab->slidingWindowBox()->setValue(16);
    QVERIFY(measureInWindow(window, gguf));
    QVERIFY(!tab->runs().empty());
    for (const auto& run : tab->runs()) QCOMPARE(run->configSlidingWindow, qint64(16));
    const auto& heads = tab->runs().front()->forward.heads;
    QVERIFY(std::all_of(heads.begin(), heads.end(), [](const HeadAttentionMetrics& m) {
      return m.meanSinkMass1 < 16.0 / double(kContext - 1);
    }));  // only queries 1..15 see key 0
  }

  void measuresEveryComparedMitigation() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    MeasuredTab* tab = measureInWindow(window, gguf);
    QVERIFY(tab);
    QCOMPARE(tab->runs().size(), size_t(2));
    QVERIFY(tab->notMeasured().isEmpty());
    QCustomPlot* plot = tab->lossChart()->plot();
    QCOMPARE(plot->graphCount(), 3);  // one line per mitigation and the window control
    QVERIFY(graphNamed(plot, QStringLiteral("window control (in distribution)")));
    const std::vector<Mitigation> compared{Mitigation::Baseline, Mitigation::Ntk};
    for (size_t i = 0; i < compared.size(); ++i) {
      const Measurement& shown = *tab->runs()[i];
      QCOMPARE(shown.mitigation, compared[i]);
      QCOMPARE(qint64(shown.tokens.size()), kContext);
      const Measurement core = coreMeasure(gguf, compared[i]);
      QCOMPARE(shown.tokens, core.tokens);
      SINKSCOPE_COMPARE_NEAR(shown.meanNllInside, core.meanNllInside, 1e-6);
      QVERIFY(core.positionsBeyond > 0);
      SINKSCOPE_COMPARE_NEAR(shown.meanNllBeyond, core.meanNllBeyond, 1e-6);
      QCOMPARE(shown.contextCap, core.contextCap);
      // The line drawn for this mitigation is the running mean of core's losses.
      QCPGraph* line = graphNamed(plot, QStringLiteral("loss, %1").arg(mitigationName(compared[i])));
      QVERIFY(line);
      QCOMPARE(size_t(line->dataCount()), core.forward.nll.size());
      for (size_t p : {size_t(0), size_t(100), size_t(600), core.forward.nll.size() - 1})
        QVERIFY2(std::abs(line->data()->at(int(p))->value - runningMeanAt(core.forward.nll, p)) < 1e-6,
                 qPrintable(QStringLiteral("%1 at %2").arg(mitigationName(compared[i])).arg(p)));
      // And the table holds every unsmoothed loss.
      const int column = tab->lossChart()->table().columnIndex(
          QStringLiteral("nll, %1 (nats)").arg(mitigationName(compared[i])));
      QVERIFY(column >= 0);
      for (size_t p : {size_t(0), size_t(700), core.forward.nll.size() - 1})
        SINKSCOPE_COMPARE_NEAR(tab->lossChart()->table().number(p, column), double(core.forward.nll[p]),
                               1e-6);
    }
    // The summary has a line per mitigation with its mean losses and context_cap.
    QLabel* summary = nullptr;
    for (QLabel* label : tab->findChildren<QLabel*>())
      if (label->accessibleName() == QStringLiteral("Measurement summary")) summary = label;
    QVERIFY(summary);
    const QStringList lines = summary->text().split(QStringLiteral("<br>"));
    // It opens with what was opened (GgufSummary.h).
    QCOMPARE(lines.first(), describeGguf(GgufFile(gguf)).toHtmlEscaped());
    for (const auto& run : tab->runs()) {
      const QString name = QStringLiteral("<b>%1</b>").arg(mitigationName(run->mitigation));
      const auto line =
          std::find_if(lines.begin(), lines.end(), [&](const QString& l) { return l.startsWith(name); });
      QVERIFY2(line != lines.end(), qPrintable(summary->text()));
      QVERIFY(line->contains(QString::number(run->meanNllInside, 'f', 3)));
      QVERIFY(line->contains(QString::number(run->meanNllBeyond, 'f', 3)));
      QVERIFY(line->contains(QStringLiteral("context_cap %1").arg(tokensFull(run->contextCap))));
    }
    // NTK changes the rotary angles (docs/references.md section 2), so its losses are not the baseline's.
    QVERIFY(tab->runs()[0]->forward.nll != tab->runs()[1]->forward.nll);
  }

  // One measured session behind all three surfaces: `sinkscope measure --json`, the report's
  // measured runs (`report --gguf ... --out x.json`) and the Measured tab give the same JSON for
  // the same checkpoint, text and context, without a --trained-context (all three take the
  // catalogue's 512 for stories260K).
  void measureReportAndTabAgree() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    const QString context = QString::number(kContext);
    const test::CliResult cli =
        test::runCli({QStringLiteral("measure"), QStringLiteral("--gguf"), gguf, QStringLiteral("--text"),
                      kSampleTextPath, QStringLiteral("--context"), context, QStringLiteral("--json")},
                     300000);
    QVERIFY2(cli.exitCode == 0, cli.standardError.constData());
    const QJsonObject fromCli = QJsonDocument::fromJson(cli.standardOutput).object();
    QCOMPARE(fromCli.value(QStringLiteral("trained_context")).toInteger(), qint64(512));

    QTemporaryDir dir;
    const QString reportPath = dir.filePath(QStringLiteral("report.json"));
    const test::CliResult report = test::runCli(
        {QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("stories260k"),
         QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"), context,
         QStringLiteral("--mitigations"), QStringLiteral("baseline,ntk"), QStringLiteral("--gguf"), gguf,
         QStringLiteral("--measure-context"), context, QStringLiteral("--out"), reportPath},
        300000);
    QVERIFY2(report.exitCode == 0, report.standardError.constData());
    QFile reportFile(reportPath);
    QVERIFY(reportFile.open(QIODevice::ReadOnly));
    const QJsonObject fromReport = QJsonDocument::fromJson(reportFile.readAll())
                                       .object()
                                       .value(QStringLiteral("measured"))
                                       .toObject()
                                       .value(QStringLiteral("runs"))
                                       .toArray()
                                       .at(0)
                                       .toObject();

    MainWindow window;
    MeasuredTab* tab = measureInWindow(window, gguf);
    QVERIFY(tab);
    QCOMPARE(tab->runs().front()->mitigation, Mitigation::Baseline);
    const QJsonObject fromTab = measurementToJson(*tab->runs().front());

    QVERIFY2(
        fromTab == fromCli,
        qPrintable(QStringLiteral("tab and measure differ at '%1'").arg(firstDifference(fromTab, fromCli))));
    for (const QString& key : reportRunKeys())
      QVERIFY2(
          fromReport.value(key) == fromCli.value(key),
          qPrintable(
              QStringLiteral("%1: report %2, measure %3")
                  .arg(
                      key,
                      QJsonDocument(QJsonObject{{key, fromReport.value(key)}}).toJson(QJsonDocument::Compact),
                      QJsonDocument(QJsonObject{{key, fromCli.value(key)}}).toJson(QJsonDocument::Compact))));
    QCOMPARE(fromReport.value(QStringLiteral("sink_rate")),
             fromCli.value(QStringLiteral("sink")).toObject().value(QStringLiteral("sink_rate")));
  }

  // While it runs the tab shows tokens/s and time left; the status bar's Cancel stops it and the
  // tab says so (cancelled is not a failure: no "Could not compute").
  void progressShowsRateAndCancelStops() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    window.show();
    window.scenario().setContextTokens(8192);
    window.scenario().setMitigations({Mitigation::Baseline, Mitigation::Ntk});
    auto* tab = qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
    QVERIFY(tab);
    QSignalSpy cancelled(&window.compute(), &ComputeController::jobCancelled);
    QSignalSpy failed(&window.compute(), &ComputeController::jobFailed);
    window.tabs()->setCurrentWidget(tab);
    tab->setGgufPath(gguf);
    tab->refreshNow();
    QTRY_VERIFY_WITH_TIMEOUT(tab->progressLabel()->text().contains(QStringLiteral("tokens/s")), 60000);
    QVERIFY2(tab->progressLabel()->text().contains(QStringLiteral(" left")),
             qPrintable(tab->progressLabel()->text()));
    // The status line names the file while it runs.
    QVERIFY2(tab->progressLabel()->text().startsWith(QStringLiteral("stories260K.gguf: measuring… ")),
             qPrintable(tab->progressLabel()->text()));
    window.compute().cancelAll();
    QVERIFY(!window.compute().isBusy(tab->channel()));
    QVERIFY(channelsOf(cancelled).contains(tab->channel()));
    QCOMPARE(tab->progressLabel()->text(), QStringLiteral("stories260K.gguf: cancelled"));
    QVERIFY(tab->progressLabel()->isVisible());
    QVERIFY(!channelsOf(failed).contains(tab->channel()));  // cancelled is not a failure
    QVERIFY(tab->runs().empty());
  }

  // The factor control reaches every run: "auto" is the Planner's default, requested context ÷
  // trained context (1,024 ÷ stories260K's catalogue 512 = 2, docs/measured-mode.md "Measured tab:
  // the scaling factor"); a chosen value is used as given. After the run the status line names
  // the file and says done.
  void factorReachesTheSessionAndTheStatusSaysDone() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    auto* tab = qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
    QVERIFY(tab);
    QCOMPARE(tab->factorBox()->value(), 0.0);  // auto
    QVERIFY(tab->factorBox()->toolTip().contains(QStringLiteral("requested context ÷ the model's trained")));
    QVERIFY(measureInWindow(window, gguf));
    const qint64 trained = Catalog::builtin().findModel(QStringLiteral("stories260K"))->trainedContext;
    QCOMPARE(trained, qint64(512));
    for (const auto& run : tab->runs()) QCOMPARE(run->factor, double(kContext) / double(trained));
    QCOMPARE(tab->progressLabel()->text(),
             QStringLiteral("stories260K.gguf: done: 2 runs of 1,024 tokens each"));
    QLabel* note = nullptr;
    for (QLabel* label : tab->findChildren<QLabel*>())
      if (label->accessibleName() == QStringLiteral("Scaling factor used")) note = label;
    QVERIFY(note);
    QCOMPARE(note->text(), QStringLiteral("auto: s = 2 (1K ÷ trained 512, at least 1)"));

    tab->factorBox()->setValue(3.0);
    QSignalSpy updated(tab, &AnalysisTab::updated);
    tab->refreshNow();  // a new factor is a new measurement
    QVERIFY(updated.wait(120000) || updated.count() > 0);
    QVERIFY(test::waitForIdle(window, 120000));
    for (const auto& run : tab->runs()) QCOMPARE(run->factor, 3.0);
    QCOMPARE(note->text(), QStringLiteral("s = 3 as chosen"));
    // NTK's base grows with s (docs/references.md section 2): its losses move with the factor.
    const Measurement core = coreMeasure(gguf, Mitigation::Ntk);
    QCOMPARE(core.factor, 2.0);
    QVERIFY(tab->runs()[1]->forward.nll != core.forward.nll);
  }

  // A file that cannot be measured: the status line names it and says why.
  void failedRunSaysWhy() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("broken.gguf"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a gguf");
    file.close();
    MainWindow window;
    window.show();
    auto* tab = qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
    QVERIFY(tab);
    QSignalSpy failed(&window.compute(), &ComputeController::jobFailed);
    window.tabs()->setCurrentWidget(tab);
    tab->setGgufPath(path);
    tab->refreshNow();
    QTRY_VERIFY_WITH_TIMEOUT(channelsOf(failed).contains(tab->channel()), 30000);
    const QString status = tab->progressLabel()->text();
    QVERIFY2(status.startsWith(QStringLiteral("broken.gguf: failed: ")), qPrintable(status));
    QVERIFY2(status.size() > QStringLiteral("broken.gguf: failed: ").size() + 10, qPrintable(status));
    QVERIFY(tab->progressLabel()->isVisible());
  }

  // With nothing open the tab says what to open and where a GGUF comes from (docs/gguf.md
  // "Where a GGUF comes from"), and measures nothing.
  void emptyStateSaysWhatToOpenAndWhereAGgufComesFrom() {
    qunsetenv("SINKSCOPE_SAMPLE_GGUF");
    MainWindow window;
    window.show();
    auto* tab = qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
    QVERIFY(tab);
    tab->setGgufPath(QString());
    test::showAndWait(window, tab);
    QString summary;
    for (const QLabel* label : tab->findChildren<QLabel*>())
      if (label->accessibleName() == QStringLiteral("Measurement summary")) summary = label->text();
    for (const char* words : {"Open GGUF…", ".gguf", "Hugging Face", "convert_hf_to_gguf.py"})
      QVERIFY2(summary.contains(QString::fromUtf8(words)), qPrintable(summary));
    QVERIFY(tab->runs().empty());
  }

  // A GGUF opened in the Measured tab is offered again under File → Open recent.
  void openedGgufIsInOpenRecent() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    auto* tab = qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
    QVERIFY(tab);
    tab->setGgufPath(gguf);
    QStringList recent;
    for (const QMenu* menu : window.findChildren<QMenu*>())
      if (menu->title() == QStringLiteral("Open &recent"))
        for (const QAction* action : menu->actions()) recent << action->text();
    QVERIFY2(!recent.isEmpty() && recent.front() == gguf, qPrintable(recent.join(QLatin1Char('\n'))));
  }

  // The runs belong to the file: picking another catalogue model does not measure it again; a new
  // context does.
  void changingOnlyTheCatalogueModelKeepsTheRuns() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    MeasuredTab* tab = measureInWindow(window, gguf);
    QVERIFY(tab);
    const auto before = tab->runs();
    QVERIFY(!before.empty());
    const QString other = test::catalogueId("qwen2.5-7b");
    QVERIFY(!other.isEmpty() && other != window.scenario().values().modelId);
    QSignalSpy finished(&window.compute(), &ComputeController::jobFinished);
    window.scenario().setModelId(other);
    tab->refreshNow();
    QVERIFY(!window.compute().isBusy());  // nothing submitted
    QTest::qWait(200);                    // a negative check: no job may finish, since none was submitted
    QCOMPARE(finished.count(), 0);
    QCOMPARE(tab->runs().front().get(), before.front().get());
    QSignalSpy updated(tab, &AnalysisTab::updated);
    window.scenario().setContextTokens(kContext / 2);
    tab->refreshNow();
    QVERIFY(updated.wait(120000) || updated.count() > 0);
    QVERIFY(test::waitForIdle(window, 120000));
    QVERIFY(tab->runs().front().get() != before.front().get());  // measured again
  }

  // A plan the scenario's model cannot make (a hand-made spec without layers: no pipeline stage can
  // hold it) leaves the file-size comparison out, and the tab says why in the planner's words
  // instead of dropping it silently.
  void anUnplannableModelSaysWhyTheWeightsAreNotCompared() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    ModelSpec noLayers = *Catalog::builtin().findModel(test::catalogueId("mistral-7b-v0.1"));
    noLayers.id = QStringLiteral("no-layers");
    noLayers.displayName = QStringLiteral("No layers");
    noLayers.layers = 0;
    window.scenario().setModelId(window.library().addModel(noLayers.id, noLayers));
    QCOMPARE(window.scenario().model().layers, 0);
    MeasuredTab* tab = measureInWindow(window, gguf);
    QVERIFY(tab);
    QVERIFY(!tab->runs().empty());
    QString shown;
    QStringList all;
    for (const QLabel* label : tab->findChildren<QLabel*>()) {
      all << label->text();
      if (label->text().contains(QStringLiteral("Not compared with the planned weights of No layers: ")))
        shown = label->text();
    }
    QVERIFY2(shown.contains(QStringLiteral("1 stages for 0 layers: every stage needs a layer")),
             qPrintable(all.join(QLatin1Char('|'))));
  }

  void attentionOfSwitchesTheHeatmapWithoutANewJob() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    MeasuredTab* tab = measureInWindow(window, gguf);
    QVERIFY(tab);
    QComboBox* box = tab->attentionOfBox();
    QCOMPARE(box->count(), 2);
    QCOMPARE(box->currentData().toString(), QStringLiteral("ntk"));  // the primary mitigation by default
    QCOMPARE(tab->data()->mitigation, Mitigation::Ntk);
    const ChartTable before = tab->heatmapChart()->table();
    QVERIFY(!before.isEmpty());
    QCOMPARE(before.rows.front().front().toString(), QStringLiteral("ntk"));
    QSignalSpy finished(&window.compute(), &ComputeController::jobFinished);
    const int baseline = box->findData(QStringLiteral("baseline"));
    QVERIFY(baseline >= 0);
    box->setCurrentIndex(baseline);
    emit box->activated(baseline);
    QVERIFY(!window.compute().isBusy());  // redrawn from the finished runs, nothing submitted
    QTest::qWait(200);                    // a negative check: no job may finish, since none was submitted
    QCOMPARE(finished.count(), 0);
    QCOMPARE(tab->data()->mitigation, Mitigation::Baseline);
    const ChartTable after = tab->heatmapChart()->table();
    QCOMPARE(after.rows.size(), before.rows.size());
    QCOMPARE(after.rows.front().front().toString(), QStringLiteral("baseline"));
    bool differs = false;
    for (size_t r = 0; r < after.rows.size() && !differs; ++r)
      differs = after.number(r, 4) != before.number(r, 4);
    QVERIFY(differs);  // the attention itself, not only the label
    QVERIFY(tab->sinkChart()->title().endsWith(QStringLiteral("baseline")));
    QCOMPARE(tab->runs().size(), size_t(2));  // the loss chart still shows both
    QCOMPARE(tab->lossChart()->plot()->graphCount(), 3);
  }
};

QTEST_MAIN(TestUiMeasured)
#include "test_ui_measured.moc"
