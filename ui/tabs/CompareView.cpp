#include "tabs/CompareView.h"

#include "Units.h"
#include "attention/ModelledAttention.h"
#include "charts/AttentionCharts.h"
#include "charts/ChartView.h"
#include "compute/ComputeController.h"
#include "report/HeatmapContrast.h"
#include "scenario/Explanations.h"
#include "scenario/Scenario.h"
#include "tabs/AnalysisTab.h"
#include "tabs/AttentionJobs.h"

#include <qcustomplot.h>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace sinkscope::ui {

CompareView::CompareView(AppContext& context, const QString& channel, QWidget* parent)
    : QWidget(parent), context_(context), channel_(channel) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  controls_ = new QHBoxLayout;
  left_ = new QComboBox(this);
  left_->setAccessibleName(tr("Left side of the comparison (A)"));
  left_->setToolTip(tr("The mitigation on the left, A (baseline by default)"));
  separator_ = new QLabel(QStringLiteral("|"), this);
  right_ = new QComboBox(this);
  right_->setAccessibleName(tr("Right side of the comparison (B)"));
  right_->setToolTip(
      tr("The mitigation on the right, B (NTK-aware scaling by default); the difference map shows B − A"));
  colorMap_ = new QComboBox(this);
  for (ColorMapName name : allColorMaps()) colorMap_->addItem(colorMapLabel(name), int(name));
  colorMap_->setAccessibleName(tr("Colour map"));
  colorMap_->setToolTip(
      tr("Perceptually uniform colour maps; cividis is designed for colour-vision deficiency"));
  log_ = new QCheckBox(tr("Log colour"), this);
  log_->setChecked(true);
  log_->setAccessibleName(tr("Logarithmic colour scale"));
  log_->setToolTip(
      tr("Logarithmic colour shows small weights next to the sink; linear shows where most mass is"));
  controls_->addWidget(left_);
  controls_->addWidget(separator_);
  controls_->addWidget(right_);
  controls_->addSpacing(16);
  controls_->addWidget(new QLabel(tr("Colours"), this));
  controls_->addWidget(colorMap_);
  controls_->addWidget(log_);
  controls_->addStretch(1);
  layout->addLayout(controls_);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  note_->setAccessibleName(tr("About this chart"));
  layout->addWidget(note_);
  chart_ = new ChartView(tr("Attention heatmaps compared"), this);
  chart_->setToolTip(sinkExplanation());
  layout->addWidget(chart_, 1);

  fillPairBoxes();
  connect(&context_.scenario, &Scenario::modelChanged, this, &CompareView::fillPairBoxes);
  connect(&context_.scenario, &Scenario::changed, this, [this] {
    // The pair may have been chosen in another view: show it here too.
    const ScenarioValues& v = context_.scenario.values();
    if (left_->currentData().toString() != mitigationName(v.compareLeft) ||
        right_->currentData().toString() != mitigationName(v.compareRight))
      fillPairBoxes();
  });
  connect(left_, &QComboBox::activated, this, &CompareView::pairChosen);
  connect(right_, &QComboBox::activated, this, &CompareView::pairChosen);
  connect(colorMap_, &QComboBox::currentIndexChanged, this, &CompareView::redraw);
  connect(log_, &QCheckBox::toggled, this, &CompareView::redraw);
  connect(chart_, &ChartView::mouseMovedOnPlot, this, &CompareView::showHover);
  connect(&context_.compute, &ComputeController::jobFailed, this,
          [this](const QString& failed, const QString& message) {
            if (failed != channel_) return;
            chart_->clearChart(tr("Could not compute: %1").arg(message));
            emit updated();
          });
}

void CompareView::addLeadingControl(QWidget* widget) {
  controls_->insertWidget(0, widget);
}

void CompareView::setCompareMode(bool compare) {
  compareMode_ = compare;
  left_->setVisible(compare);
  separator_->setVisible(compare);
}

void CompareView::fillPairBoxes() {
  const auto fill = [this](QComboBox* box, Mitigation chosen) {
    box->clear();
    for (Mitigation m : mitigationsFor(context_.scenario.model().usesRope))
      box->addItem(mitigationTitle(m), mitigationName(m));
    box->setCurrentIndex(std::max(0, box->findData(mitigationName(chosen))));
  };
  fill(left_, context_.scenario.values().compareLeft);
  fill(right_, context_.scenario.values().compareRight);
}

// The pair lives in the scenario: every view showing it (and the plan's primary mitigation) follows.
void CompareView::pairChosen() {
  const auto left = mitigationFromName(left_->currentData().toString());
  const auto right = mitigationFromName(right_->currentData().toString());
  if (left && right) context_.scenario.setComparePair(*left, *right);
}

std::vector<Mitigation> CompareView::shownMitigations() const {
  const ScenarioValues& v = context_.scenario.values();
  if (compareMode_) return {v.compareLeft, v.compareRight};
  return {v.compareRight};
}

void CompareView::compute() {
  const auto model = std::make_shared<ModelSpec>(context_.scenario.model());
  const ScenarioValues values = context_.scenario.values();
  const std::vector<Mitigation> mitigations = shownMitigations();
  context_.compute.submit<std::shared_ptr<const HeatmapChartData>>(
      channel_, tr("Probing modelled attention (heatmaps)"), this,
      [model, values, mitigations](const JobContext& job) -> std::shared_ptr<const HeatmapChartData> {
        return std::make_shared<const HeatmapChartData>(computeHeatmaps(*model, values, mitigations, job));
      },
      [this](const std::shared_ptr<const HeatmapChartData>& data) {
        data_ = data;
        redraw();
        emit updated();
      });
}

void CompareView::redraw() {
  if (!data_) return;
  const HeatmapStyle style{ColorMapName(colorMap_->currentData().toInt()), log_->isChecked()};
  const bool difference = compareMode_ && data_->panels.size() >= 2;
  chart_->setChart(tr("Attention at %1 — %2")
                       .arg(formatTokensShort(double(data_->contextTokens)),
                            probeTargetText(context_.scenario.model(), data_->layer, data_->heads)),
                   Provenance::Modelled, heatmapBuilder(data_, style, difference), heatmapTable(*data_));
  QString note =
      tr("<i>Modelled</i> attention of %1 query rows over %2 key bins (the first %3 bins are single "
         "tokens, where sinks live); grey: causal mask or keys out of the cache (sliding window, "
         "StreamingLLM); white dashed lines: trained context %4.")
          .arg(kHeatmapRows)
          .arg(kHeatmapBins)
          .arg(data_->panels.empty() ? 4 : data_->panels.front().heatmap.exactKeyColumns)
          .arg(formatTokensShort(double(data_->trainedContextTokens)));
  if (difference)
    note +=
        tr(" Both maps share one colour scale; the last map is B − A (orange: B attends more, blue: less).");
  note += difference ? tr(" Hover a cell for its numbers; drag or wheel to zoom, the panels move together.")
                     : tr(" Hover a cell for its numbers; drag or wheel to zoom.");
  // The pair's numbers at the requested context, and why the maps differ or look alike.
  note += notDrawnNote(data_->notDrawn);
  const QString contrast = difference ? heatmapContrastText(*data_) : QString();
  if (!contrast.isEmpty()) note += QStringLiteral("<br><b>%1</b>").arg(contrast.toHtmlEscaped());
  note_->setText(note);
}

QString CompareView::noteText() const {
  return note_->text();
}

QString CompareView::hoverText(int panel, double x, double y) const {
  if (!data_ || panel < 0) return QString();
  const int panels = int(data_->panels.size());
  const bool difference = compareMode_ && panels >= 2 && panel == panels;  // the last map: B − A
  if (panel >= panels && !difference) return QString();
  const PooledHeatmap& heatmap = data_->panels[difference ? 0 : size_t(panel)].heatmap;
  int bin = 0, row = 0;
  if (!heatmapCell(heatmap, x, y, bin, row)) return QString();
  const qint64 query = heatmap.queryPositions[size_t(row)];
  const qint64 start = heatmap.binStart[size_t(bin)], end = heatmap.binStart[size_t(bin) + 1];
  if (start > query)
    return tr("query %1, keys %2–%3: masked (future tokens)").arg(query).arg(start).arg(end - 1);
  const QString keys = end - start == 1 ? tr("key %1").arg(start) : tr("keys %1–%2").arg(start).arg(end - 1);
  if (!difference)
    return tr("%1\nquery %2, %3\nweight %4")
        .arg(mitigationTitle(data_->panels[size_t(panel)].mitigation))
        .arg(query)
        .arg(keys)
        .arg(double(heatmap.at(row, bin)), 0, 'g', 4);
  const double a = heatmap.at(row, bin), b = data_->panels[1].heatmap.at(row, bin);
  return tr("query %1, %2\nA (%3): %4\nB (%5): %6\nB − A: %7")
      .arg(query)
      .arg(keys)
      .arg(mitigationName(data_->panels[0].mitigation))
      .arg(a, 0, 'g', 4)
      .arg(mitigationName(data_->panels[1].mitigation))
      .arg(b, 0, 'g', 4)
      .arg(b - a, 0, 'g', 4);
}

void CompareView::showHover(QMouseEvent* event) {
  QCustomPlot* plot = chart_->plot();
  const QList<QCPAxisRect*> rects = plot->axisRects();
  for (int i = 0; i < rects.size(); ++i) {
    if (!rects[i]->rect().contains(event->pos())) continue;
    const double x = rects[i]->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x());
    const double y = rects[i]->axis(QCPAxis::atLeft)->pixelToCoord(event->pos().y());
    QToolTip::showText(event->globalPosition().toPoint(), hoverText(i, x, y), plot);
    return;
  }
  QToolTip::hideText();
}

}  // namespace sinkscope::ui
