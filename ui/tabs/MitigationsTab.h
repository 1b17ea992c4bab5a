// The Mitigations tab: every applicable mitigation's training/inference/effective context,
// quality, confidence and KV side by side with the source document's claims, a bar chart of
// effective context, the recommendation, and the launch flags to copy. Not the mitigation model:
// core/planner computes it off-thread.
#pragma once

#include "charts/PlannerCharts.h"
#include "tabs/AnalysisTab.h"

class QComboBox;
class QLabel;
class QTableWidget;
class QTextBrowser;
class QPushButton;

namespace sinkscope::ui {

struct MitigationsData {
  PlannerData planner;
  std::vector<DocumentComparison> document;  // the source document's rows for this model
};

class MitigationsTab : public AnalysisTab {
  Q_OBJECT
 public:
  MitigationsTab(AppContext& context, QWidget* parent = nullptr);
  QString title() const override { return tr("Mitigations"); }
  std::vector<ChartView*> charts() const override { return {chart_}; }
  std::shared_ptr<const MitigationsData> data() const { return data_; }
  QTableWidget* table() const { return table_; }
  QTableWidget* documentTable() const { return document_; }
  ChartView* chart() const { return chart_; }
  QString launchFlagsText() const;  // what Copy launch flags puts on the clipboard

 protected:
  void startComputation() override;

 private:
  void show(std::shared_ptr<const MitigationsData> data);
  void showFlags();

  QLabel* recommendation_ = nullptr;
  QTableWidget* table_ = nullptr;
  QTableWidget* document_ = nullptr;
  ChartView* chart_ = nullptr;
  QComboBox* flagsFor_ = nullptr;
  QTextBrowser* flags_ = nullptr;
  QPushButton* copyFlags_ = nullptr;
  std::shared_ptr<const MitigationsData> data_;
};

ChartBuilder effectiveContextBuilder(std::shared_ptr<const MitigationsData> data);
ChartTable effectiveContextTable(const MitigationsData& data);

}  // namespace sinkscope::ui
