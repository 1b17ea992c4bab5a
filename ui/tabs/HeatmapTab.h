// The Heatmap tab: pooled attention (query rows x key bins) of the chosen layer/head or the mean
// over heads; in Compare mode the scenario's pair side by side with one colour scale, linked axes
// and a difference map (the shared CompareView). Modelled attention. Not the drawing or the probe.
#pragma once

#include "tabs/AnalysisTab.h"
#include "tabs/CompareView.h"

class QCheckBox;
class QComboBox;

namespace sinkscope::ui {

class HeatmapTab : public AnalysisTab {
  Q_OBJECT
 public:
  HeatmapTab(AppContext& context, QWidget* parent = nullptr);
  QString title() const override { return tr("Heatmap"); }
  std::vector<ChartView*> charts() const override { return {view_->chart()}; }
  std::shared_ptr<const HeatmapChartData> data() const { return view_->data(); }
  CompareView* compareView() const { return view_; }
  ChartView* chart() const { return view_->chart(); }
  QCheckBox* compareBox() const { return compare_; }
  QComboBox* colorMapBox() const { return view_->colorMapBox(); }
  QCheckBox* logBox() const { return view_->logBox(); }
  // Screenshots: heatmap.png is the single view, compare.png the compare mode.
  QStringList screenshotVariants() const override { return {QStringLiteral("compare")}; }
  void prepareScreenshot(const QString& variant) override;
  // What hovering at plot coordinates of the given panel shows (empty outside a cell).
  QString hoverText(int panel, double x, double y) const { return view_->hoverText(panel, x, y); }

 protected:
  void startComputation() override;
  void showFailure(const QString& message) override;

 private:
  QCheckBox* compare_ = nullptr;
  CompareView* view_ = nullptr;
};

}  // namespace sinkscope::ui
