// The Sink curve tab: one line per compared mitigation of a sink metric against context length
// (log axis), with the trained context and context_cap marked. Modelled attention; the probe runs
// on a worker thread. Not the probe itself.
#pragma once

#include "charts/AttentionCharts.h"
#include "tabs/AnalysisTab.h"

class QComboBox;
class QLabel;

namespace sinkscope::ui {

class SinkCurveTab : public AnalysisTab {
  Q_OBJECT
 public:
  SinkCurveTab(AppContext& context, QWidget* parent = nullptr);
  QString title() const override { return tr("Sink curve"); }
  std::vector<ChartView*> charts() const override { return {chart_}; }
  std::shared_ptr<const SinkCurveChartData> data() const { return data_; }
  ChartView* chart() const { return chart_; }
  QComboBox* metricBox() const { return metric_; }

 protected:
  void startComputation() override;

 private:
  void redraw();
  ChartView* chart_ = nullptr;
  QComboBox* metric_ = nullptr;
  QLabel* note_ = nullptr;
  std::shared_ptr<const SinkCurveChartData> data_;
};

}  // namespace sinkscope::ui
