// The Compare view: two mitigations' pooled attention side by side (the scenario's compare pair,
// baseline | NTK by default) with one colour scale, linked axes and their difference map (B − A),
// or one mitigation alone; with its pair, colour-map and log controls. The one implementation the
// Heatmap and Mitigations tabs embed. Not the drawing (charts/AttentionCharts) nor the probe
// (tabs/AttentionJobs, run on the ComputeController).
#pragma once

#include "report/ChartData.h"

#include <QWidget>
#include <memory>

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QMouseEvent;

namespace sinkscope::ui {

class ChartView;
struct AppContext;

class CompareView : public QWidget {
  Q_OBJECT
 public:
  // channel: the ComputeController channel of this view's probe (a newer request supersedes).
  CompareView(AppContext& context, const QString& channel, QWidget* parent = nullptr);

  // Compare mode (A | B | B − A) or the single view (B, the right-hand mitigation, alone).
  void setCompareMode(bool compare);
  bool compareMode() const { return compareMode_; }
  // Adds a control at the start of the view's control row (e.g. the Heatmap tab's Compare box).
  void addLeadingControl(QWidget* widget);

  // Probes the scenario's pair off the GUI thread; the result is drawn and updated() emitted.
  void compute();
  QString channel() const { return channel_; }

  std::shared_ptr<const HeatmapChartData> data() const { return data_; }
  ChartView* chart() const { return chart_; }
  QComboBox* leftBox() const { return left_; }
  QComboBox* rightBox() const { return right_; }
  QComboBox* colorMapBox() const { return colorMap_; }
  QCheckBox* logBox() const { return log_; }
  // The note above the chart (rich text): what is shown and, in compare mode, the pair's numbers.
  QString noteText() const;
  // What hovering at plot coordinates of the given panel shows (empty outside a cell).
  QString hoverText(int panel, double x, double y) const;

 signals:
  void updated();  // new results (or a failure message) are on screen

 private:
  std::vector<Mitigation> shownMitigations() const;
  void fillPairBoxes();
  void pairChosen();
  void redraw();
  void showHover(QMouseEvent* event);

  AppContext& context_;
  QString channel_;
  bool compareMode_ = true;
  QHBoxLayout* controls_ = nullptr;
  QComboBox* left_ = nullptr;
  QLabel* separator_ = nullptr;
  QComboBox* right_ = nullptr;
  QComboBox* colorMap_ = nullptr;
  QCheckBox* log_ = nullptr;
  QLabel* note_ = nullptr;
  ChartView* chart_ = nullptr;
  std::shared_ptr<const HeatmapChartData> data_;
};

}  // namespace sinkscope::ui
