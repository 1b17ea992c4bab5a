// The Sink curve tab: one line per compared mitigation of a sink metric against context length
// (log axis), with the trained context and context_cap marked; or the planner's effective context
// with the published reference points as markers. The probe runs on a worker thread. Not the probe.
#pragma once

#include "charts/AttentionCharts.h"
#include "tabs/AnalysisTab.h"

class QComboBox;
class QLabel;
class QMouseEvent;

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
  QString noteText() const;
  void setMetric(SinkMetric metric);
  // The hover text at a point of the plot (pixels): the reference markers there, else empty.
  QString hoverText(QPointF pixel) const;
  QStringList screenshotVariants() const override { return {QStringLiteral("sink-curve-effective")}; }
  void prepareScreenshot(const QString& variant) override;

 protected:
  void startComputation() override;

 private:
  void redraw();
  void showHover(QMouseEvent* event);
  ChartView* chart_ = nullptr;
  QComboBox* metric_ = nullptr;
  QLabel* note_ = nullptr;
  std::shared_ptr<const SinkCurveChartData> data_;
};

}  // namespace sinkscope::ui
