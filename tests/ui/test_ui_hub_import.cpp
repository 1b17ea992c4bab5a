// The window's "From Hugging Face" import against a LocalHubServer on 127.0.0.1: the window keeps
// answering while a fetch runs, Cancel stops it, errors read as on the command line, and the
// opened model is selected and its id remembered across sessions.
#include "LocalHubServer.h"
#include "MainWindow.h"
#include "UiTestSupport.h"
#include "panels/SpecDetails.h"
#include "scenario/HubImportDialog.h"
#include "scenario/ImportController.h"
#include "scenario/Scenario.h"
#include "scenario/ScenarioFileActions.h"
#include "scenario/SpecLibrary.h"

#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include "TestSupport.h"

using namespace sinkscope;
using namespace sinkscope::ui;
using sinkscope::test::LocalHubServer;

namespace {

const QString kRepo = QStringLiteral("Qwen/Qwen2.5-7B-Instruct");
const QString kConfigPath = QStringLiteral("/Qwen/Qwen2.5-7B-Instruct/resolve/main/config.json");

QByteArray recordedConfig() {
  QFile file(test::testDataPath(QStringLiteral("hf/qwen2.5-7b.config.json")));
  if (!file.open(QIODevice::ReadOnly)) qFatal("tests/data/hf/qwen2.5-7b.config.json is missing");
  return file.readAll();
}

}  // namespace

class TestUiHubImport : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    test::isolateSettings(QStringLiteral("test_ui_hub_import"));
    QVERIFY(cache_.isValid());
    qputenv("XDG_CACHE_HOME", cache_.path().toUtf8());
    qputenv("HF_HOME", (cache_.path() + QStringLiteral("/hf")).toUtf8());
    qunsetenv("HF_TOKEN");
    qunsetenv("HF_HUB_OFFLINE");
    qputenv("SINKSCOPE_HUB_TIMEOUT_MS", "5000");
    qputenv("no_proxy", "127.0.0.1,localhost");  // a proxy in the environment must not see the stand-in
  }

  void aStalledFetchLeavesTheWindowAnsweringAndCancelStopsIt() {
    LocalHubServer server;
    server.setResponse(kConfigPath, {200, QByteArray(), {}, true});
    qputenv("HF_ENDPOINT", server.endpoint().toUtf8());
    MainWindow window;
    window.setPersistSettings(false);
    window.importer().setShowErrorDialogs(false);
    HubImportDialog* dialog = window.importer().openHubDialog();
    dialog->idBox()->setCurrentText(kRepo);
    QSignalSpy failed(&window.importer(), &ImportController::importFailed);
    dialog->openButton()->click();
    QVERIFY(dialog->fetching());
    // The event loop runs while the server stalls: a timer fires.
    bool ticked = false;
    QTimer::singleShot(50, [&ticked] { ticked = true; });
    QTRY_VERIFY_WITH_TIMEOUT(ticked, 2000);
    QVERIFY(dialog->fetching());
    QTest::keyClick(dialog, Qt::Key_Escape);  // Cancel
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 2000);
    QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("cancelled")),
             qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(!window.library().model(kRepo));
  }

  void aGatedModelShowsTheCommandLinesMessage() {
    LocalHubServer server;
    server.setResponse(kConfigPath, {401, "restricted", {{"X-Error-Code", "GatedRepo"}}, false});
    qputenv("HF_ENDPOINT", server.endpoint().toUtf8());
    MainWindow window;
    window.setPersistSettings(false);
    HubImportDialog* dialog = window.importer().openHubDialog();
    dialog->idBox()->setCurrentText(kRepo);
    dialog->openButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->fetching(), 5000);
    const QString text = dialog->statusLabel()->text();
    QVERIFY2(text.startsWith(QStringLiteral("error: Qwen/Qwen2.5-7B-Instruct@main: config.json: gated")),
             qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("accept the licence")) && text.contains(QStringLiteral("HF_TOKEN")));
    dialog->close();
  }

  void anOpenedModelIsSelectedAndRemembered() {
    LocalHubServer server;
    server.setResponse(kConfigPath, {200, recordedConfig(), {}, false});
    const QByteArray header =
        R"({"w": {"dtype": "BF16", "shape": [1000, 3000], "data_offsets": [0, 6000000]}})";
    server.setResponse(QStringLiteral("/Qwen/Qwen2.5-7B-Instruct/resolve/main/model.safetensors"),
                       {200, test::safetensorsPrefix(header), {}, false});
    qputenv("HF_ENDPOINT", server.endpoint().toUtf8());
    {
      MainWindow window;
      HubImportDialog* dialog = window.importer().openHubDialog();
      dialog->idBox()->setCurrentText(kRepo);
      dialog->openButton()->click();
      QTRY_COMPARE_WITH_TIMEOUT(window.scenario().values().modelId, kRepo, 5000);
      QVERIFY(window.library().model(kRepo));
      QCOMPARE(window.library().model(kRepo)->layers, 28);
      const QString details = modelDetailsHtml(*window.library().model(kRepo));  // 1000 x 3000 served above
      QVERIFY2(details.contains(QStringLiteral("Checkpoint")) && details.contains(QStringLiteral("exact")),
               qPrintable(details));
      QCOMPARE(window.library().model(kRepo)->checkpointWeights->parameters, qint64(3'000'000));
      QCOMPARE(window.importer().recentHubIds(), QStringList{kRepo});
      window.saveSettings();
    }
    const qsizetype requests = server.requests().size();
    MainWindow restored;
    restored.restoreSettings();
    QCOMPARE(restored.importer().recentHubIds(), QStringList{kRepo});
    QVERIFY(restored.library().model(kRepo));      // back from the cache
    QCOMPARE(server.requests().size(), requests);  // without a request
    HubImportDialog* dialog = restored.importer().openHubDialog();
    QCOMPARE(dialog->idBox()->currentText(), kRepo);  // the recent id is offered first
    dialog->close();
    // A saved scenario naming the id opens in a fresh window from the cache, without a request.
    QTemporaryDir folder;
    const QString scenarioPath = folder.filePath(QStringLiteral("hub.sinkscope.json"));
    restored.scenario().setModelId(kRepo);
    QVERIFY(restored.scenarioFiles().save(scenarioPath));
    MainWindow fresh;
    fresh.setPersistSettings(false);
    QString shown;
    fresh.scenarioFiles().setShowError([&shown](const QString& message) { shown = message; });
    QVERIFY2(fresh.scenarioFiles().open(scenarioPath), qPrintable(shown));
    QCOMPARE(fresh.scenario().values().modelId, kRepo);
    QCOMPARE(server.requests().size(), requests);
  }

 private:
  QTemporaryDir cache_;
};

QTEST_MAIN(TestUiHubImport)
#include "test_ui_hub_import.moc"
