#include "tabs/PlannerTab.h"

#include "Units.h"
#include "charts/ChartView.h"
#include "common/NumberFormat.h"
#include "compute/ComputeController.h"
#include "scenario/Explanations.h"
#include "scenario/Scenario.h"

#include <QGridLayout>
#include <QLabel>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace sinkscope::ui {

namespace {
constexpr int kCurvePoints = 160;

// When the plan does not fit: each change that was tried, the one that works first in bold.
QString fitAdviceHtml(const Plan& plan) {
  if (plan.fits) return QString();
  QString html = QObject::tr("<p><b>What would fit</b> (each change alone, cheapest first)<ul>");
  const auto& options = plan.fitAdvice.options;
  for (size_t i = 0; i < options.size(); ++i) {
    const QString text = options[i].summary.toHtmlEscaped();
    const bool smallest = plan.fitAdvice.smallest && *plan.fitAdvice.smallest == i;
    html += QStringLiteral("<li>%1%2</li>")
                .arg(options[i].works ? QStringLiteral("✓ ") : QStringLiteral("✗ "),
                     smallest ? QStringLiteral("<b>%1</b>").arg(text) : text);
  }
  return html + QStringLiteral("</ul></p>");
}

QString smallestChangeText(const Plan& plan) {
  if (plan.fits) return QString();
  const auto& smallest = plan.fitAdvice.smallest;
  if (!smallest) return QObject::tr(" <b>Nothing tried fits</b> (see What would fit).");
  return QObject::tr(" <b>Smallest change that fits:</b> %1.")
      .arg(plan.fitAdvice.options[*smallest].summary.toHtmlEscaped());
}

}  // namespace

PlannerTab::PlannerTab(AppContext& context, QWidget* parent)
    : AnalysisTab(context, QStringLiteral("planner"), parent) {
  auto* layout = new QVBoxLayout(this);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setTextFormat(Qt::RichText);
  summary_->setAccessibleName(tr("Plan summary"));
  summary_->setToolTip(contextCapExplanation());
  layout->addWidget(summary_);
  memoryBars_ = new ChartView(tr("Memory by component"), this);
  memoryBars_->setToolTip(
      tr("Weights, KV cache, activations and runtime overhead at the requested context, per "
         "compared mitigation, against the usable device memory"));
  memoryCurve_ = new ChartView(tr("Memory against context"), this);
  memoryCurve_->setToolTip(
      tr("Total memory as the context grows (log axis); where it crosses the usable capacity "
         "is the largest context that fits"));
  throughput_ = new ChartView(tr("Throughput"), this);
  throughput_->setToolTip(
      tr("Roofline estimate: bytes moved against memory bandwidth and FLOPs against peak "
         "compute, each scaled by a documented efficiency. Not a benchmark."));
  confidence_ = new ChartView(tr("Planner confidence"), this);
  confidence_->setToolTip(confidenceExplanation());
  reasons_ = new QTextBrowser(this);
  reasons_->setAccessibleName(tr("Confidence reasons"));
  reasons_->setToolTip(confidenceExplanation());
  auto* right = new QSplitter(Qt::Vertical, this);
  right->addWidget(confidence_);
  right->addWidget(reasons_);
  right->addWidget(throughput_);
  auto* left = new QSplitter(Qt::Vertical, this);
  left->addWidget(memoryBars_);
  left->addWidget(memoryCurve_);
  left->setStretchFactor(1, 2);
  auto* columns = new QSplitter(Qt::Horizontal, this);
  columns->addWidget(left);
  columns->addWidget(right);
  columns->setStretchFactor(0, 3);
  columns->setStretchFactor(1, 2);
  layout->addWidget(columns, 1);
}

QStringList PlannerTab::screenshotVariants() const {
  return {QStringLiteral("planner-does-not-fit"), QStringLiteral("planner-8-gpus")};
}

void PlannerTab::prepareScreenshot(const QString& variant) {
  if (variant.isEmpty()) {
    if (beforeScreenshot_) scenario().setValues(*beforeScreenshot_);
    beforeScreenshot_.reset();
    return;
  }
  if (!beforeScreenshot_) beforeScreenshot_ = scenario().values();
  ScenarioValues values = *beforeScreenshot_;
  values.modelId = QStringLiteral("deepseek-v2");
  values.hardwareId = QStringLiteral("h100-sxm-80gb");
  values.contextTokens = 32768;
  values.mitigations = {Mitigation::Baseline, Mitigation::Yarn};
  values.compareRight = Mitigation::Yarn;
  values.gpusPerNode = variant == QLatin1String("planner-8-gpus") ? 8 : 1;
  values.nodes = 1;
  scenario().setValues(values);
}

std::vector<ChartView*> PlannerTab::charts() const {
  return {memoryBars_, memoryCurve_, confidence_, throughput_};
}

PlannerData PlannerTab::computePlan(const ModelSpec& model, const HardwareSpec& hardware,
                                    const ScenarioValues& values) {
  PlanRequest request;
  request.contextTokens = values.contextTokens;
  request.batch = values.batch;
  request.weightsDtype = values.weightsDtype;
  request.kvDtype = values.kvDtype;
  request.runtime = values.runtime;  // no mitigation: the plan is made for what a person would run
  request.parallel.gpusPerNode = values.gpusPerNode;
  request.parallel.nodes = values.nodes;
  PlannerData data;
  data.plan = makePlan(model, hardware, request);
  request.mitigation = data.plan.mitigation;
  data.compared = values.mitigations;
  for (Mitigation mitigation : data.compared)
    data.comparedMemory.push_back(
        memoryModelFor(model, hardware, request, mitigation).at(values.contextTokens));
  data.curve = memoryCurveFor(model, hardware, request,
                              contextGrid(kMinContextTokens, kMaxContextTokens, kCurvePoints, true));
  data.modelName = model.displayName;
  data.hardwareName = hardware.displayName;
  return data;
}

void PlannerTab::startComputation() {
  const auto model = std::make_shared<ModelSpec>(scenario().model());
  const auto hardware = std::make_shared<HardwareSpec>(scenario().hardware());
  const ScenarioValues values = scenario().values();
  compute().submit<std::shared_ptr<const PlannerData>>(
      channel(), tr("Planning memory and throughput"), this,
      [model, hardware, values](const JobContext&) {
        return std::make_shared<const PlannerData>(computePlan(*model, *hardware, values));
      },
      [this](const std::shared_ptr<const PlannerData>& data) { show(data); });
}

void PlannerTab::show(std::shared_ptr<const PlannerData> data) {
  data_ = data;
  const Plan& plan = data->plan;
  const ParallelLayout& layout = plan.parallel;
  const QString subtitle = layout.gpus() > 1
                               ? tr("%1 on %2 × %3 (tensor-parallel %4, pipeline-parallel %5), per GPU")
                                     .arg(data->modelName)
                                     .arg(layout.gpus())
                                     .arg(data->hardwareName)
                                     .arg(layout.tensorParallel)
                                     .arg(layout.pipelineParallel)
                               : tr("%1 on %2").arg(data->modelName, data->hardwareName);
  const QString perGpu = layout.gpus() > 1 ? tr(", per GPU") : QString();
  memoryBars_->setChart(
      tr("Memory by component at %1%2").arg(formatTokensShort(double(plan.contextTokens)), perGpu),
      Provenance::Estimated, memoryBarBuilder(data), memoryBarTable(*data));
  memoryCurve_->setChart(tr("Memory against context — %1%2").arg(mitigationTitle(plan.mitigation), perGpu),
                         Provenance::Estimated, memoryCurveBuilder(data), memoryCurveTable(*data));
  throughput_->setChart(tr("Throughput at %1").arg(formatTokensShort(double(plan.contextTokens))),
                        Provenance::Estimated, throughputBuilder(data), throughputTable(*data));
  confidence_->setChart(tr("Planner confidence"), Provenance::Estimated, confidenceBuilder(data),
                        confidenceTable(*data));

  const QString fit =
      plan.fits ? tr("<b style='color:#009E73'>fits</b>") : tr("<b style='color:#D55E00'>does not fit</b>");
  const QString maxContext = plan.fit.unbounded               ? tr("any context (KV stops growing)")
                             : plan.fit.maxContextTokens == 0 ? tr("none, not even 1 token")
                                                              : formatTokens(plan.fit.maxContextTokens);
  const MitigationPlan* chosen = data->plan.mitigations.empty() ? nullptr : &data->plan.mitigations.front();
  for (const MitigationPlan& row : plan.mitigations)
    if (row.mitigation == plan.mitigation) chosen = &row;
  const QString verdict = chosen ? chosen->estimate.verdict.text : QString();
  summary_->setText(
      tr("<b>Plan made for %1</b> (%2, %3) — %4.<br>")
          .arg(mitigationTitle(plan.mitigation).toHtmlEscaped(), runtimeName(plan.runtime),
               plan.mitigationChoice.toHtmlEscaped(), verdict.toHtmlEscaped()) +
      tr("%1 — %2, batch %3, %4 weights, %5 KV: %6 (%7 of %8 usable); largest context that fits: %9. "
         "Trained context %10; %11: context_cap %12, effective context ≈ %13, confidence <b>%14</b> "
         "<i>(estimated)</i>.")
          .arg(subtitle.toHtmlEscaped(), formatTokens(plan.contextTokens))
          .arg(plan.batch)
          .arg(plan.weightsDtype, plan.kvDtype, fit, formatGiB(double(plan.memory.totalBytes), 1),
               formatGiB(double(plan.memory.capacityBytes), 1), maxContext)
          .arg(formatTokens(plan.trainedContextTokens), mitigationTitle(plan.mitigation),
               capText(plan.contextCap), formatTokens(plan.effectiveContext),
               confidenceText(plan.confidence.value)) +
      smallestChangeText(plan));
  QString html = fitAdviceHtml(plan);
  for (Mitigation mitigation : data->compared) {
    const MitigationPlan* row = data->row(mitigation);
    if (!row) continue;
    html += QStringLiteral("<p><b>%1: %2</b><ul>")
                .arg(mitigationTitle(mitigation).toHtmlEscaped(), confidenceText(row->confidence.value));
    for (const ConfidenceReason& reason : row->confidence.reasons)
      html += QStringLiteral("<li>%1%2</li>")
                  .arg(reason.text.toHtmlEscaped(),
                       reason.deduction > 0
                           ? QStringLiteral(" <i>(−%1)</i>").arg(confidenceText(reason.deduction))
                           : QString());
    html += QStringLiteral("</ul></p>");
  }
  if (!plan.notes.isEmpty()) {
    html += tr("<p><b>Notes</b><ul>");
    for (const QString& note : plan.notes) html += QStringLiteral("<li>%1</li>").arg(note.toHtmlEscaped());
    html += QStringLiteral("</ul></p>");
  }
  reasons_->setHtml(html);
  markUpdated();
}

}  // namespace sinkscope::ui
