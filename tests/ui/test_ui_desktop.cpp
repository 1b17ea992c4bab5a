// Desktop habits of the window: Undo/Redo of scenario changes, scenarios saved and opened as
// versioned JSON (menu and drop), tab keys that never touch the context, dialogs that remember
// their folders, and Help → Glossary showing docs/glossary.md.
#include "DialogFolders.h"
#include "GlossaryDialog.h"
#include "MainWindow.h"
#include "TestSupport.h"
#include "UiTestSupport.h"
#include "charts/ChartView.h"
#include "panels/ContextControl.h"
#include "panels/ScenarioPanel.h"
#include "scenario/Scenario.h"
#include "scenario/ScenarioFile.h"
#include "scenario/ScenarioFileActions.h"
#include "scenario/ScenarioHistory.h"
#include "scenario/SpecLibrary.h"
#include "tabs/AnalysisTab.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenuBar>
#include <QMimeData>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTextBrowser>
#include <QUrl>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

void collectErrors(ScenarioFileActions& actions, QStringList& errors) {
  actions.setShowError([&errors](const QString& message) { errors << message; });
}

QByteArray withScenarioField(const ScenarioValues& values, const QString& key, const QJsonValue& value) {
  QJsonObject file = QJsonDocument::fromJson(scenarioFileBytes(values)).object();
  if (key == QLatin1String("version") || key == QLatin1String("format")) {
    file.insert(key, value);
  } else {
    QJsonObject scenario = file.value(QStringLiteral("scenario")).toObject();
    scenario.insert(key, value);
    file.insert(QStringLiteral("scenario"), scenario);
  }
  return QJsonDocument(file).toJson();
}

QByteArray readAll(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QAction* menuAction(MainWindow& window, const QString& text) {
  for (QAction* menu : window.menuBar()->actions())
    for (QAction* action : menu->menu()->actions())
      if (action->text().remove(QLatin1Char('&')).startsWith(text)) return action;
  return nullptr;
}

}  // namespace

class TestUiDesktop : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_desktop")); }

  void undoAndRedoWalkBackThroughScenarioChanges() {
    MainWindow window;
    window.setPersistSettings(false);
    Scenario& scenario = window.scenario();
    const ScenarioValues start = scenario.values();
    QUndoStack& stack = window.history().stack();
    QVERIFY(!stack.canUndo());

    // Three context edits in a row (a slider drag) are one step; a model change is another.
    ContextControl* context = window.scenarioPanel()->findChild<ContextControl*>();
    QVERIFY(context);
    for (int tokens : {8192, 16384, 65536}) context->spinBox()->setValue(tokens);
    QCOMPARE(scenario.values().contextTokens, qint64(65536));
    QCOMPARE(stack.count(), 1);
    const QString llama = test::catalogueId("llama-2-7b");
    QVERIFY(!llama.isEmpty());
    scenario.setModelId(llama);
    QCOMPARE(stack.count(), 2);
    QVERIFY(menuAction(window, QStringLiteral("Undo")));
    QCOMPARE(menuAction(window, QStringLiteral("Undo"))->shortcut(), QKeySequence(QKeySequence::Undo));

    stack.undo();
    QCOMPARE(scenario.values().modelId, start.modelId);
    QCOMPARE(scenario.values().contextTokens, qint64(65536));
    stack.undo();
    QCOMPARE(scenario.values(), start);
    QCOMPARE(context->tokens(), start.contextTokens);  // the control follows the scenario
    QVERIFY(!stack.canUndo());
    stack.redo();
    stack.redo();
    QCOMPARE(scenario.values().modelId, llama);
    QCOMPARE(scenario.values().contextTokens, qint64(65536));
    // A new change after an undo drops the redo branch, as everywhere else.
    stack.undo();
    scenario.setBatch(8);
    QVERIFY(!stack.canRedo());
  }

  void restoringSettingsStartsAFreshHistory() {
    {
      MainWindow window;
      window.scenario().setContextTokens(131072);
      window.saveSettings();
    }
    MainWindow window;
    window.restoreSettings();
    QCOMPARE(window.scenario().values().contextTokens, qint64(131072));
    QVERIFY(!window.history().stack().canUndo());
  }

  void savedScenarioOpensAsItWas() {
    QTemporaryDir dir;
    MainWindow window;
    window.setPersistSettings(false);
    Scenario& scenario = window.scenario();
    scenario.setModelId(test::catalogueId("llama-3.1-8b"));
    scenario.setContextTokens(131072);
    scenario.setBatch(4);
    scenario.setMitigations({Mitigation::Baseline, Mitigation::Yarn, Mitigation::Streaming});
    scenario.setComparePair(Mitigation::Baseline, Mitigation::Yarn);
    const ScenarioValues saved = scenario.values();
    const QString path = dir.filePath(QStringLiteral("long.sinkscope.json"));
    QVERIFY(window.scenarioFiles().save(path));

    const QJsonObject file = QJsonDocument::fromJson(readAll(path)).object();
    QCOMPARE(file.value(QStringLiteral("format")).toString(), QStringLiteral("sinkscope-scenario"));
    QCOMPARE(file.value(QStringLiteral("version")).toInt(), kScenarioFileVersion);
    QCOMPARE(
        file.value(QStringLiteral("scenario")).toObject().value(QStringLiteral("context_tokens")).toInt(),
        131072);

    scenario.setValues(Scenario::defaults(window.library()));
    QVERIFY(scenario.values() != saved);
    QVERIFY(window.scenarioFiles().open(path));
    QCOMPARE(scenario.values(), saved);
    QVERIFY(window.history().stack().canUndo());  // opening is one undoable step

    // Dropped on the window, a scenario file opens as a scenario (not as a hardware import).
    scenario.setValues(Scenario::defaults(window.library()));
    QVERIFY(isScenarioFile(path));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    QCOMPARE(scenario.values(), saved);
  }

  void scenarioNamingAnImportedFileImportsItAgain() {
    QTemporaryDir dir;
    const QString config = test::writeTinyLlamaConfig(dir);
    QString path;
    ScenarioValues saved;
    {
      MainWindow window;
      window.setPersistSettings(false);
      const QString key = window.library().importModel(config);
      window.scenario().setModelId(key);
      saved = window.scenario().values();
      path = dir.filePath(QStringLiteral("tiny.sinkscope.json"));
      QVERIFY(window.scenarioFiles().save(path));
    }
    MainWindow window;
    window.setPersistSettings(false);
    QVERIFY(!window.library().model(saved.modelId));
    QVERIFY(window.scenarioFiles().open(path));
    QCOMPARE(window.scenario().values().modelId, saved.modelId);
    QVERIFY(window.library().model(saved.modelId));
  }

  void badScenarioFilesNameTheFieldAndChangeNothing_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("newer version") << "version" << QJsonValue(2)
                                   << "version: 2 is newer than this SinkScope reads (1)";
    QTest::newRow("not a scenario") << "format" << QJsonValue(QStringLiteral("hardware"))
                                    << "format: is not 'sinkscope-scenario'";
    QTest::newRow("unknown model")
        << "model" << QJsonValue(QStringLiteral("no-such-model"))
        << "scenario.model: 'no-such-model' is neither in the catalogue nor a readable file";
    QTest::newRow("unknown mitigation")
        << "mitigations"
        << QJsonValue(QJsonArray::fromStringList({QStringLiteral("baseline"), QStringLiteral("magic")}))
        << "scenario.mitigations: 'magic' is not a mitigation";
    QTest::newRow("context out of range")
        << "context_tokens" << QJsonValue(1e12) << "scenario.context_tokens";
    QTest::newRow("unknown dtype") << "kv_dtype" << QJsonValue(QStringLiteral("fp3"))
                                   << "scenario.kv_dtype: 'fp3' is not one of";
  }

  void badScenarioFilesNameTheFieldAndChangeNothing() {
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    MainWindow window;
    window.setPersistSettings(false);
    QStringList errors;
    collectErrors(window.scenarioFiles(), errors);
    const ScenarioValues before = window.scenario().values();
    const QString path =
        test::writeTextFile(dir, QStringLiteral("bad.json"), withScenarioField(before, key, value));
    QVERIFY(!window.scenarioFiles().open(path));
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.front().contains(expected), qPrintable(errors.front()));
    QVERIFY2(errors.front().startsWith(path), qPrintable(errors.front()));
    QCOMPARE(window.scenario().values(), before);
  }

  void tabKeysSwitchTabsEvenWhenTheContextSliderHasFocus() {
    MainWindow window;
    window.setPersistSettings(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSlider* slider = window.scenarioPanel()->findChild<ContextControl*>()->slider();
    slider->setFocus();
    QTRY_VERIFY(slider->hasFocus());
    const qint64 context = window.scenario().values().contextTokens;
    window.tabs()->setCurrentIndex(0);
    QTest::keyClick(slider, Qt::Key_PageDown, Qt::ControlModifier);
    QCOMPARE(window.tabs()->currentIndex(), 1);
    QTest::keyClick(slider, Qt::Key_PageUp, Qt::ControlModifier);
    QCOMPARE(window.tabs()->currentIndex(), 0);
    QTest::keyClick(slider, Qt::Key_PageUp, Qt::ControlModifier);  // wraps to the last tab
    QCOMPARE(window.tabs()->currentIndex(), window.tabs()->count() - 1);
    QTest::keyClick(slider, Qt::Key_3, Qt::AltModifier);
    QCOMPARE(window.tabs()->currentIndex(), 2);
    QCOMPARE(window.scenario().values().contextTokens, context);
    // A plain PgDown still steps the slider: only the tab chords were taken over.
    QTest::keyClick(slider, Qt::Key_PageDown);
    QVERIFY(window.scenario().values().contextTokens != context);
  }

  void dialogsStartInTheLastFolderUsedForTheirPurpose() {
    QTemporaryDir dir;
    const QString start = dialogStartPath(DialogPurpose::Measure);
    QVERIFY2(start != QDir::currentPath() || start == QDir::homePath(), qPrintable(start));
    QVERIFY(QFileInfo(start).isDir());
    rememberDialogFolder(DialogPurpose::Measure, dir.filePath(QStringLiteral("model.gguf")));
    QCOMPARE(dialogStartPath(DialogPurpose::Measure), dir.path());
    QCOMPARE(dialogStartPath(DialogPurpose::Measure, QStringLiteral("x.txt")),
             QDir(dir.path()).filePath(QStringLiteral("x.txt")));
    QVERIFY(dialogStartPath(DialogPurpose::Export) != dir.path());  // purposes are separate
    rememberDialogFolder(DialogPurpose::Measure, QString());        // a cancelled dialog changes nothing
    QCOMPARE(dialogStartPath(DialogPurpose::Measure), dir.path());
    const QString gone = dir.path();
    dir.remove();
    QCOMPARE(dialogStartPath(DialogPurpose::Measure), start);  // a folder that went away is not offered
    QVERIFY(gone != start);
  }

  void chartsInTheWindowExportWithTheScenarioCaption() {
    MainWindow window;
    window.setPersistSettings(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    AnalysisTab* tab = window.analysisTabs().front();
    test::showAndWait(window, tab);
    ChartView* chart = tab->currentChart();
    QVERIFY(chart && chart->hasChart());
    const QString caption = chart->caption();
    QVERIFY2(caption.contains(window.scenario().model().displayName), qPrintable(caption));
    QVERIFY2(caption.contains(window.scenario().hardware().displayName), qPrintable(caption));
    QVERIFY2(caption.contains(QStringLiteral("32,768 tokens")), qPrintable(caption));
    QTemporaryDir dir;
    const QString svg = dir.filePath(QStringLiteral("chart.svg"));
    chart->exportTo(svg);
    const QByteArray bytes = readAll(svg);
    QVERIFY(bytes.contains("32,768 tokens"));
    QVERIFY(bytes.contains("[modelled]"));
  }

  void glossaryShowsTheDocsPage() {
    MainWindow window;
    window.setPersistSettings(false);
    QAction* glossary = menuAction(window, QStringLiteral("Glossary"));
    QVERIFY(glossary);
    QCOMPARE(glossary->shortcut(), QKeySequence(QKeySequence::HelpContents));
    glossary->trigger();
    auto* dialog = window.findChild<GlossaryDialog*>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    // The dialog shows docs/glossary.md itself, so the window and the docs cannot drift apart.
    QCOMPARE(GlossaryDialog::glossaryMarkdown(),
             QString::fromUtf8(readAll(test::sourceDir() + QStringLiteral("/docs/glossary.md"))));
    const QString text = dialog->browser()->toPlainText();
    for (const char* term : {"context_cap", "Effective context", "RULER-style", "Confidence", "Verdict",
                             "Trained context", "Mean over heads", "Modelled / measured / estimated"})
      QVERIFY2(text.contains(QLatin1String(term)), term);
    glossary->trigger();  // a second time raises the same window
    QCOMPARE(window.findChildren<GlossaryDialog*>().size(), 1);
  }
};

QTEST_MAIN(TestUiDesktop)
#include "test_ui_desktop.moc"
