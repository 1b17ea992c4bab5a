// The Planner tab: memory by component against capacity, memory against context with the fit
// limit, throughput, and the confidence gauge with its reasons, for the compared mitigations.
// Not the planner: core/planner's makePlan runs on a worker thread.
#pragma once

#include "charts/PlannerCharts.h"
#include "scenario/Scenario.h"
#include "tabs/AnalysisTab.h"

#include <optional>

class QLabel;
class QTextBrowser;

namespace sinkscope::ui {

class PlannerTab : public AnalysisTab {
  Q_OBJECT
 public:
  PlannerTab(AppContext& context, QWidget* parent = nullptr);
  QString title() const override { return tr("Planner"); }
  std::vector<ChartView*> charts() const override;
  // DeepSeek-V2 at 32K on one H100 (does not fit: what would) and on 8 of them (per GPU).
  QStringList screenshotVariants() const override;
  void prepareScreenshot(const QString& variant) override;
  std::shared_ptr<const PlannerData> data() const { return data_; }
  ChartView* memoryBars() const { return memoryBars_; }
  ChartView* memoryCurve() const { return memoryCurve_; }
  ChartView* throughput() const { return throughput_; }
  ChartView* confidence() const { return confidence_; }

  // The plan for the scenario's values (runs on any thread; what the worker calls).
  static PlannerData computePlan(const ModelSpec& model, const HardwareSpec& hardware,
                                 const ScenarioValues& values);

 protected:
  void startComputation() override;

 private:
  void show(std::shared_ptr<const PlannerData> data);

  ChartView* memoryBars_ = nullptr;
  ChartView* memoryCurve_ = nullptr;
  ChartView* throughput_ = nullptr;
  ChartView* confidence_ = nullptr;
  QLabel* summary_ = nullptr;
  QTextBrowser* reasons_ = nullptr;
  std::shared_ptr<const PlannerData> data_;
  std::optional<ScenarioValues> beforeScreenshot_;  // restored after a screenshot variant
};

}  // namespace sinkscope::ui
