#include "tabs/HeatmapTab.h"

#include "charts/ChartView.h"

#include <QCheckBox>
#include <QVBoxLayout>

namespace sinkscope::ui {

HeatmapTab::HeatmapTab(AppContext& context, QWidget* parent)
    : AnalysisTab(context, QStringLiteral("heatmap"), parent) {
  auto* layout = new QVBoxLayout(this);
  view_ = new CompareView(context, channel(), this);
  compare_ = new QCheckBox(tr("Compare"), this);
  compare_->setChecked(true);
  compare_->setAccessibleName(tr("Compare two mitigations"));
  compare_->setToolTip(
      tr("Show two mitigations side by side with one colour scale and linked axes, plus their "
         "difference map"));
  view_->addLeadingControl(compare_);
  layout->addWidget(view_, 1);
  connect(compare_, &QCheckBox::toggled, this, [this](bool compare) {
    view_->setCompareMode(compare);
    scheduleRefresh();
  });
  connect(view_, &CompareView::updated, this, &HeatmapTab::markUpdated);
}

void HeatmapTab::prepareScreenshot(const QString& variant) {
  compare_->setChecked(variant == QLatin1String("compare"));
  refreshNow();
}

void HeatmapTab::startComputation() {
  view_->compute();
}

// The compare view shows its own failures (it listens on this tab's channel).
void HeatmapTab::showFailure(const QString&) {}

}  // namespace sinkscope::ui
