// The Heatmap tab: pooled attention (query rows x key bins) of the chosen layer/head or the mean
// over heads; in Compare mode baseline | mitigation side by side with one colour scale, linked
// axes and a difference map. Hover shows query, key range and weight. Modelled attention.
#pragma once

#include "charts/AttentionCharts.h"
#include "tabs/AnalysisTab.h"

class QCheckBox;
class QComboBox;
class QLabel;

namespace sinkscope::ui {

class HeatmapTab : public AnalysisTab {
  Q_OBJECT
 public:
  HeatmapTab(AppContext& context, QWidget* parent = nullptr);
  QString title() const override { return tr("Heatmap"); }
  std::vector<ChartView*> charts() const override { return {chart_}; }
  std::shared_ptr<const HeatmapChartData> data() const { return data_; }
  ChartView* chart() const { return chart_; }
  QCheckBox* compareBox() const { return compare_; }
  QComboBox* colorMapBox() const { return colorMap_; }
  QCheckBox* logBox() const { return log_; }
  // Screenshots: heatmap.png is the single view, compare.png the compare mode.
  QStringList screenshotVariants() const override { return {QStringLiteral("compare")}; }
  void prepareScreenshot(const QString& variant) override;
  // What hovering at plot coordinates of the given panel shows (empty outside a cell).
  QString hoverText(int panel, double x, double y) const;

 protected:
  void startComputation() override;

 private:
  std::vector<Mitigation> shownMitigations() const;
  void redraw();
  void fillPairBoxes();
  void showHover(QMouseEvent* event);

  ChartView* chart_ = nullptr;
  QCheckBox* compare_ = nullptr;
  QComboBox* left_ = nullptr;
  QComboBox* right_ = nullptr;
  QComboBox* colorMap_ = nullptr;
  QCheckBox* log_ = nullptr;
  QLabel* note_ = nullptr;
  std::shared_ptr<const HeatmapChartData> data_;
};

}  // namespace sinkscope::ui
