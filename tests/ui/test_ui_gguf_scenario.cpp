// The window ties a GGUF opened in the Measured tab to the scenario (docs/catalog.md, "A GGUF and
// the catalogue"): a file of a catalogue model's shape is offered as that model, with its trained
// context from the catalogue; another file is offered as an imported model. Generated files only.
#include "GeneratedLlama.h"
#include "MainWindow.h"
#include "TestSupport.h"
#include "UiTestSupport.h"
#include "scenario/GgufScenarioController.h"
#include "scenario/Scenario.h"
#include "tabs/MeasuredTab.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

// stories260K's shape (resources/models.json "stories260k": 5 layers, 64 wide, 8 heads, 4 KV,
// FFN 172, vocabulary 512, tied output) with random weights, under a name the catalogue does not know.
QString writeStoriesShaped(const QTemporaryDir& dir) {
  test::GeneratedLlamaShape shape;
  shape.embedding = 64;
  shape.heads = 8;
  shape.kvHeads = 4;
  shape.feedForward = 172;
  shape.layers = 5;
  shape.vocab = 512;
  shape.tiedOutput = true;
  shape.contextLength = 2048;
  const QString path = dir.filePath(QStringLiteral("random-tiny.gguf"));
  test::writeGeneratedLlama(path, shape, test::TensorTypePlan::allMatrices(GgmlType::F32));
  return path;
}

MeasuredTab* measuredTab(MainWindow& window) {
  return qobject_cast<MeasuredTab*>(window.analysisTab(QStringLiteral("measured")));
}

// Measures the tab's file (baseline only, 600 tokens) and returns the first run.
std::shared_ptr<const Measurement> measureOnce(MainWindow& window, MeasuredTab* tab) {
  QSignalSpy updated(tab, &AnalysisTab::updated);
  tab->refreshNow();
  if (!updated.wait(120000) && updated.count() == 0) return nullptr;
  if (!test::waitForIdle(window, 120000)) return nullptr;
  return tab->runs().empty() ? nullptr : tab->runs().front();
}

void saveScreenshot(MainWindow& window, const char* name) {
  const QString folder = qEnvironmentVariable("SINKSCOPE_TEST_SCREENSHOTS");
  if (!folder.isEmpty()) window.grab().save(folder + QLatin1Char('/') + QLatin1String(name));
}

}  // namespace

class TestUiGgufScenario : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_gguf_scenario")); }

  // A file of stories260K's shape, opened while the scenario names Mistral 7B: the bar offers
  // stories260K with the catalogue's trained context (512) beside the file's (2,048); until the
  // person accepts, the scenario and the measured trained context stay as they were.
  void matchingFileOffersTheCatalogueModel() {
    QTemporaryDir dir;
    const QString path = writeStoriesShaped(dir);
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    MeasuredTab* tab = measuredTab(window);
    QVERIFY(tab);
    window.tabs()->setCurrentWidget(tab);
    window.scenario().setContextTokens(600);
    window.scenario().setMitigations({Mitigation::Baseline});
    const QString before = window.scenario().values().modelId;
    QVERIFY(before.startsWith(QStringLiteral("mistral")));
    tab->setGgufPath(path);
    auto* bar = window.findChild<ScenarioOfferBar*>();
    QVERIFY(bar);
    QVERIFY(!bar->isHidden());
    const QString text = bar->textLabel()->text();
    QVERIFY2(text.contains(QStringLiteral("<b>stories260K (llama2.c)</b>")), qPrintable(text));
    QVERIFY2(
        text.contains(QStringLiteral("Trained context: 512 tokens from the catalogue; the file says 2,048 "
                                     "tokens (llama.context_length)")),
        qPrintable(text));
    QCOMPARE(bar->acceptButton()->text(), QStringLiteral("Use stories260K (llama2.c) as the scenario"));
    saveScreenshot(window, "gguf-offer-catalogue.png");
    const auto fromFile = measureOnce(window, tab);
    QVERIFY(fromFile);
    QCOMPARE(window.scenario().values().modelId, before);
    QCOMPARE(fromFile->trainedContext, qint64(2048));
    QCOMPARE(fromFile->trainedContextSource, QStringLiteral("llama.context_length"));

    bar->acceptButton()->click();
    QCOMPARE(window.scenario().values().modelId, QStringLiteral("stories260k"));
    QVERIFY(bar->isHidden());
    const auto fromCatalogue = measureOnce(window, tab);  // the trained context changed: measured again
    QVERIFY(fromCatalogue);
    QVERIFY(fromCatalogue != fromFile);
    QCOMPARE(fromCatalogue->trainedContext, qint64(512));
    QCOMPARE(fromCatalogue->trainedContextSource, QStringLiteral("the catalogue's stories260k"));
    tab->setGgufPath(path);  // opened again while the scenario is already its model: nothing to offer
    QVERIFY(bar->isHidden());
  }

  // A file of no catalogue shape is offered as an imported model; accepting imports it and makes
  // it the scenario, so the Planner and Mitigations tabs plan the model that is measured.
  void otherFileIsOfferedAsAnImportedModel() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("my-model.gguf"));
    test::writeGeneratedLlama(path, test::GeneratedLlamaShape{},
                              test::TensorTypePlan::allMatrices(GgmlType::F32));
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    MeasuredTab* tab = measuredTab(window);
    QVERIFY(tab);
    window.tabs()->setCurrentWidget(tab);
    tab->setGgufPath(path);
    auto* bar = window.findChild<ScenarioOfferBar*>();
    QVERIFY(bar && !bar->isHidden());
    const QString text = bar->textLabel()->text();
    QVERIFY2(text.contains(QStringLiteral("is no catalogue model")), qPrintable(text));
    QVERIFY2(text.contains(
                 QStringLiteral("llama, 2 layers, embedding 256, 4 heads (2 KV), FFN 512, vocabulary 512")),
             qPrintable(text));
    QCOMPARE(bar->acceptButton()->text(), QStringLiteral("Add my-model.gguf as a model and use it"));
    saveScreenshot(window, "gguf-offer-import.png");
    bar->acceptButton()->click();
    QVERIFY(bar->isHidden());
    const ModelSpec& model = window.scenario().model();
    QCOMPARE(model.origin, QFileInfo(path).absoluteFilePath());
    QCOMPARE(model.layers, 2);
    QCOMPARE(model.hiddenSize, qint64(256));
  }

  // A file the tab holds when the window opens (the last session's, or SINKSCOPE_SAMPLE_GGUF as
  // here) gets the same offer as one opened later: before, the window started measuring it under
  // whatever model the scenario named, with no word of the mismatch.
  void fileOpenAtStartIsOffered() {
    QTemporaryDir dir;
    const QString path = writeStoriesShaped(dir);
    qputenv("SINKSCOPE_SAMPLE_GGUF", path.toUtf8());
    MainWindow window;
    qunsetenv("SINKSCOPE_SAMPLE_GGUF");
    MeasuredTab* tab = measuredTab(window);
    QVERIFY(tab);
    QCOMPARE(tab->ggufPath(), path);
    auto* bar = window.findChild<ScenarioOfferBar*>();
    QVERIFY(bar && !bar->isHidden());
    QCOMPARE(bar->acceptButton()->text(), QStringLiteral("Use stories260K (llama2.c) as the scenario"));
  }

  // Dismissing keeps the scenario.
  void dismissingKeepsTheScenario() {
    QTemporaryDir dir;
    const QString path = writeStoriesShaped(dir);
    MainWindow window;
    MeasuredTab* tab = measuredTab(window);
    QVERIFY(tab);
    const QString before = window.scenario().values().modelId;
    tab->setGgufPath(path);
    auto* bar = window.findChild<ScenarioOfferBar*>();
    QVERIFY(bar && !bar->isHidden());
    auto* close = bar->findChild<QToolButton*>();
    QVERIFY(close);
    close->click();
    QVERIFY(bar->isHidden());
    QCOMPARE(window.scenario().values().modelId, before);
  }
};

QTEST_MAIN(TestUiGgufScenario)
#include "test_ui_gguf_scenario.moc"
