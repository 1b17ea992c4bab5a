#include "tabs/MitigationsTab.h"

#include "ColumnGlossary.h"
#include "Units.h"
#include "charts/ChartHelpers.h"
#include "charts/ChartView.h"
#include "common/NumberFormat.h"
#include "compute/ComputeController.h"
#include "planner/MitigationComparison.h"
#include "planner/ReferencePoints.h"
#include "scenario/Explanations.h"
#include "scenario/SpecLibrary.h"
#include "tabs/CompareView.h"
#include "tabs/PlannerTab.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace sinkscope::ui {

namespace {

QTableWidget* makeTable(const QStringList& headers, const QString& name, QWidget* parent) {
  auto* table = new QTableWidget(0, int(headers.size()), parent);
  table->setHorizontalHeaderLabels(headers);
  setColumnToolTips(*table);  // each header's meaning from docs/glossary.md
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table->setAccessibleName(name);
  table->verticalHeader()->setVisible(false);
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->horizontalHeader()->setStretchLastSection(true);
  return table;
}

// Through core's NumberFormat, as `plan` and the report write bands (docs/design.md "Numbers as text").
QString band(const Band& b, bool tokens) {
  return tokens ? tokensBandText(b.central, b.low, b.high) : percentBandText(b.central, b.low, b.high);
}

}  // namespace

MitigationsTab::MitigationsTab(AppContext& context, QWidget* parent)
    : AnalysisTab(context, QStringLiteral("mitigations"), parent) {
  auto* layout = new QVBoxLayout(this);
  recommendation_ = new QLabel(this);
  recommendation_->setWordWrap(true);
  recommendation_->setAccessibleName(tr("Recommendation"));
  layout->addWidget(recommendation_);
  table_ = makeTable({tr("Mitigation"), tr("Training ctx"), tr("Inference ctx"), tr("Effective ctx (band)"),
                      tr("Verdict at inference ctx"), tr("Quality kept (band)"), tr("Confidence"),
                      tr("KV cache"), tr("context_cap")},
                     tr("Mitigation comparison table"), this);
  table_->setToolTip(effectiveContextExplanation() + QStringLiteral("\n") + contextCapExplanation());
  document_ = makeTable(
      {tr("Source document says"), tr("Its effective ctx"), tr("Its quality"), tr("SinkScope effective"),
       tr("SinkScope quality"), tr("SinkScope verdict"), tr("Agreement")},
      tr("Source document claims beside SinkScope's estimates"), this);
  document_->setWordWrap(true);
  document_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  document_->horizontalHeader()->setStretchLastSection(true);
  document_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  document_->setToolTip(
      tr("The project's source document gives these figures without sources; SinkScope shows its own "
         "estimate next to each and says where they differ and why."));
  chart_ = new ChartView(tr("Effective context by mitigation"), this);
  chart_->setToolTip(effectiveContextExplanation());
  flagsFor_ = new QComboBox(this);
  flagsFor_->setAccessibleName(tr("Launch flags for"));
  flagsFor_->setToolTip(tr("The mitigation whose vLLM, llama.cpp and transformers settings are shown"));
  flags_ = new QTextBrowser(this);
  flags_->setAccessibleName(tr("Launch flags"));
  flags_->setToolTip(tr("How to run the model with this mitigation in vLLM, llama.cpp and transformers"));
  copyFlags_ = new QPushButton(tr("Copy launch flags"), this);
  copyFlags_->setAccessibleName(tr("Copy launch flags"));
  copyFlags_->setToolTip(tr("Copy the vLLM, llama.cpp and transformers settings for this mitigation"));
  connect(copyFlags_, &QPushButton::clicked, this,
          [this] { QApplication::clipboard()->setText(launchFlagsText()); });
  connect(flagsFor_, &QComboBox::currentIndexChanged, this, &MitigationsTab::showFlags);

  auto* flagsBox = new QWidget(this);
  auto* flagsLayout = new QVBoxLayout(flagsBox);
  flagsLayout->setContentsMargins(0, 0, 0, 0);
  auto* flagsHeader = new QHBoxLayout;
  flagsHeader->addWidget(new QLabel(tr("Launch flags for"), flagsBox));
  flagsHeader->addWidget(flagsFor_, 1);
  flagsHeader->addWidget(copyFlags_);
  flagsLayout->addLayout(flagsHeader);
  flagsLayout->addWidget(flags_, 1);
  auto* top = new QSplitter(Qt::Vertical, this);
  top->addWidget(table_);
  top->addWidget(document_);
  auto* bottom = new QSplitter(Qt::Horizontal, this);
  bottom->addWidget(chart_);
  bottom->addWidget(flagsBox);
  bottom->setStretchFactor(0, 3);
  bottom->setStretchFactor(1, 2);
  estimates_ = bottom;
  // Its own channel: the probe and the plan run side by side, each superseding only its own.
  compare_ = new CompareView(context, QStringLiteral("mitigations-compare"), this);
  lower_ = new QTabWidget(this);
  lower_->setDocumentMode(true);
  lower_->addTab(bottom, tr("Effective context and launch flags"));
  lower_->addTab(compare_, tr("Compare heatmaps"));
  lower_->setTabToolTip(
      1, tr("The scenario's pair of mitigations side by side (A | B), one colour scale, linked "
            "axes, and the difference map B − A"));
  connect(lower_, &QTabWidget::currentChanged, this, &MitigationsTab::computeCompareIfShown);
  auto* all = new QSplitter(Qt::Vertical, this);
  all->addWidget(top);
  all->addWidget(lower_);
  all->setStretchFactor(1, 1);
  layout->addWidget(all, 1);
}

std::vector<ChartView*> MitigationsTab::charts() const {
  return {chart_, compare_->chart()};
}

void MitigationsTab::showCompareView() {
  lower_->setCurrentWidget(compare_);
}

void MitigationsTab::prepareScreenshot(const QString& variant) {
  if (variant == QLatin1String("mitigations-llama-2-7b-32k")) {
    if (!beforeScreenshot_) beforeScreenshot_ = scenario().values();
    ScenarioValues values = *beforeScreenshot_;
    values.modelId = QStringLiteral("llama-2-7b");
    values.contextTokens = 32768;
    scenario().setValues(values);
  } else if (beforeScreenshot_) {
    scenario().setValues(*beforeScreenshot_);
    beforeScreenshot_.reset();
  }
  lower_->setCurrentWidget(variant == QLatin1String("mitigations-compare") ? static_cast<QWidget*>(compare_)
                                                                           : estimates_);
  refreshNow();
}

void MitigationsTab::showEvent(QShowEvent* event) {
  AnalysisTab::showEvent(event);
  QTimer::singleShot(0, this, &MitigationsTab::computeCompareIfShown);
}

// The probe is heavier than the plan: it runs only while the Compare page is in front.
void MitigationsTab::computeCompareIfShown() {
  if (!compareStale_ || lower_->currentWidget() != compare_ || !isVisible()) return;
  compareStale_ = false;
  compare_->compute();
}

void MitigationsTab::startComputation() {
  compareStale_ = true;
  if (lower_->currentWidget() == compare_) {
    compareStale_ = false;
    compare_->compute();
  }
  const auto model = std::make_shared<ModelSpec>(scenario().model());
  const auto hardware = std::make_shared<HardwareSpec>(scenario().hardware());
  const ScenarioValues values = scenario().values();
  compute().submit<std::shared_ptr<const MitigationsData>>(
      channel(), tr("Estimating mitigations"), this,
      [model, hardware, values](const JobContext&) {
        MitigationsData data;
        data.planner = PlannerTab::computePlan(*model, *hardware, values);
        data.document = compareWithSourceDocument(*model, data.planner.plan, referenceSet());
        return std::make_shared<const MitigationsData>(std::move(data));
      },
      [this](const std::shared_ptr<const MitigationsData>& data) { show(data); });
}

void MitigationsTab::show(std::shared_ptr<const MitigationsData> data) {
  data_ = data;
  const Plan& plan = data->planner.plan;
  const auto& compared = data->planner.compared;
  table_->setRowCount(int(plan.mitigations.size()));
  for (int r = 0; r < int(plan.mitigations.size()); ++r) {
    const MitigationPlan& row = plan.mitigations[size_t(r)];
    const bool isCompared = std::find(compared.begin(), compared.end(), row.mitigation) != compared.end();
    const QStringList cells{
        mitigationTitle(row.mitigation) + (row.fineTuned ? tr(" (shipped)") : QString()),
        formatTokensShort(double(plan.trainedContextTokens)),
        formatTokensShort(double(plan.contextTokens)),
        row.estimate.applicable ? band(row.estimate.effectiveContext, true) : notApplicableText(),
        verdictName(row.estimate.verdict.kind) +
            (row.estimate.verdict.extrapolated ? tr(" (extrapolated)") : QString()),
        row.qualityRetention ? band(row.estimate.qualityRetention, false) : notApplicableText(),
        confidenceText(row.confidence.value),
        gibText(row.kvBytes),
        row.contextCap > 0 ? tokensShort(double(row.contextCap)) : noneText()};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      QFont font = item->font();
      font.setBold(isCompared);
      item->setFont(font);
      item->setToolTip(c == 4 ? row.estimate.verdict.text : row.estimate.explanation);
      table_->setItem(r, c, item);
    }
  }
  // The source document speaks of its worked example only: for another model the table would be an
  // empty frame, so it steps aside and the estimates get its room.
  document_->setVisible(!data->document.empty());
  document_->setRowCount(int(data->document.size()));
  for (int r = 0; r < int(data->document.size()); ++r) {
    const DocumentComparison& d = data->document[size_t(r)];
    // The cell keeps the verdict's first sentence; the reasons are in the tooltip.
    const QString headline =
        d.verdict.section(QStringLiteral(". "), 0, 0) + QStringLiteral(". (hover for why)");
    const QStringList cells{d.text,
                            formatTokensShort(double(d.documentEffective)),
                            percentText(d.documentQuality),
                            formatTokensShort(double(d.effective)),
                            percentText(d.quality),
                            d.sinkscopeVerdict.section(QStringLiteral("; "), 0, 0),
                            headline};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      item->setToolTip(c == cells.size() - 1 ? d.verdict : cells[c]);
      document_->setItem(r, c, item);
    }
  }
  const Recommendation& rec = plan.recommendation;
  const QString planFor = tr("<b>Plan made for %1</b> (%2): %3.<br>")
                              .arg(mitigationTitle(plan.mitigation), runtimeName(plan.runtime),
                                   plan.mitigationChoice.toHtmlEscaped());
  recommendation_->setText(
      planFor +
      (rec.best
           ? tr("<b>Recommended: %1</b> — %2%3 <i>(estimated from published results)</i>")
                 .arg(mitigationTitle(*rec.best), rec.reasons.join(QStringLiteral("; ")).toHtmlEscaped(),
                      rec.runnerUp ? tr(". Runner-up: %1.").arg(mitigationTitle(*rec.runnerUp)) : QString())
           : tr("No recommendation for this scenario.")));
  chart_->setChart(tr("Effective context at %1").arg(formatTokensShort(double(plan.contextTokens))),
                   Provenance::Estimated, effectiveContextBuilder(data), effectiveContextTable(*data));
  // The box follows the plan's choice; a pick of the user's stays until the plan's choice changes.
  const QString planChoice = mitigationName(plan.mitigation);
  const bool choiceChanged = flagsFor_->property("planChoice").toString() != planChoice;
  const QString current = choiceChanged ? planChoice : flagsFor_->currentData().toString();
  flagsFor_->setProperty("planChoice", planChoice);
  flagsFor_->blockSignals(true);
  flagsFor_->clear();
  for (const MitigationPlan& row : plan.mitigations)
    flagsFor_->addItem(mitigationTitle(row.mitigation), mitigationName(row.mitigation));
  const int wanted = flagsFor_->findData(current.isEmpty() ? planChoice : current);
  flagsFor_->setCurrentIndex(std::max(0, wanted));
  flagsFor_->blockSignals(false);
  showFlags();
  markUpdated();
}

QString MitigationsTab::launchFlagsText() const {
  if (!data_) return QString();
  const QString name = flagsFor_->currentData().toString();
  for (const MitigationPlan& row : data_->planner.plan.mitigations) {
    if (mitigationName(row.mitigation) != name) continue;
    const LaunchFlags& f = row.launchFlags;
    QStringList lines{tr("# %1 for %2 at %3 tokens")
                          .arg(mitigationTitle(row.mitigation), data_->planner.modelName)
                          .arg(tokensFull(data_->planner.plan.contextTokens))};
    lines << tr("# vLLM") << (f.vllm.isEmpty() ? tr("(not available)") : f.vllm);
    if (!f.vllmLatest.isEmpty()) lines << tr("# vLLM (releases reading rope_parameters)") << f.vllmLatest;
    lines << tr("# llama.cpp") << (f.llamaCpp.isEmpty() ? tr("(not available)") : f.llamaCpp);
    lines << tr("# transformers") << (f.transformers.isEmpty() ? tr("(not available)") : f.transformers);
    if (!f.notes.isEmpty()) lines << tr("# notes: %1").arg(f.notes);
    return lines.join(QLatin1Char('\n'));
  }
  return QString();
}

void MitigationsTab::showFlags() {
  flags_->setPlainText(launchFlagsText());
  copyFlags_->setEnabled(!flags_->toPlainText().isEmpty());
}

}  // namespace sinkscope::ui
