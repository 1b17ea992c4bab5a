// The Mitigations tab: every applicable mitigation's training/inference/effective context,
// quality, confidence and KV side by side with the source document's claims, a bar chart of
// effective context, the recommendation, the launch flags to copy, and the Compare view of the
// scenario's pair (baseline | NTK by default). Not the mitigation model: core/planner computes it
// off-thread.
#pragma once

#include "charts/MitigationCharts.h"
#include "scenario/Scenario.h"
#include "tabs/AnalysisTab.h"

#include <optional>

class QComboBox;
class QLabel;
class QTableWidget;
class QTabWidget;
class QTextBrowser;
class QPushButton;

namespace sinkscope::ui {

class CompareView;

class MitigationsTab : public AnalysisTab {
  Q_OBJECT
 public:
  MitigationsTab(AppContext& context, QWidget* parent = nullptr);
  QString title() const override { return tr("Mitigations"); }
  std::vector<ChartView*> charts() const override;
  std::shared_ptr<const MitigationsData> data() const { return data_; }
  QTableWidget* table() const { return table_; }
  QTableWidget* documentTable() const { return document_; }
  ChartView* chart() const { return chart_; }
  QString launchFlagsText() const;  // what Copy launch flags puts on the clipboard
  CompareView* compareView() const { return compare_; }
  // Brings the Compare view to the front (it computes while it is shown).
  void showCompareView();
  // Screenshots: mitigations.png is the table and bar chart, mitigations-compare.png the Compare view,
  // mitigations-llama-2-7b-32k.png the table for Llama-2-7B at 32K (the scenario is restored after).
  QStringList screenshotVariants() const override {
    return {QStringLiteral("mitigations-compare"), QStringLiteral("mitigations-llama-2-7b-32k")};
  }
  void prepareScreenshot(const QString& variant) override;

 protected:
  void startComputation() override;
  void showEvent(QShowEvent* event) override;

 private:
  void show(std::shared_ptr<const MitigationsData> data);
  void showFlags();
  void computeCompareIfShown();

  QLabel* recommendation_ = nullptr;
  QTableWidget* table_ = nullptr;
  QTableWidget* document_ = nullptr;
  ChartView* chart_ = nullptr;
  QComboBox* flagsFor_ = nullptr;
  QTextBrowser* flags_ = nullptr;
  QPushButton* copyFlags_ = nullptr;
  QTabWidget* lower_ = nullptr;   // effective context + flags | Compare view
  QWidget* estimates_ = nullptr;  // the first page of lower_
  CompareView* compare_ = nullptr;
  bool compareStale_ = true;  // the scenario changed since the Compare view last computed
  std::optional<ScenarioValues> beforeScreenshot_;  // the scenario a screenshot variant replaced
  std::shared_ptr<const MitigationsData> data_;
};

}  // namespace sinkscope::ui
