// The base of every analysis tab: observes the scenario, debounces changes, starts its
// computation on the ComputeController only when visible (or asked), and lists its charts for
// Copy and Export. Not a computation: subclasses submit core calls and draw the results.
#pragma once

#include <QTimer>
#include <QWidget>
#include <vector>

namespace sinkscope::ui {

class ChartView;
class ComputeController;
class Scenario;
class SpecLibrary;

struct AppContext {
  SpecLibrary& library;
  Scenario& scenario;
  ComputeController& compute;
};

class AnalysisTab : public QWidget {
  Q_OBJECT
 public:
  AnalysisTab(AppContext& context, const QString& channel, QWidget* parent = nullptr);

  virtual QString title() const = 0;
  virtual std::vector<ChartView*> charts() const = 0;
  ChartView* currentChart() const;  // the chart with focus or under the mouse, else the first

  bool isStale() const { return stale_; }
  // Starts the computation now (even when hidden); results arrive as updated().
  void refreshNow();
  QString channel() const { return channel_; }
  // A stable id, never translated: "heatmap", "sink-curve", "planner", "mitigations", "measured"
  // (also the tab's compute channel). Find a tab by this, not by its title.
  QString id() const { return channel_; }

  // Extra states worth a documentation screenshot (e.g. "compare"); prepareScreenshot(variant)
  // switches to one, an empty variant back to the normal view.
  virtual QStringList screenshotVariants() const { return {}; }
  // The caption exported charts carry: model, hardware and context of the scenario.
  virtual QString exportCaption() const;
  virtual void prepareScreenshot(const QString& variant) { (void)variant; }

 signals:
  void updated();  // new results are on screen

 protected:
  // Submits the tab's work to compute(); its result handler draws and calls markUpdated().
  virtual void startComputation() = 0;
  void markUpdated();
  // Shows a failed computation in every chart (the error text names the field at fault).
  virtual void showFailure(const QString& message);
  void scheduleRefresh();  // debounced; runs when visible
  void showEvent(QShowEvent* event) override;

  AppContext& context() const { return context_; }
  Scenario& scenario() const { return context_.scenario; }
  ComputeController& compute() const { return context_.compute; }

 private:
  AppContext& context_;
  QString channel_;
  QTimer debounce_;
  bool stale_ = true;
};

}  // namespace sinkscope::ui
