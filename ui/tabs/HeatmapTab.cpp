#include "tabs/HeatmapTab.h"

#include "Units.h"
#include "charts/ChartView.h"
#include "scenario/Explanations.h"
#include "tabs/AttentionJobs.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace sinkscope::ui {

HeatmapTab::HeatmapTab(AppContext& context, QWidget* parent) : AnalysisTab(context, QStringLiteral("heatmap"), parent) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  compare_ = new QCheckBox(tr("Compare"), this);
  compare_->setChecked(true);
  compare_->setAccessibleName(tr("Compare two mitigations"));
  compare_->setToolTip(tr("Show two mitigations side by side with one colour scale and linked axes, plus their "
                          "difference map"));
  left_ = new QComboBox(this);
  left_->setAccessibleName(tr("Left side of the comparison"));
  left_->setToolTip(tr("The mitigation on the left (baseline by default)"));
  right_ = new QComboBox(this);
  right_->setAccessibleName(tr("Right side of the comparison"));
  right_->setToolTip(tr("The mitigation on the right (NTK-aware scaling by default)"));
  colorMap_ = new QComboBox(this);
  for (ColorMapName name : allColorMaps()) colorMap_->addItem(colorMapLabel(name), int(name));
  colorMap_->setAccessibleName(tr("Colour map"));
  colorMap_->setToolTip(tr("Perceptually uniform colour maps; cividis is designed for colour-vision deficiency"));
  log_ = new QCheckBox(tr("Log colour"), this);
  log_->setChecked(true);
  log_->setAccessibleName(tr("Logarithmic colour scale"));
  log_->setToolTip(tr("Logarithmic colour shows small weights next to the sink; linear shows where most mass is"));
  controls->addWidget(compare_);
  controls->addWidget(left_);
  controls->addWidget(new QLabel(QStringLiteral("|"), this));
  controls->addWidget(right_);
  controls->addSpacing(16);
  controls->addWidget(new QLabel(tr("Colours"), this));
  controls->addWidget(colorMap_);
  controls->addWidget(log_);
  controls->addStretch(1);
  layout->addLayout(controls);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  note_->setAccessibleName(tr("About this chart"));
  layout->addWidget(note_);
  chart_ = new ChartView(tr("Attention heatmap"), this);
  chart_->setToolTip(sinkExplanation());
  layout->addWidget(chart_, 1);
  fillPairBoxes();
  connect(&scenario(), &Scenario::modelChanged, this, &HeatmapTab::fillPairBoxes);
  auto pairChanged = [this] {
    const auto left = mitigationFromName(left_->currentData().toString());
    const auto right = mitigationFromName(right_->currentData().toString());
    if (left && right) scenario().setComparePair(*left, *right);
  };
  connect(left_, &QComboBox::activated, this, pairChanged);
  connect(right_, &QComboBox::activated, this, pairChanged);
  connect(compare_, &QCheckBox::toggled, this, [this] {
    left_->setEnabled(compare_->isChecked());
    scheduleRefresh();
  });
  connect(colorMap_, &QComboBox::currentIndexChanged, this, &HeatmapTab::redraw);
  connect(log_, &QCheckBox::toggled, this, &HeatmapTab::redraw);
  connect(chart_, &ChartView::mouseMovedOnPlot, this, &HeatmapTab::showHover);
}

void HeatmapTab::fillPairBoxes() {
  const auto fill = [this](QComboBox* box, Mitigation chosen) {
    box->clear();
    for (Mitigation m : mitigationsFor(scenario().model().usesRope)) box->addItem(mitigationTitle(m), mitigationName(m));
    box->setCurrentIndex(std::max(0, box->findData(mitigationName(chosen))));
  };
  fill(left_, scenario().values().compareLeft);
  fill(right_, scenario().values().compareRight);
}

std::vector<Mitigation> HeatmapTab::shownMitigations() const {
  const ScenarioValues& v = scenario().values();
  if (compare_->isChecked()) return {v.compareLeft, v.compareRight};
  return {v.compareRight};
}

void HeatmapTab::prepareScreenshot(const QString& variant) {
  compare_->setChecked(variant == QLatin1String("compare"));
  refreshNow();
}

void HeatmapTab::startComputation() {
  const auto model = std::make_shared<ModelSpec>(scenario().model());
  const ScenarioValues values = scenario().values();
  const std::vector<Mitigation> mitigations = shownMitigations();
  compute().submit<std::shared_ptr<const HeatmapChartData>>(
      channel(), tr("Probing modelled attention (heatmaps)"), this,
      [model, values, mitigations](const JobContext& job) -> std::shared_ptr<const HeatmapChartData> {
        auto data = computeHeatmaps(*model, values, mitigations, job);
        return data ? std::make_shared<const HeatmapChartData>(std::move(*data)) : nullptr;
      },
      [this](const std::shared_ptr<const HeatmapChartData>& data) {
        if (!data) return;
        data_ = data;
        redraw();
        markUpdated();
      });
}

void HeatmapTab::redraw() {
  if (!data_) return;
  const HeatmapStyle style{ColorMapName(colorMap_->currentData().toInt()), log_->isChecked()};
  const QString heads = data_->head >= 0 ? tr("head %1").arg(data_->head) : tr("mean of %1 heads").arg(data_->heads.size());
  chart_->setChart(tr("Attention at %1 — layer %2, %3")
                       .arg(formatTokensShort(double(data_->contextTokens)))
                       .arg(data_->layer)
                       .arg(heads),
                   Provenance::Modelled, heatmapBuilder(data_, style, compare_->isChecked()), heatmapTable(*data_));
  note_->setText(tr("<i>Modelled</i> attention of %1 query rows over %2 key bins (the first 4 bins are single "
                    "tokens, where sinks live); grey: causal mask; white dashed lines: trained context %3. "
                    "Hover a cell for its numbers; drag or wheel to zoom, the panels move together.")
                     .arg(kHeatmapRows)
                     .arg(kHeatmapBins)
                     .arg(formatTokensShort(double(data_->trainedContextTokens))));
}

QString HeatmapTab::hoverText(int panel, double x, double y) const {
  if (!data_ || panel < 0 || panel >= int(data_->panels.size())) return QString();
  const PooledHeatmap& heatmap = data_->panels[size_t(panel)].heatmap;
  int bin = 0, row = 0;
  if (!heatmapCell(heatmap, x, y, bin, row)) return QString();
  const qint64 query = heatmap.queryPositions[size_t(row)];
  const qint64 start = heatmap.binStart[size_t(bin)], end = heatmap.binStart[size_t(bin) + 1];
  if (start > query) return tr("query %1, keys %2–%3: masked (future tokens)").arg(query).arg(start).arg(end - 1);
  const QString keys = end - start == 1 ? tr("key %1").arg(start) : tr("keys %1–%2").arg(start).arg(end - 1);
  return tr("%1\nquery %2, %3\nweight %4").arg(mitigationTitle(data_->panels[size_t(panel)].mitigation)).arg(query).arg(keys)
      .arg(double(heatmap.at(row, bin)), 0, 'g', 4);
}

void HeatmapTab::showHover(QMouseEvent* event) {
  QCustomPlot* plot = chart_->plot();
  const QList<QCPAxisRect*> rects = plot->axisRects();
  for (int i = 0; i < rects.size(); ++i) {
    if (!rects[i]->rect().contains(event->pos())) continue;
    const double x = rects[i]->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x());
    const double y = rects[i]->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y());
    const int panel = i < int(data_ ? data_->panels.size() : 0) ? i : 0;  // the difference map reads the left panel
    QToolTip::showText(event->globalPosition().toPoint(), hoverText(panel, x, y), plot);
    return;
  }
  QToolTip::hideText();
}

}  // namespace sinkscope::ui
