#include "tabs/SinkCurveTab.h"

#include "Units.h"
#include "attention/ModelledAttention.h"
#include "catalog/Runtime.h"
#include "charts/ChartView.h"
#include "charts/EffectiveContextChart.h"
#include "scenario/Explanations.h"
#include "tabs/AttentionJobs.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

namespace sinkscope::ui {

SinkCurveTab::SinkCurveTab(AppContext& context, QWidget* parent)
    : AnalysisTab(context, QStringLiteral("sink-curve"), parent) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  metric_ = new QComboBox(this);
  metric_->addItem(tr("Sink mass, k = 1"), int(SinkMetric::SinkMass1));
  metric_->addItem(tr("Sink mass, k = 4"), int(SinkMetric::SinkMass4));
  metric_->addItem(tr("Normalised entropy"), int(SinkMetric::NormalizedEntropy));
  metric_->addItem(tr("Last query's sink mass"), int(SinkMetric::LastQuerySinkMass1));
  metric_->addItem(tr("Effective context (modelled)"), int(SinkMetric::EffectiveContext));
  metric_->setAccessibleName(tr("Sink metric"));
  metric_->setToolTip(
      sinkExplanation() + QStringLiteral("\n\n") + entropyExplanation() + QStringLiteral("\n\n") +
      tr("Effective context: the longest context over which the model still retrieves what it was "
         "given (passkey-style, ≥ 80 % retrieval), as the planner's mitigation model estimates it "
         "from published results; the published points are drawn as markers."));
  controls->addWidget(new QLabel(tr("Metric"), this));
  controls->addWidget(metric_);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  note_->setAccessibleName(tr("About this chart"));
  controls->addWidget(note_, 1);
  layout->addLayout(controls);
  chart_ = new ChartView(tr("Sink curve"), this);
  chart_->setToolTip(sinkExplanation());
  layout->addWidget(chart_, 1);
  connect(metric_, &QComboBox::currentIndexChanged, this, &SinkCurveTab::redraw);
  connect(chart_, &ChartView::mouseMovedOnPlot, this, &SinkCurveTab::showHover);
}

void SinkCurveTab::setMetric(SinkMetric metric) {
  metric_->setCurrentIndex(metric_->findData(int(metric)));
}

QString SinkCurveTab::noteText() const {
  return note_->text();
}

void SinkCurveTab::prepareScreenshot(const QString& variant) {
  setMetric(variant == QLatin1String("sink-curve-effective") ? SinkMetric::EffectiveContext
                                                             : SinkMetric::SinkMass1);
}

QString SinkCurveTab::hoverText(QPointF pixel) const {
  if (!data_ || SinkMetric(metric_->currentData().toInt()) != SinkMetric::EffectiveContext) return QString();
  return referenceMarkersTextAt(*chart_->plot(), pixel);
}

void SinkCurveTab::showHover(QMouseEvent* event) {
  const QString text = hoverText(event->position());
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, chart_->plot());
}

void SinkCurveTab::startComputation() {
  const auto model = std::make_shared<ModelSpec>(scenario().model());
  const ScenarioValues values = scenario().values();
  compute().submit<std::shared_ptr<const SinkCurveChartData>>(
      channel(), tr("Probing modelled attention (sink curve)"), this,
      [model, values](const JobContext& job) -> std::shared_ptr<const SinkCurveChartData> {
        return std::make_shared<const SinkCurveChartData>(computeSinkCurves(*model, values, job));
      },
      [this](const std::shared_ptr<const SinkCurveChartData>& data) {
        data_ = data;
        redraw();
        markUpdated();
      });
}

void SinkCurveTab::redraw() {
  if (!data_) return;
  const auto metric = SinkMetric(metric_->currentData().toInt());
  const QString cap =
      tr("dashed: context_cap of %1").arg(mitigationTitle(scenario().values().primaryMitigation()));
  const QString trained = formatTokensShort(double(data_->trainedContextTokens));
  if (metric == SinkMetric::EffectiveContext) {
    chart_->setChart(tr("Effective context against context (mitigation model)"), Provenance::Estimated,
                     sinkCurveBuilder(data_, metric), sinkCurveTable(*data_, metric));
    QStringList skipped;
    for (const EffectiveContextSeries& series : data_->effective)
      if (!series.applicable) skipped << mitigationName(series.mitigation);
    note_->setText(
        tr("<i>Estimated</i> by the planner's mitigation model (passkey-style: the longest context still "
           "retrieved ≥ 80 %), each mitigation configured for the requested context; shaded: its band. "
           "Not the probe. Markers: published effective contexts and claims (hover for the source); "
           "filled: this model, hollow: other models; grey: a mitigation not compared. Dotted line: "
           "trained context (%1); %2.%3")
            .arg(trained, cap,
                 skipped.isEmpty() ? QString()
                                   : tr(" Not estimable here: %1.").arg(skipped.join(QStringLiteral(", ")))));
    return;
  }
  const QString target = probeTargetText(scenario().model(), data_->layer, data_->heads);
  chart_->setChart(tr("%1 against context — %2").arg(metric_->currentText(), target), Provenance::Modelled,
                   sinkCurveBuilder(data_, metric), sinkCurveTable(*data_, metric));
  // Only a window the scenario's runtime honours (llama.cpp runs Mistral-v0.1 without it).
  const qint64 window = runtimeHonoursWindow(scenario().model(), scenario().values().runtime)
                            ? modelWindowAt(scenario().model(), data_->layer)
                            : 0;
  const QString windowNote =
      window > 0
          ? tr(" This layer keeps a %1-token sliding window: queries past it cannot see token 0 (S₁ = 0 "
               "there), so the mean over rows mixes rows with the sink in reach and rows without.")
                .arg(formatTokensShort(double(window)))
          : QString();
  note_->setText(
      tr("<i>Modelled</i>: exact positional maths on synthetic queries/keys, %1 query rows per context. "
         "Dotted line: trained context (%2); %3.%4 Published reference points report effective context, "
         "not sink mass or entropy: choose <i>Effective context</i> to see them.%5")
          .arg(kSinkCurveQueries)
          .arg(trained, cap, windowNote, notDrawnNote(data_->notDrawn)));
}

}  // namespace sinkscope::ui
