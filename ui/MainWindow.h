// The top-level window: docks and tabs wired to the scenario. It stays small and delegates
// every view and every computation to panels and controllers.
#pragma once

#include "export/ReportExportDialog.h"
#include "tabs/AnalysisTab.h"

#include <QMainWindow>
#include <memory>

class QTabWidget;
class QMenu;

namespace sinkscope::ui {

class ComputeController;
class ImportController;
class Scenario;
class ScenarioFileActions;
class ScenarioHistory;
class ScenarioPanel;
class SpecLibrary;
class SpecPicker;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  SpecLibrary& library() const { return *library_; }
  Scenario& scenario() const { return *scenario_; }
  ComputeController& compute() const { return *compute_; }
  ImportController& importer() const { return *importer_; }
  ScenarioHistory& history() const { return *history_; }
  ScenarioFileActions& scenarioFiles() const { return *scenarioFiles_; }
  SpecPicker* modelPicker() const { return modelPicker_; }
  SpecPicker* hardwarePicker() const { return hardwarePicker_; }
  ScenarioPanel* scenarioPanel() const { return scenarioPanel_; }
  QTabWidget* tabs() const { return tabs_; }
  const std::vector<AnalysisTab*>& analysisTabs() const { return analysisTabs_; }
  AnalysisTab* analysisTab(const QString& id) const;  // by AnalysisTab::id(), e.g. "measured"; null if none

  void saveSettings() const;
  void setPersistSettings(bool persist) { persistSettings_ = persist; }
  void restoreSettings();
  // How File → Export report asks for a path, a replace confirmation and shows errors (tests inject these).
  void setReportExportPrompts(ReportExportPrompts prompts) { reportPrompts_ = std::move(prompts); }
  // The report File → Export report writes: this scenario, with the Measured tab's finished run.
  ReportScenario reportScenario() const;

 public slots:
  void recompute();  // F5: every tab's computation again
  void exportCurrentChart();
  void copyCurrentChart();

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createDocks();
  void createMenus();
  void createTabShortcuts();
  void rebuildRecentMenu();
  AnalysisTab* currentTab() const;

  std::unique_ptr<SpecLibrary> library_;
  std::unique_ptr<Scenario> scenario_;
  std::unique_ptr<ComputeController> compute_;
  std::unique_ptr<AppContext> context_;
  ImportController* importer_ = nullptr;
  ScenarioHistory* history_ = nullptr;
  ScenarioFileActions* scenarioFiles_ = nullptr;
  SpecPicker* modelPicker_ = nullptr;
  SpecPicker* hardwarePicker_ = nullptr;
  ScenarioPanel* scenarioPanel_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QMenu* viewMenu_ = nullptr;
  std::vector<AnalysisTab*> analysisTabs_;
  bool persistSettings_ = true;
  ReportExportPrompts reportPrompts_ = ReportExportPrompts::dialogs();
};

}  // namespace sinkscope::ui
