#include "tabs/AnalysisTab.h"

#include "charts/ChartView.h"
#include "scenario/Scenario.h"

#include <QApplication>

namespace sinkscope::ui {

namespace {
constexpr int kDebounceMs = 40;  // coalesces a slider drag into few computations
}

AnalysisTab::AnalysisTab(AppContext& context, const QString& channel, QWidget* parent)
    : QWidget(parent), context_(context), channel_(channel) {
  debounce_.setSingleShot(true);
  debounce_.setInterval(kDebounceMs);
  connect(&debounce_, &QTimer::timeout, this, [this] {
    if (isVisible()) refreshNow();
  });
  connect(&context.scenario, &Scenario::changed, this, &AnalysisTab::scheduleRefresh);
}

ChartView* AnalysisTab::currentChart() const {
  const auto views = charts();
  for (ChartView* view : views)
    if (view->isVisible() && (view->underMouse() || view->isAncestorOf(QApplication::focusWidget()))) return view;
  for (ChartView* view : views)
    if (view->isVisible() && view->hasChart()) return view;
  return views.empty() ? nullptr : views.front();
}

void AnalysisTab::refreshNow() {
  debounce_.stop();
  stale_ = false;
  startComputation();
}

void AnalysisTab::markUpdated() { emit updated(); }

void AnalysisTab::scheduleRefresh() {
  stale_ = true;
  if (isVisible()) debounce_.start();
}

void AnalysisTab::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (stale_) debounce_.start(0);
}

}  // namespace sinkscope::ui
