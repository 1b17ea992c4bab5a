// The window offscreen: docks populated from the catalogue, context control, picking, settings
// round-trip, drop-import and its error path, accessible names and tooltips on every control.
#include "MainWindow.h"
#include "UiTestSupport.h"
#include "catalog/Catalog.h"
#include "panels/ContextControl.h"
#include "panels/ScenarioPanel.h"
#include "panels/SpecPicker.h"
#include "scenario/ImportController.h"
#include "scenario/Scenario.h"
#include "scenario/SpecLibrary.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QTest>
#include <QTextBrowser>
#include <QUrl>
#include "TestSupport.h"

using namespace sinkscope;
using namespace sinkscope::ui;

class TestUiWindow : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_window")); }

  void opensWithBothPickersPopulated() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const Catalog& catalog = Catalog::builtin();
    QVERIFY(catalog.models().size() >= 24);
    QCOMPARE(window.modelPicker()->count(), int(catalog.models().size()));
    QCOMPARE(window.hardwarePicker()->count(), int(catalog.hardware().size()));
    // docs/design.md: the default scenario is Mistral 7B at 32K on an H100 80 GB, baseline vs NTK.
    QVERIFY(window.scenario().values().modelId.contains(QLatin1String("mistral-7b"), Qt::CaseInsensitive));
    QVERIFY(window.scenario().values().hardwareId.contains(QLatin1String("h100"), Qt::CaseInsensitive));
    QCOMPARE(window.scenario().values().contextTokens, qint64(32768));
    QCOMPARE(window.modelPicker()->selectedKey(), window.scenario().values().modelId);
    QVERIFY(!window.modelPicker()->details()->toPlainText().isEmpty());
    const std::vector<Mitigation> expected{Mitigation::Baseline, Mitigation::Ntk};
    QCOMPARE(window.scenario().values().mitigations, expected);
  }

  void searchFiltersTheModelList() {
    MainWindow window;
    window.modelPicker()->searchBox()->setText(QStringLiteral("llama 3.1"));
    int expected = 0;
    for (const ModelSpec& model : Catalog::builtin().models())
      expected += (model.displayName + model.id).contains(QLatin1String("llama"), Qt::CaseInsensitive) &&
                  (model.displayName + model.id).contains(QLatin1String("3.1"), Qt::CaseInsensitive);
    QVERIFY(expected > 0);
    QVERIFY(window.modelPicker()->visibleCount() >= expected);
    QVERIFY(window.modelPicker()->visibleCount() < window.modelPicker()->count());
  }

  void contextControlIsLogarithmicFrom128To10M() {
    QCOMPARE(ContextControl::tokensForSliderPosition(ContextControl::sliderPositionFor(128)), qint64(128));
    QCOMPARE(ContextControl::tokensForSliderPosition(ContextControl::sliderPositionFor(10'485'760)),
             qint64(10'485'760));
    // One page step (8 positions) doubles the context.
    QCOMPARE(ContextControl::tokensForSliderPosition(ContextControl::sliderPositionFor(65536) + 8),
             qint64(131072));
    MainWindow window;
    ContextControl* context = window.scenarioPanel()->context();
    QCOMPARE(context->spinBox()->minimum(), 128);
    QCOMPARE(context->spinBox()->maximum(), 10'485'760);
    context->spinBox()->setValue(131072);
    QCOMPARE(window.scenario().values().contextTokens, qint64(131072));
    QCOMPARE(context->slider()->value(), ContextControl::sliderPositionFor(131072));
    context->slider()->setValue(ContextControl::sliderPositionFor(8192));
    QCOMPARE(window.scenario().values().contextTokens, qint64(8192));
    QCOMPARE(context->spinBox()->value(), 8192);
  }

  void pickingInTheDocksUpdatesTheScenario() {
    MainWindow window;
    QSignalSpy modelChanged(&window.scenario(), &Scenario::modelChanged);
    QListWidget* list = window.modelPicker()->list();
    const int row = list->currentRow() == 0 ? 1 : 0;
    list->setCurrentRow(row);
    QCOMPARE(modelChanged.count(), 1);
    QCOMPARE(window.scenario().values().modelId, list->item(row)->data(Qt::UserRole).toString());
    QListWidget* hardware = window.hardwarePicker()->list();
    hardware->setCurrentRow(hardware->count() - 1);
    QCOMPARE(window.scenario().values().hardwareId,
             hardware->item(hardware->count() - 1)->data(Qt::UserRole).toString());
  }

  void settingsRoundTrip() {
    QTemporaryDir dir;
    const QString config = test::writeTinyLlamaConfig(dir);
    ScenarioValues saved;
    QByteArray geometry;
    {
      MainWindow window;
      window.resize(1234, 777);
      QVERIFY(window.importer().importModel(config));
      ScenarioValues v = window.scenario().values();
      v.hardwareId = Catalog::builtin().hardware().back().id;
      v.contextTokens = 262144;
      v.batch = 3;
      v.weightsDtype = QStringLiteral("fp8");
      v.kvDtype = QStringLiteral("fp16");
      v.mitigations = {Mitigation::Baseline, Mitigation::Yarn, Mitigation::Streaming};
      v.layer = 5;
      v.head = 2;
      window.scenario().setValues(v);
      saved = window.scenario().values();
      window.saveSettings();
    }
    MainWindow restored;
    restored.restoreSettings();
    QCOMPARE(restored.scenario().values().modelId, saved.modelId);  // the imported file, re-imported
    QCOMPARE(restored.scenario().values().hardwareId, saved.hardwareId);
    QCOMPARE(restored.scenario().values().contextTokens, qint64(262144));
    QCOMPARE(restored.scenario().values().batch, 3);
    QCOMPARE(restored.scenario().values().weightsDtype, QStringLiteral("fp8"));
    QCOMPARE(restored.scenario().values().kvDtype, QStringLiteral("fp16"));
    QCOMPARE(restored.scenario().values().mitigations, saved.mitigations);
    QCOMPARE(restored.scenario().values().layer, 5);
    QCOMPARE(restored.scenario().values().head, 2);
    QVERIFY(restored.importer().recentFiles().contains(QFileInfo(config).absoluteFilePath()));
    QCOMPARE(restored.size(), QSize(1234, 777));
    QSettings().clear();
  }

  // A file of the last session that no longer imports is not offered again, and the window says
  // which and why rather than dropping it silently.
  void aFileThatNoLongerImportsIsNamedWhenRestoring() {
    QTemporaryDir dir;
    const QString gone = dir.filePath(QStringLiteral("gone-config.json"));
    QSettings().setValue(QStringLiteral("files/imported"), QStringList{gone});
    MainWindow restored;
    restored.restoreSettings();
    const QString status = restored.statusBar()->currentMessage();
    QVERIFY2(
        status.startsWith(QStringLiteral("Not reopened from the last session: ")) && status.contains(gone),
        qPrintable(status));
    QVERIFY(!restored.library().importedPaths().contains(gone));
    QSettings().clear();
  }

  void dropImportsConfigAndHardware() {
    QTemporaryDir dir;
    MainWindow window;
    window.importer().setShowErrorDialogs(false);
    const QString config = test::writeTinyLlamaConfig(dir);
    const QString hardware = test::writeHardwareJson(dir);
    drop(window, {config, hardware});
    QCOMPARE(window.scenario().values().modelId, QFileInfo(config).absoluteFilePath());
    QCOMPARE(window.scenario().model().layers, 22);
    QCOMPARE(window.scenario().model().kvHeads, 4);
    QCOMPARE(window.scenario().values().hardwareId, QFileInfo(hardware).absoluteFilePath());
    QCOMPARE(window.scenario().hardware().memoryBytes, qint64(51539607552));
    QCOMPARE(window.modelPicker()->selectedKey(), QFileInfo(config).absoluteFilePath());
    QCOMPARE(window.modelPicker()->count(), int(Catalog::builtin().models().size()) + 1);
  }

  void dropImportsTheSharedGguf() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    MainWindow window;
    window.importer().setShowErrorDialogs(false);
    QSignalSpy failed(&window.importer(), &ImportController::importFailed);
    drop(window, QStringList{gguf});
    if (!failed.isEmpty() && failed.at(0).at(0).toString().contains(QLatin1String("not yet in this build")))
      QSKIP("this build's catalogue cannot import GGUF metadata yet");
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(window.scenario().model().layers, 5);  // docs/references.md section 8: 5 blocks, 8 heads
    QCOMPARE(window.scenario().model().heads, 8);
  }

  void badImportReportsTheFileAndChangesNothing() {
    QTemporaryDir dir;
    MainWindow window;
    window.importer().setShowErrorDialogs(false);
    const ScenarioValues before = window.scenario().values();
    QSignalSpy failed(&window.importer(), &ImportController::importFailed);
    const QString bad = test::writeTextFile(dir, QStringLiteral("config.json"),
                                            R"({"model_type": "llama", "hidden_size": 4096,
                                               "num_attention_heads": 30, "num_key_value_heads": 4,
                                               "num_hidden_layers": 2, "vocab_size": 100,
                                               "intermediate_size": 100, "max_position_embeddings": 2048})");
    drop(window, {bad});
    const QString truncated =
        test::writeTextFile(dir, QStringLiteral("broken.json"), R"({"model_type": "llama", )");
    drop(window, {truncated});
    QCOMPARE(failed.count(), 2);
    QVERIFY2(failed.at(0).at(0).toString().contains(bad), qPrintable(failed.at(0).at(0).toString()));
    QVERIFY2(failed.at(1).at(0).toString().contains(truncated), qPrintable(failed.at(1).at(0).toString()));
    QCOMPARE(window.scenario().values(), before);
    QCOMPARE(window.modelPicker()->count(), int(Catalog::builtin().models().size()));
  }

  void everyControlHasAnAccessibleNameAndTooltip() {
    MainWindow window;
    QStringList missing;
    for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
      for (QWidget* widget : dock->widget()->findChildren<QWidget*>()) {
        const bool control = qobject_cast<QAbstractButton*>(widget) ||
                             qobject_cast<QAbstractSpinBox*>(widget) || qobject_cast<QComboBox*>(widget) ||
                             qobject_cast<QSlider*>(widget) || qobject_cast<QLineEdit*>(widget) ||
                             qobject_cast<QListWidget*>(widget);
        if (!control || qobject_cast<QLineEdit*>(widget->parentWidget())) continue;
        if (qobject_cast<QLineEdit*>(widget) && qobject_cast<QAbstractSpinBox*>(widget->parentWidget()))
          continue;
        if (qobject_cast<QComboBox*>(widget->parentWidget())) continue;
        if (widget->accessibleName().isEmpty() || widget->toolTip().isEmpty())
          missing << QStringLiteral("%1 '%2'").arg(QString::fromLatin1(widget->metaObject()->className()),
                                                   widget->accessibleName());
      }
    }
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QStringLiteral(", "))));
  }

 private:
  static void drop(MainWindow& window, const QStringList& paths) {
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString& path : paths) urls << QUrl::fromLocalFile(path);
    mime.setUrls(urls);
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent dropEvent(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &dropEvent);
  }
};

QTEST_MAIN(TestUiWindow)
#include "test_ui_window.moc"
