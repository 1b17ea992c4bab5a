// File → Export report (Ctrl+Shift+E) in the window, offscreen, with the file dialog and the
// replace question answered by the test: a valid PDF and a self-contained HTML report with the
// numbers of `plan --json`; an existing file replaced only after confirmation; a failure leaves
// no file and shows an error naming the path; the Measured tab's finished runs go in as they are.
#include "MainWindow.h"
#include "TestSupport.h"
#include "UiTestSupport.h"
#include "common/Error.h"
#include "export/ReportExportDialog.h"
#include "inference/Measurement.h"
#include "scenario/Scenario.h"
#include "tabs/MeasuredTab.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProgressDialog>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

QString tool(const char* name) {
  return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

QString runTool(const QString& program, const QStringList& args) {
  QProcess process;
  process.start(program, args);
  process.waitForFinished(60000);
  return QString::fromUtf8(process.readAllStandardOutput());
}

QByteArray readAll(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The answers a user would give, recorded.
struct Answers {
  QString path;
  bool replace = false;
  int replaceAsked = 0;
  QStringList errors;
  ReportExportPrompts prompts() {
    return {[this](QWidget*) { return path; },
            [this](QWidget*, const QString&) {
              ++replaceAsked;
              return replace;
            },
            [this](QWidget*, const QString& message) { errors << message; }};
  }
};

QAction* exportAction(MainWindow& window) {
  return window.findChild<QAction*>(QStringLiteral("exportReport"));
}

// `plan --json` for the window's scenario, and the numbers of it a report must carry.
QStringList planKeyNumbers(const MainWindow& window) {
  const ScenarioValues v = window.scenario().values();
  const test::CliResult plan = test::runCli(
      {QStringLiteral("plan"), QStringLiteral("--model"), v.modelId, QStringLiteral("--hardware"),
       v.hardwareId, QStringLiteral("--context"), QString::number(v.contextTokens),
       QStringLiteral("--mitigation"), mitigationName(v.primaryMitigation()), QStringLiteral("--json")});
  const QJsonObject json = QJsonDocument::fromJson(plan.standardOutput).object();
  const QJsonObject memory = json.value(QStringLiteral("memory")).toObject();
  return {QString::number(memory.value(QStringLiteral("kv_bytes_per_token")).toInteger()),
          QString::number(memory.value(QStringLiteral("total_bytes")).toInteger()),
          QString::number(memory.value(QStringLiteral("weights_bytes")).toInteger()),
          test::printedConfidence(
              json.value(QStringLiteral("confidence")).toObject().value(QStringLiteral("value")).toDouble()),
          test::groupedTokens(json.value(QStringLiteral("context_cap")).toInteger())};
}

}  // namespace

class TestUiExportReport : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_export_report")); }

  void writesPdfAndHtmlWithThePlansNumbers() {
    MainWindow window;
    window.scenario().setContextTokens(8192);
    QAction* action = exportAction(window);
    QVERIFY(action);
    QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    QTemporaryDir dir;
    Answers answers;
    window.setReportExportPrompts(answers.prompts());
    const QStringList numbers = planKeyNumbers(window);
    QCOMPARE(numbers.size(), 5);
    // PDF: a header, page objects, and (where poppler is installed) its page count and text.
    answers.path = dir.filePath(QStringLiteral("window.pdf"));
    action->trigger();
    QVERIFY2(answers.errors.isEmpty(), qPrintable(answers.errors.join(QLatin1Char('\n'))));
    const QByteArray pdf = readAll(answers.path);
    QVERIFY(pdf.startsWith("%PDF-"));
    int pageObjects = 0;
    for (auto it =
             QRegularExpression(QStringLiteral("/Type\\s*/Page\\b")).globalMatch(QString::fromLatin1(pdf));
         it.hasNext(); it.next())
      ++pageObjects;
    QVERIFY2(pageObjects >= 4, qPrintable(QString::number(pageObjects)));
    if (!tool("pdfinfo").isEmpty() && !tool("pdftotext").isEmpty()) {
      const QRegularExpressionMatch pages = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)"))
                                                .match(runTool(tool("pdfinfo"), {answers.path}));
      QVERIFY(pages.hasMatch() && pages.captured(1).toInt() >= 4);
      const QString text =
          runTool(tool("pdftotext"), {QStringLiteral("-layout"), answers.path, QStringLiteral("-")});
      for (const QString& number : numbers) QVERIFY2(test::containsAnyOf(text, number), qPrintable(number));
      QVERIFY(text.contains(QStringLiteral("Page 1 of %1").arg(pages.captured(1))));
    }
    // HTML: self-contained, the same numbers.
    answers.path = dir.filePath(QStringLiteral("window.html"));
    action->trigger();
    QVERIFY(answers.errors.isEmpty());
    const QString html = QString::fromUtf8(readAll(answers.path));
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(html.contains(QStringLiteral("src=\"data:image/png;base64,")));
    for (const QString& number : numbers) QVERIFY2(test::containsAnyOf(html, number), qPrintable(number));
    QCOMPARE(answers.replaceAsked, 0);  // nothing existed: nothing to confirm
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files),
             (QStringList{QStringLiteral("window.html"), QStringLiteral("window.pdf")}));
  }

  void replacesAnExistingFileOnlyAfterConfirmation() {
    MainWindow window;
    window.scenario().setContextTokens(8192);
    QTemporaryDir dir;
    Answers answers;
    window.setReportExportPrompts(answers.prompts());
    answers.path = dir.filePath(QStringLiteral("kept.html"));
    QFile keep(answers.path);
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.write("keep me");
    keep.close();
    answers.replace = false;
    exportAction(window)->trigger();
    QCOMPARE(answers.replaceAsked, 1);
    QCOMPARE(readAll(answers.path), QByteArray("keep me"));
    answers.replace = true;
    exportAction(window)->trigger();
    QCOMPARE(answers.replaceAsked, 2);
    QVERIFY(answers.errors.isEmpty());
    QVERIFY(readAll(answers.path).startsWith("<!DOCTYPE html>"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("kept.html")});
  }

  void aFailureLeavesNoFileAndNamesThePath() {
    MainWindow window;
    window.scenario().setContextTokens(8192);
    QTemporaryDir dir;
    Answers answers;
    window.setReportExportPrompts(answers.prompts());
    // An unwritable folder: read-only for an ordinary user; root writes anywhere, so for root
    // a folder of the kernel's that refuses new files (sysfs).
    const QString locked = dir.filePath(QStringLiteral("locked"));
    QVERIFY(QDir().mkpath(locked));
    QVERIFY(QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    QString folder = locked;
    if (QFileInfo(locked).isWritable()) {
      if (!QFileInfo(QStringLiteral("/sys/kernel")).isDir())
        QSKIP("running as root without /sys: no unwritable folder to try");
      folder = QStringLiteral("/sys/kernel");
    }
    answers.path = QDir(folder).filePath(QStringLiteral("report.pdf"));
    exportAction(window)->trigger();
    QCOMPARE(answers.errors.size(), 1);
    QVERIFY2(answers.errors.front().contains(answers.path), qPrintable(answers.errors.front()));
    QVERIFY(!QFileInfo::exists(answers.path));
    QVERIFY(QDir(folder)
                .entryList({QStringLiteral("report.pdf*"), QStringLiteral(".report.pdf*")},
                           QDir::Files | QDir::Hidden)
                .isEmpty());  // no partial or temporary file
    QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // An unknown extension gets .pdf; a missing folder is named too.
    answers.errors.clear();
    answers.path = dir.filePath(QStringLiteral("no/such/folder/report.html"));
    exportAction(window)->trigger();
    QCOMPARE(answers.errors.size(), 1);
    QVERIFY(answers.errors.front().contains(answers.path));
  }

  // Cancel while the report is being built: nothing written, no error shown, and the window says
  // the export was cancelled (an outcome of its own, common/Cancelled.h).
  void cancelWhileBuildingWritesNothingAndSaysCancelled() {
    MainWindow window;
    window.scenario().setContextTokens(1048576);  // a probe of many seconds
    QTemporaryDir dir;
    Answers answers;
    window.setReportExportPrompts(answers.prompts());
    answers.path = dir.filePath(QStringLiteral("cancelled.html"));
    int cancels = 0;
    QTimer pressCancel;
    pressCancel.setInterval(50);
    connect(&pressCancel, &QTimer::timeout, [&] {
      if (auto* progress = window.findChild<QProgressDialog*>(); progress && cancels == 0) {
        ++cancels;
        emit progress->canceled();  // what the dialog's Cancel button sends
      }
    });
    pressCancel.start();
    exportAction(window)->trigger();
    pressCancel.stop();
    QCOMPARE(cancels, 1);
    QVERIFY2(answers.errors.isEmpty(), qPrintable(answers.errors.join(QLatin1Char('\n'))));
    QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
    QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("cancelled")),
             qPrintable(window.statusBar()->currentMessage()));
  }

  // An error while building reaches the user as core's own description (the file and field), not
  // as the wrapper a worker thread's exception arrives in.
  void aBuildErrorShowsCoresDescription() {
    QTemporaryDir dir;
    Answers answers;
    answers.path = dir.filePath(QStringLiteral("unknown.html"));
    ReportScenario scenario;
    scenario.model = QStringLiteral("no-such-model");
    QString expected;
    try {
      buildReport(scenario);
    } catch (const Error& error) {
      expected = error.describe();
    }
    QVERIFY(expected.contains(QStringLiteral("no-such-model")));
    const ReportExportOutcome outcome = exportReportInteractively(nullptr, scenario, answers.prompts());
    QVERIFY(outcome.path.isEmpty() && !outcome.cancelledWhileBuilding);
    QCOMPARE(answers.errors, QStringList{expected});
    QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
  }

  // The Measured tab's finished run goes into the report as it is: its numbers, its trained
  // context (the catalogue's 512, not the GGUF's 2048), its checkpoint by file name only.
  void includesTheMeasuredTabsFinishedRun() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    window.show();
    window.scenario().setContextTokens(640);
    auto* tab = qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
    QVERIFY(tab);
    QSignalSpy updated(tab, &AnalysisTab::updated);
    window.tabs()->setCurrentWidget(tab);
    tab->setGgufPath(gguf);
    tab->refreshNow();
    QVERIFY(updated.wait(60000) || updated.count() > 0);
    QVERIFY(test::waitForIdle(window));
    QVERIFY(tab->data());
    const std::shared_ptr<const Measurement> run = tab->data();
    // Every compared mitigation's run (baseline and NTK by default), the very runs, not new ones.
    const std::vector<std::shared_ptr<const Measurement>> runs = tab->runs();
    QCOMPARE(runs.size(), size_t(2));
    QCOMPARE(runs[0]->mitigation, Mitigation::Baseline);
    QCOMPARE(runs[1]->mitigation, Mitigation::Ntk);
    const ReportScenario scenario = window.reportScenario();
    QCOMPARE(scenario.finishedMeasurements.size(), runs.size());
    for (size_t i = 0; i < runs.size(); ++i) QCOMPARE(scenario.finishedMeasurements[i].get(), runs[i].get());
    QTemporaryDir dir;
    Answers answers;
    window.setReportExportPrompts(answers.prompts());
    answers.path = dir.filePath(QStringLiteral("measured.html"));
    exportAction(window)->trigger();
    QVERIFY2(answers.errors.isEmpty(), qPrintable(answers.errors.join(QLatin1Char('\n'))));
    const QString html = QString::fromUtf8(readAll(answers.path));
    const qsizetype start = html.indexOf(QStringLiteral("<section id=\"measured\">"));
    QVERIFY(start > 0);
    const QString section = html.mid(start, html.indexOf(QStringLiteral("</section>"), start) - start);
    QVERIFY(section.contains(QStringLiteral("stories260K.gguf")));
    QVERIFY(!section.contains(QFileInfo(gguf).absolutePath()));
    QVERIFY(section.contains(QStringLiteral("640")));
    QVERIFY(section.contains(QStringLiteral("512 tokens (from the catalogue")));
    // Its reproduce line gives measure the same trained context (the GGUF itself says 2048).
    for (const auto& measured : runs) {
      QVERIFY(section.contains(QStringLiteral("--context 640 --trained-context 512 --mitigation %1")
                                   .arg(mitigationName(measured->mitigation))));
      QVERIFY(section.contains(QString::number(measured->meanNllInside, 'f', 4)));
      QVERIFY(section.contains(QString::number(measured->meanNllBeyond, 'f', 4)));
    }
    QVERIFY(runs[0]->meanNllBeyond != runs[1]->meanNllBeyond);  // two distinct runs, not one twice
    QVERIFY(section.contains(QStringLiteral("chart-measured-loss")));
    QCOMPARE(tab->data().get(), run.get());  // the tab still shows the same runs
    QCOMPARE(tab->runs(), runs);
  }
};

QTEST_MAIN(TestUiExportReport)
#include "test_ui_export_report.moc"
