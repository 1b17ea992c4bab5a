#include "MainWindow.h"

#include "GlossaryDialog.h"
#include "charts/ChartView.h"
#include "compute/ComputeController.h"
#include "compute/ProgressStatus.h"
#include "export/ReportExportDialog.h"
#include "panels/ScenarioPanel.h"
#include "panels/SpecDetails.h"
#include "panels/SpecPicker.h"
#include "scenario/Explanations.h"
#include "scenario/GgufScenarioController.h"
#include "scenario/ImportController.h"
#include "scenario/Scenario.h"
#include "scenario/ScenarioFile.h"
#include "scenario/ScenarioFileActions.h"
#include "scenario/ScenarioHistory.h"
#include "scenario/SpecLibrary.h"
#include "tabs/MeasuredTab.h"
#include "tabs/TabFactory.h"

#include <sinkscope/Version.h>

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QTabWidget>

namespace sinkscope::ui {

namespace {

template <typename Spec, typename Summary>
std::vector<PickerEntry> pickerEntries(const std::vector<SpecLibrary::Entry<Spec>>& entries, Summary summary,
                                       std::function<QString(const Spec&)> searchText) {
  std::vector<PickerEntry> result;
  for (const auto& entry : entries) {
    const QString label =
        entry.imported ? QObject::tr("%1 (imported)").arg(entry.spec->displayName) : entry.spec->displayName;
    result.push_back({entry.key, label, summary(*entry.spec), searchText(*entry.spec)});
  }
  return result;
}

QDockWidget* makeDock(const QString& title, const QString& objectName, QWidget* content,
                      QMainWindow* window) {
  auto* dock = new QDockWidget(title, window);
  dock->setObjectName(objectName);
  dock->setWidget(content);
  dock->setAccessibleName(title);
  return dock;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      library_(std::make_unique<SpecLibrary>()),
      scenario_(std::make_unique<Scenario>(*library_)),
      compute_(std::make_unique<ComputeController>()) {
  setWindowTitle(QStringLiteral("SinkScope"));
  setAcceptDrops(true);
  context_ = std::make_unique<AppContext>(AppContext{*library_, *scenario_, *compute_});
  importer_ = new ImportController(*library_, *scenario_, this);
  history_ = new ScenarioHistory(*scenario_, this);
  scenarioFiles_ = new ScenarioFileActions(*scenario_, *library_, this);
  tabs_ = new QTabWidget(this);
  tabs_->setAccessibleName(tr("Analysis views"));
  tabs_->setDocumentMode(true);
  analysisTabs_ = createAnalysisTabs(*context_, tabs_);
  for (AnalysisTab* tab : analysisTabs_) tabs_->addTab(tab, tab->title());
  setCentralWidget(tabs_);
  createDocks();
  createMenus();
  createTabShortcuts();
  statusBar()->addPermanentWidget(new ProgressStatus(*compute_, this));
  connect(compute_.get(), &ComputeController::jobFailed, this,
          [this](const QString& channel, const QString& message) {
            statusBar()->showMessage(tr("%1 failed: %2").arg(channel, message), 15000);
          });
  // Cancelled is an outcome of its own, not a failure and not "no data": the views keep their
  // last results and the status bar says the work stopped.
  connect(compute_.get(), &ComputeController::jobCancelled, this, [this](const QString& channel) {
    statusBar()->showMessage(tr("%1 cancelled").arg(channel), 15000);
  });
  resize(1440, 900);
}

MainWindow::~MainWindow() {
  compute_->cancelAll();
}

ReportScenario MainWindow::reportScenario() const {
  const ScenarioValues values = scenario_->values();
  ReportScenario report;
  report.model = values.modelId;
  report.hardware = values.hardwareId;
  report.contextTokens = values.contextTokens;
  report.mitigations = values.mitigations;
  report.runtime = values.runtime;
  report.gpusPerNode = values.gpusPerNode;
  report.nodes = values.nodes;
  // The finished measured runs (one per measured mitigation) go into the report as they are
  // (they are never re-run here).
  if (auto* measured = qobject_cast<MeasuredTab*>(analysisTab(QStringLiteral("measured")));
      measured && !measured->runs().empty()) {
    report.finishedMeasurements = measured->runs();
    report.finishedNotMeasured = measured->notMeasured();
    report.ggufPath = measured->runs().front()->ggufPath;
    report.textPath = measured->dataTextPath();
  }
  return report;
}

AnalysisTab* MainWindow::analysisTab(const QString& id) const {
  for (AnalysisTab* tab : analysisTabs_)
    if (tab->id() == id) return tab;
  return nullptr;
}

void MainWindow::createDocks() {
  modelPicker_ = new SpecPicker(tr("models"),
                                {[this] {
                                   return pickerEntries<ModelSpec>(
                                       library_->models(), modelSummary, [](const ModelSpec& m) {
                                         return m.family + QLatin1Char(' ') + m.architecture +
                                                QLatin1Char(' ') + attentionKindName(m.attentionKind);
                                       });
                                 },
                                 [this](const QString& key) {
                                   const auto spec = library_->model(key);
                                   return spec ? modelDetailsHtml(*spec) : QString();
                                 }},
                                this);
  modelPicker_->importButton()->setToolTip(
      tr("Import a Hugging Face config.json or a .gguf file's metadata, or open a "
         "model by its Hugging Face id"));
  hardwarePicker_ = new SpecPicker(tr("hardware"),
                                   {[this] {
                                      return pickerEntries<HardwareSpec>(
                                          library_->hardware(), hardwareSummary, [](const HardwareSpec& h) {
                                            return h.vendor + QLatin1Char(' ') + h.category;
                                          });
                                    },
                                    [this](const QString& key) {
                                      const auto spec = library_->hardware(key);
                                      return spec ? hardwareDetailsHtml(*spec) : QString();
                                    }},
                                   this);
  hardwarePicker_->importButton()->setToolTip(tr("Import a hardware profile JSON in the catalogue's format"));
  scenarioPanel_ = new ScenarioPanel(*scenario_, this);

  connect(modelPicker_, &SpecPicker::picked, scenario_.get(), &Scenario::setModelId);
  connect(hardwarePicker_, &SpecPicker::picked, scenario_.get(), &Scenario::setHardwareId);
  // The model dock's Import… offers a file or a Hugging Face id.
  auto* importMenu = new QMenu(modelPicker_->importButton());
  importMenu->addAction(tr("From a &file (config.json, .gguf)…"), importer_,
                        &ImportController::openModelDialog);
  importMenu->addAction(tr("From &Hugging Face…"), importer_, &ImportController::openHubDialog)
      ->setObjectName(QStringLiteral("importModelFromHub"));
  modelPicker_->importButton()->setMenu(importMenu);
  connect(hardwarePicker_, &SpecPicker::importRequested, importer_, &ImportController::openHardwareDialog);
  connect(library_.get(), &SpecLibrary::modelsChanged, modelPicker_, &SpecPicker::reload);
  connect(library_.get(), &SpecLibrary::hardwareChanged, hardwarePicker_, &SpecPicker::reload);
  auto mirrorSelection = [this] {
    modelPicker_->select(scenario_->values().modelId);
    hardwarePicker_->select(scenario_->values().hardwareId);
  };
  connect(scenario_.get(), &Scenario::changed, this, mirrorSelection);
  mirrorSelection();

  auto* modelDock = makeDock(tr("Model"), QStringLiteral("modelDock"), modelPicker_, this);
  auto* hardwareDock = makeDock(tr("Hardware"), QStringLiteral("hardwareDock"), hardwarePicker_, this);
  auto* scenarioDock = makeDock(tr("Scenario"), QStringLiteral("scenarioDock"), scenarioPanel_, this);
  addDockWidget(Qt::LeftDockWidgetArea, modelDock);
  addDockWidget(Qt::LeftDockWidgetArea, hardwareDock);
  addDockWidget(Qt::RightDockWidgetArea, scenarioDock);
  resizeDocks({modelDock, scenarioDock}, {300, 330}, Qt::Horizontal);
  for (QDockWidget* dock : {modelDock, hardwareDock, scenarioDock}) dock->widget()->setMinimumWidth(260);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open =
      file->addAction(tr("&Open model or hardware file…"), importer_, &ImportController::openAnyDialog);
  open->setShortcut(QKeySequence::Open);
  open->setToolTip(tr("Import a Hugging Face config.json, a .gguf file or a hardware JSON"));
  QAction* fromHub =
      file->addAction(tr("Import from &Hugging Face…"), importer_, &ImportController::openHubDialog);
  fromHub->setObjectName(QStringLiteral("importFromHub"));
  fromHub->setToolTip(tr("Open a model by its Hugging Face id (org/name[@revision])"));
  recentMenu_ = file->addMenu(tr("Open &recent"));
  connect(importer_, &ImportController::recentFilesChanged, this, &MainWindow::rebuildRecentMenu);
  if (auto* measured = qobject_cast<MeasuredTab*>(analysisTab(QStringLiteral("measured")))) {
    connect(measured, &MeasuredTab::ggufOpened, importer_, &ImportController::rememberFile);
    new GgufScenarioController(*scenario_, *importer_, *measured);  // owned by the tab
  }
  file->addSeparator();
  QAction* openScenario =
      file->addAction(tr("Open &scenario…"), scenarioFiles_, &ScenarioFileActions::openDialog);
  openScenario->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  openScenario->setToolTip(
      tr("Open a scenario saved with Save scenario (model, hardware, context, mitigations)"));
  QAction* saveScenario =
      file->addAction(tr("Save scenario &as…"), scenarioFiles_, &ScenarioFileActions::saveDialog);
  saveScenario->setShortcut(QKeySequence::Save);
  saveScenario->setToolTip(tr("Save this scenario as a small JSON file to open again or share"));
  file->addSeparator();
  QAction* exportChart = file->addAction(tr("&Export chart…"), this, &MainWindow::exportCurrentChart);
  exportChart->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  QAction* exportReport = file->addAction(tr("Export &report…"), this, [this] {
    if (exportReportInteractively(this, reportScenario(), reportPrompts_).cancelledWhileBuilding)
      statusBar()->showMessage(tr("Report export cancelled: nothing was written"), 15000);
  });
  exportReport->setObjectName(QStringLiteral("exportReport"));
  exportReport->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  exportReport->setToolTip(tr("A multi-page PDF or self-contained HTML capacity report of this scenario"));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  QAction* undo = history_->stack().createUndoAction(this, tr("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = history_->stack().createRedoAction(this, tr("&Redo"));
  redo->setShortcut(QKeySequence::Redo);
  edit->addAction(undo);
  edit->addAction(redo);
  edit->addSeparator();
  QAction* copy = edit->addAction(tr("&Copy chart"), this, &MainWindow::copyCurrentChart);
  copy->setShortcut(QKeySequence::Copy);
  copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  tabs_->addAction(copy);

  viewMenu_ = menuBar()->addMenu(tr("&View"));
  QAction* recompute = viewMenu_->addAction(tr("&Recompute"), this, &MainWindow::recompute);
  recompute->setShortcut(QKeySequence::Refresh);
  QAction* fullScreen = viewMenu_->addAction(tr("&Full screen"));
  fullScreen->setShortcut(QKeySequence::FullScreen);
  fullScreen->setCheckable(true);
  connect(fullScreen, &QAction::toggled, this, [this](bool on) { on ? showFullScreen() : showNormal(); });
  viewMenu_->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) viewMenu_->addAction(dock->toggleViewAction());

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  QAction* glossary = help->addAction(tr("&Glossary"), this, [this] {
    auto* dialog = findChild<GlossaryDialog*>();
    if (!dialog) dialog = new GlossaryDialog(this);
    dialog->show();
    dialog->raise();
  });
  glossary->setShortcut(QKeySequence::HelpContents);
  glossary->setToolTip(
      tr("Definitions of context_cap, effective context, RULER-style, confidence, verdict and more"));
  help->addAction(tr("What is an attention &sink?"), this,
                  [this] { QMessageBox::information(this, tr("Attention sinks"), sinkExplanation()); });
  help->addAction(tr("&About SinkScope"), this, [this] {
    QMessageBox::about(
        this, tr("About SinkScope"),
        tr("<b>SinkScope %1</b><p>Long-context attention analyzer: attention heatmaps, the sink "
           "curve, mitigations and a memory/throughput planner.</p><p>GPL-3.0-or-later. Uses Qt "
           "and QCustomPlot.</p>")
            .arg(QString::fromLatin1(kVersion)));
  });
}

// Standard tab keys that work wherever the focus is (a focused slider would otherwise take
// Ctrl+PgDown as a page step of the context): Ctrl+Tab / Ctrl+PgDown, Ctrl+Shift+Tab /
// Ctrl+PgUp, and Alt+1 … Alt+9 for a tab by its position.
void MainWindow::createTabShortcuts() {
  const auto step = [this](int delta) {
    const int count = tabs_->count();
    if (count > 0) tabs_->setCurrentIndex((tabs_->currentIndex() + delta + count) % count);
  };
  const auto bind = [this](const QKeySequence& keys, std::function<void()> action) {
    auto* shortcut = new QShortcut(keys, this);
    shortcut->setContext(Qt::WindowShortcut);
    connect(shortcut, &QShortcut::activated, this, std::move(action));
  };
  for (const QKeySequence& keys :
       {QKeySequence(Qt::CTRL | Qt::Key_PageDown), QKeySequence(Qt::CTRL | Qt::Key_Tab)})
    bind(keys, [step] { step(+1); });
  for (const QKeySequence& keys :
       {QKeySequence(Qt::CTRL | Qt::Key_PageUp), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backtab)})
    bind(keys, [step] { step(-1); });
  for (int i = 0; i < std::min(9, tabs_->count()); ++i)
    bind(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)), [this, i] { tabs_->setCurrentIndex(i); });
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  for (const QString& path : importer_->recentFiles())
    recentMenu_->addAction(path, this, [this, path] { importer_->importAny(path); });
  recentMenu_->setEnabled(!importer_->recentFiles().isEmpty());
}

AnalysisTab* MainWindow::currentTab() const {
  return qobject_cast<AnalysisTab*>(tabs_->currentWidget());
}

void MainWindow::recompute() {
  for (AnalysisTab* tab : analysisTabs_)
    if (tab->isVisible()) tab->refreshNow();
}

void MainWindow::exportCurrentChart() {
  if (AnalysisTab* tab = currentTab())
    if (ChartView* chart = tab->currentChart()) chart->saveAs();
}

void MainWindow::copyCurrentChart() {
  if (AnalysisTab* tab = currentTab())
    if (ChartView* chart = tab->currentChart()) chart->copyToClipboard();
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState());
  settings.setValue(QStringLiteral("window/tab"), tabs_->currentIndex());
  settings.setValue(QStringLiteral("files/recent"), importer_->recentFiles());
  settings.setValue(QStringLiteral("hub/recent"), importer_->recentHubIds());
  settings.setValue(QStringLiteral("files/imported"), library_->importedPaths());
  scenario_->save(settings);
}

void MainWindow::restoreSettings() {
  QSettings settings;
  const QStringList dropped =
      importer_->restoreImports(settings.value(QStringLiteral("files/imported")).toStringList());
  if (!dropped.isEmpty())
    statusBar()->showMessage(
        tr("Not reopened from the last session: %1").arg(dropped.join(QStringLiteral("; "))), 30000);
  importer_->setRecentFiles(settings.value(QStringLiteral("files/recent")).toStringList());
  importer_->setRecentHubIds(settings.value(QStringLiteral("hub/recent")).toStringList());
  rebuildRecentMenu();
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  tabs_->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());
  scenario_->restore(settings);
  history_->reset();  // Undo starts from the restored scenario
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (persistSettings_) saveSettings();
  compute_->cancelAll();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  for (const QUrl& url : event->mimeData()->urls())
    if (url.isLocalFile() &&
        (ImportController::canImport(url.toLocalFile()) || isScenarioFile(url.toLocalFile()))) {
      event->acceptProposedAction();
      return;
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (!url.isLocalFile()) continue;
    const QString path = url.toLocalFile();
    isScenarioFile(path) ? scenarioFiles_->open(path) : importer_->importAny(path);
  }
  event->acceptProposedAction();
}

}  // namespace sinkscope::ui
