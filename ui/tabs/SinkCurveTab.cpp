#include "tabs/SinkCurveTab.h"

#include "Units.h"
#include "charts/ChartView.h"
#include "scenario/Explanations.h"
#include "tabs/AttentionJobs.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace sinkscope::ui {

SinkCurveTab::SinkCurveTab(AppContext& context, QWidget* parent) : AnalysisTab(context, QStringLiteral("sink-curve"), parent) {
  auto* layout = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  metric_ = new QComboBox(this);
  metric_->addItem(tr("Sink mass, k = 1"), int(SinkMetric::SinkMass1));
  metric_->addItem(tr("Sink mass, k = 4"), int(SinkMetric::SinkMass4));
  metric_->addItem(tr("Normalised entropy"), int(SinkMetric::NormalizedEntropy));
  metric_->addItem(tr("Last query's sink mass"), int(SinkMetric::LastQuerySinkMass1));
  metric_->setAccessibleName(tr("Sink metric"));
  metric_->setToolTip(sinkExplanation() + QStringLiteral("\n\n") + entropyExplanation());
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
}

void SinkCurveTab::startComputation() {
  const auto model = std::make_shared<ModelSpec>(scenario().model());
  const ScenarioValues values = scenario().values();
  compute().submit<std::shared_ptr<const SinkCurveChartData>>(
      channel(), tr("Probing modelled attention (sink curve)"), this,
      [model, values](const JobContext& job) -> std::shared_ptr<const SinkCurveChartData> {
        auto data = computeSinkCurves(*model, values, job);
        return data ? std::make_shared<const SinkCurveChartData>(std::move(*data)) : nullptr;
      },
      [this](const std::shared_ptr<const SinkCurveChartData>& data) {
        if (!data) return;
        data_ = data;
        redraw();
        markUpdated();
      });
}

void SinkCurveTab::redraw() {
  if (!data_) return;
  const auto metric = SinkMetric(metric_->currentData().toInt());
  const QString heads = data_->head >= 0 ? tr("head %1").arg(data_->head) : tr("mean of 4 heads");
  chart_->setChart(tr("%1 against context — layer %2, %3").arg(metric_->currentText()).arg(data_->layer).arg(heads),
                   Provenance::Modelled, sinkCurveBuilder(data_, metric), sinkCurveTable(*data_));
  note_->setText(tr("<i>Modelled</i>: exact positional maths on synthetic queries/keys, %1 query rows per context. "
                    "Dotted line: trained context (%2); dashed: context_cap of %3.")
                     .arg(kSinkCurveQueries)
                     .arg(formatTokensShort(double(data_->trainedContextTokens)))
                     .arg(mitigationTitle(scenario().values().primaryMitigation())));
}

}  // namespace sinkscope::ui
