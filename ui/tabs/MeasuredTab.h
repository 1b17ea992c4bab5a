// The Measured tab: runs a real GGUF checkpoint on the CPU over a text (the bundled sample by
// default) and shows the per-position loss with the trained boundary and the detected
// context_cap, the measured heatmap of the chosen layer/head and the sink mass of every head.
// Not the forward pass: core/inference runs it on a worker thread.
#pragma once

#include "inference/Measurement.h"
#include "tabs/AnalysisTab.h"

class QLineEdit;
class QLabel;
class QPushButton;

namespace sinkscope::ui {

class MeasuredTab : public AnalysisTab {
  Q_OBJECT
 public:
  MeasuredTab(AppContext& context, QWidget* parent = nullptr);
  QString title() const override { return tr("Measured"); }
  std::vector<ChartView*> charts() const override { return {loss_, heatmap_, sinks_}; }
  std::shared_ptr<const Measurement> data() const { return data_; }  // the finished run shown, or null
  QString dataTextPath() const { return dataTextPath_; }             // the text that run read
  ChartView* lossChart() const { return loss_; }
  void setGgufPath(const QString& path);
  void setTextPath(const QString& path);  // empty: the bundled sample

 protected:
  void startComputation() override;

 private:
  void show(std::shared_ptr<const Measurement> data);
  QString defaultGguf() const;

  QLineEdit* gguf_ = nullptr;
  QLineEdit* text_ = nullptr;
  QLabel* summary_ = nullptr;
  ChartView* loss_ = nullptr;
  ChartView* heatmap_ = nullptr;
  ChartView* sinks_ = nullptr;
  std::shared_ptr<const Measurement> data_;
  QString dataTextPath_;
};

}  // namespace sinkscope::ui
