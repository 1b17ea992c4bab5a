// The Measured tab: runs a real GGUF checkpoint on the CPU over a text (the bundled sample by
// default) once per compared mitigation and shows their per-position losses against the window
// control with the trained boundary and the detected context_caps, and, for the mitigation chosen
// in "Attention of", the measured heatmap of the chosen layer/head and the sink mass of every head.
// Not the measuring: core/measure's MeasureSession runs it on a worker thread; the tab adds the
// thread and the display (the file's status line: measuring with tokens/s and time left, done,
// failed or cancelled) and the scaling factor the RoPE mitigations run with.
#pragma once

#include "catalog/ModelSpec.h"
#include "inference/Measurement.h"
#include "tabs/AnalysisTab.h"

#include <QSpinBox>
#include <optional>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
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
  // The finished runs shown, one per measured mitigation in the compared order (empty before any).
  const std::vector<std::shared_ptr<const Measurement>>& runs() const { return runs_; }
  QStringList notMeasured() const { return notMeasured_; }  // "alibi: <why>" for compared ones not run
  std::shared_ptr<const Measurement> data() const;          // the run whose attention is shown, or null
  QString dataTextPath() const { return dataTextPath_; }    // the text those runs read
  ChartView* lossChart() const { return loss_; }
  ChartView* heatmapChart() const { return heatmap_; }
  ChartView* sinkChart() const { return sinks_; }
  QComboBox* attentionOfBox() const { return attentionOf_; }
  // The config's sliding window (vLLM's reading) for the next run; 0 runs the file as llama.cpp does.
  QSpinBox* slidingWindowBox() const { return slidingWindow_; }
  // The scaling factor s of the RoPE mitigations; 0 ("auto") runs the Planner's default:
  // requested context ÷ trained context, at least 1 (docs/measured-mode.md, Measured tab).
  QDoubleSpinBox* factorBox() const { return factor_; }
  // The chosen file's name and its status: "measuring… 40 %, …", "done", "failed: …", "cancelled".
  QLabel* progressLabel() const { return progress_; }
  void setGgufPath(const QString& path);
  QString ggufPath() const;                // the chosen file (empty: none)
  void setTextPath(const QString& path);   // empty: the bundled sample
  QString exportCaption() const override;  // the checkpoint and text measured, not the scenario
  void addNotice(QWidget* bar);  // an info bar under the inputs (the scenario offer for an opened file)

 signals:
  void ggufOpened(const QString& path);  // a checkpoint was opened here (File → Open recent keeps it)

 protected:
  void startComputation() override;

 private:
  void show(const MeasuredRuns& result, Mitigation primary);
  void showAttention();  // the heatmap and sink grid of the run chosen in attentionOf_
  QString defaultGguf() const;
  void setStatus(const QString& status);  // "<file>: <status>" on the status line
  QString fileName() const;               // the chosen file's name, without its folder
  QWidget* makeFactorRow();
  // True when the scenario's model is a catalogue model of the file's architecture and shape; an
  // unreadable file is not (the run itself reports why).
  bool scenarioHasShapeOf(const QString& ggufPath);

  QLineEdit* gguf_ = nullptr;
  QLineEdit* text_ = nullptr;
  QSpinBox* slidingWindow_ = nullptr;
  QDoubleSpinBox* factor_ = nullptr;
  QLabel* factorNote_ = nullptr;  // what "auto" resolved to in the shown runs
  QLabel* summary_ = nullptr;
  QLabel* progress_ = nullptr;  // the file's status: tokens/s and time left while a run is going
  QComboBox* attentionOf_ = nullptr;
  ChartView* loss_ = nullptr;
  ChartView* heatmap_ = nullptr;
  ChartView* sinks_ = nullptr;
  std::vector<std::shared_ptr<const Measurement>> runs_;
  QString runInputs_;  // what the shown runs were measured from (file, text, context, mitigations)
  QStringList notMeasured_;
  std::optional<Mitigation> chosenAttention_;  // what the user picked in attentionOf_, kept across runs
  QString dataTextPath_;
  // The chosen file's metadata, read once per file version (path, size, modification time) rather
  // than on every refresh of the GUI thread; empty spec: unreadable.
  QString shapeKey_;
  std::optional<ModelSpec> fileShape_;
};

}  // namespace sinkscope::ui
