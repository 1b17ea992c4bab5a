#include "tabs/AnalysisTab.h"

#include "charts/ChartView.h"
#include "common/NumberFormat.h"
#include "compute/ComputeController.h"
#include "scenario/Scenario.h"

#include <sinkscope/Version.h>

#include <QApplication>

namespace sinkscope::ui {

namespace {
// A burst of changes (a slider drag) starts one computation this long after its first change and
// then at most one per interval, so the GUI redraws a few times a second, never per change.
constexpr int kThrottleMs = 120;
}  // namespace

AnalysisTab::AnalysisTab(AppContext& context, const QString& channel, QWidget* parent)
    : QWidget(parent), context_(context), channel_(channel) {
  debounce_.setSingleShot(true);
  debounce_.setInterval(kThrottleMs);
  connect(&debounce_, &QTimer::timeout, this, [this] {
    if (isVisible()) refreshNow();
  });
  connect(&context.scenario, &Scenario::changed, this, &AnalysisTab::scheduleRefresh);
  connect(&context.compute, &ComputeController::jobFailed, this,
          [this](const QString& failed, const QString& message) {
            if (failed == channel_) showFailure(message);
          });
}

void AnalysisTab::showFailure(const QString& message) {
  for (ChartView* view : charts()) view->clearChart(tr("Could not compute: %1").arg(message));
  emit updated();
}

ChartView* AnalysisTab::currentChart() const {
  const auto views = charts();
  for (ChartView* view : views)
    if (view->isVisible() && (view->underMouse() || view->isAncestorOf(QApplication::focusWidget())))
      return view;
  for (ChartView* view : views)
    if (view->isVisible() && view->hasChart()) return view;
  return views.empty() ? nullptr : views.front();
}

void AnalysisTab::refreshNow() {
  debounce_.stop();
  stale_ = false;
  startComputation();
}

QString AnalysisTab::exportCaption() const {
  const Scenario& s = scenario();
  return tr("%1 · %2 · context %3 tokens (trained %4) · SinkScope %5")
      .arg(s.model().displayName, s.hardware().displayName, tokensFull(s.values().contextTokens),
           tokensFull(s.model().trainedContext), QString::fromLatin1(kVersion));
}

void AnalysisTab::markUpdated() {
  const QString caption = exportCaption();
  for (ChartView* view : charts()) view->setCaption(caption);
  emit updated();
}

void AnalysisTab::scheduleRefresh() {
  stale_ = true;
  if (isVisible() && !debounce_.isActive()) debounce_.start();
}

void AnalysisTab::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (stale_)
    QTimer::singleShot(0, this, [this] {
      if (isVisible() && stale_) refreshNow();
    });
}

}  // namespace sinkscope::ui
