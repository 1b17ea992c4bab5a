#include "tabs/MeasuredTab.h"
#include "DialogFolders.h"
#include "WindowErrors.h"

#include "Units.h"
#include "catalog/CatalogueMatch.h"
#include "catalog/GgufImport.h"
#include "charts/AttentionCharts.h"
#include "charts/ChartHelpers.h"
#include "charts/ChartView.h"
#include "charts/MeasuredCharts.h"
#include "common/Error.h"
#include "common/NumberFormat.h"
#include "compute/ComputeController.h"
#include "gguf/GgufFile.h"
#include "inference/GgufSummary.h"
#include "inference/MeasureInput.h"
#include "measure/MeasureSession.h"
#include "planner/Confidence.h"
#include "planner/Plan.h"
#include "scenario/Explanations.h"
#include "scenario/Scenario.h"
#include "tabs/AttentionJobs.h"

#include <sinkscope/Version.h>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QFile>

#include <qcustomplot.h>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace sinkscope::ui {

MeasuredTab::MeasuredTab(AppContext& context, QWidget* parent)
    : AnalysisTab(context, QStringLiteral("measured"), parent) {
  auto* layout = new QVBoxLayout(this);
  auto* inputs = new QGridLayout;
  gguf_ = new QLineEdit(this);
  gguf_->setPlaceholderText(tr("a .gguf checkpoint (llama, qwen2, qwen3, phi3, gemma2, gemma3)"));
  gguf_->setAccessibleName(tr("GGUF model file"));
  gguf_->setToolTip(
      tr("A real checkpoint to run on the CPU; its real attention and per-token loss are measured"));
  text_ = new QLineEdit(this);
  text_->setPlaceholderText(tr("bundled sample (simple stories)"));
  text_->setAccessibleName(tr("Text to measure"));
  text_->setToolTip(tr("UTF-8 text fed to the model; empty uses the bundled sample"));
  auto* browseGguf = new QPushButton(tr("Open GGUF…"), this);
  browseGguf->setAccessibleName(tr("Open a GGUF file"));
  browseGguf->setToolTip(gguf_->toolTip());
  auto* browseText = new QPushButton(tr("Open text…"), this);
  browseText->setAccessibleName(tr("Open a text file"));
  browseText->setToolTip(text_->toolTip());
  auto* run = new QPushButton(tr("Measure"), this);
  run->setAccessibleName(tr("Run the measurement"));
  run->setToolTip(
      tr("Run the checkpoint over the text at the scenario's context (at most %1 tokens) once per "
         "compared mitigation, one after the other")
          .arg(kMaxMeasuredTokens));
  inputs->addWidget(new QLabel(tr("Model"), this), 0, 0);
  inputs->addWidget(gguf_, 0, 1);
  inputs->addWidget(browseGguf, 0, 2);
  inputs->addWidget(new QLabel(tr("Text"), this), 1, 0);
  inputs->addWidget(text_, 1, 1);
  inputs->addWidget(browseText, 1, 2);
  slidingWindow_ = new QSpinBox(this);
  slidingWindow_->setRange(0, int(kMaxMeasuredTokens));
  slidingWindow_->setSpecialValueText(tr("as llama.cpp"));
  slidingWindow_->setSuffix(tr(" tokens"));
  slidingWindow_->setAccessibleName(tr("Sliding window from the config"));
  slidingWindow_->setToolTip(
      tr("As llama.cpp runs the file: Gemma's sliding layers keep their windows, llama files "
         "(Mistral too) attend to everything. A window here also slides every other layer, "
         "as vLLM honours a config's sliding_window (Mistral-7B-v0.1: 4096)"));
  inputs->addWidget(new QLabel(tr("Sliding window"), this), 2, 0);
  inputs->addWidget(slidingWindow_, 2, 1);
  auto* factorLabel = new QLabel(tr("Scaling factor s"), this);
  inputs->addWidget(factorLabel, 3, 0);
  inputs->addWidget(makeFactorRow(), 3, 1);
  factorLabel->setBuddy(factor_);
  inputs->addWidget(run, 0, 3, 2, 1);
  layout->addLayout(inputs);
  progress_ = new QLabel(this);
  progress_->setAccessibleName(tr("Measurement status"));
  progress_->setTextFormat(Qt::PlainText);
  progress_->setWordWrap(true);
  progress_->setToolTip(
      tr("The chosen file and where its measurement stands: while it runs, the share done, tokens "
         "run through the model per second and the time left at that rate (Cancel in the status bar "
         "stops it within a second); then done, failed with the reason, or cancelled"));
  progress_->hide();
  layout->addWidget(progress_);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setAccessibleName(tr("Measurement summary"));
  layout->addWidget(summary_);
  loss_ = new ChartView(tr("Per-position loss"), this);
  heatmap_ = new ChartView(tr("Measured heatmap"), this);
  sinks_ = new ChartView(tr("Sink mass per layer and head"), this);
  attentionOf_ = new QComboBox(this);
  attentionOf_->setAccessibleName(tr("Attention of"));
  attentionOf_->setToolTip(
      tr("Which measured mitigation's real attention the heatmap and the sink grid show; "
         "switching redraws the finished runs, nothing is measured again"));
  attentionOf_->setEnabled(false);
  attentionOf_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  auto* attentionLabel = new QLabel(tr("Attention of:"), this);
  attentionLabel->setBuddy(attentionOf_);
  auto* attentionRow = new QHBoxLayout;
  attentionRow->setContentsMargins(0, 0, 0, 0);
  attentionRow->addWidget(attentionLabel);
  attentionRow->addWidget(attentionOf_);
  attentionRow->addStretch(1);
  auto* lowerCharts = new QSplitter(Qt::Horizontal, this);
  lowerCharts->addWidget(heatmap_);
  lowerCharts->addWidget(sinks_);
  auto* lower = new QWidget(this);
  auto* lowerLayout = new QVBoxLayout(lower);
  lowerLayout->setContentsMargins(0, 0, 0, 0);
  lowerLayout->addLayout(attentionRow);
  lowerLayout->addWidget(lowerCharts, 1);
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(loss_);
  splitter->addWidget(lower);
  layout->addWidget(splitter, 1);
  gguf_->setText(defaultGguf());
  connect(browseGguf, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a GGUF model"), dialogStartPath(DialogPurpose::Measure), tr("GGUF (*.gguf)"));
    rememberDialogFolder(DialogPurpose::Measure, path);
    if (!path.isEmpty()) setGgufPath(path);
  });
  connect(browseText, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a text"), dialogStartPath(DialogPurpose::Measure), tr("Text (*.txt);;All files (*)"));
    rememberDialogFolder(DialogPurpose::Measure, path);
    if (!path.isEmpty()) setTextPath(path);
  });
  connect(run, &QPushButton::clicked, this, &MeasuredTab::refreshNow);
  connect(attentionOf_, &QComboBox::activated, this, [this](int index) {
    if (const auto chosen = mitigationFromName(attentionOf_->itemData(index).toString()))
      chosenAttention_ = *chosen;
    showAttention();
  });
  connect(&compute(), &ComputeController::jobProgress, this,
          [this](const QString& running, int, const QString& detail) {
            if (running == channel()) setStatus(tr("measuring… %1").arg(detail));
          });
  connect(&compute(), &ComputeController::jobCancelled, this, [this](const QString& cancelled) {
    if (cancelled == channel())
      setStatus(runs_.empty() ? tr("cancelled") : tr("cancelled; the charts show the last finished run"));
  });
  connect(&compute(), &ComputeController::jobFailed, this, [this](const QString& failed, const QString& why) {
    if (failed == channel()) setStatus(tr("failed: %1").arg(why));
  });
  connect(&scenario(), &Scenario::modelChanged, this, [this] {
    if (scenario().model().origin.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
      gguf_->setText(scenario().model().origin);
  });
}

QWidget* MeasuredTab::makeFactorRow() {
  factor_ = new QDoubleSpinBox(this);
  factor_->setRange(0.0, 1024.0);
  factor_->setDecimals(2);
  factor_->setSingleStep(1.0);
  factor_->setValue(0.0);
  // The Planner's default (core defaultScalingFactor), so a measured run tests the setting the plan
  // would launch: docs/measured-mode.md, Measured tab.
  factor_->setSpecialValueText(tr("auto (context ÷ trained, at least 1)"));
  factor_->setAccessibleName(tr("Scaling factor"));
  factor_->setToolTip(
      tr("The factor s that linear, NTK, dynamic NTK, YaRN and Llama 3 scaling run with. Auto (the "
         "default) is what the Planner uses: the scenario's requested context ÷ the model's trained "
         "context, at least 1 (32K over a 4K model: s = 8). Any other value is used as given."));
  connect(factor_, &QDoubleSpinBox::valueChanged, this, [this](double value) {
    if (value > 0.0 && value < 1.0) factor_->setValue(value < 0.5 ? 0.0 : 1.0);  // s < 1 shrinks nothing
  });
  factorNote_ = new QLabel(this);
  factorNote_->setAccessibleName(tr("Scaling factor used"));
  factorNote_->setToolTip(factor_->toolTip());
  auto* row = new QWidget(this);
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(factor_);
  layout->addWidget(factorNote_, 1);
  return row;
}

QString MeasuredTab::fileName() const {
  return QFileInfo(gguf_->text().trimmed()).fileName();
}

void MeasuredTab::setStatus(const QString& status) {
  progress_->setText(tr("%1: %2").arg(fileName(), status));
  progress_->setVisible(!fileName().isEmpty());
}

QString MeasuredTab::defaultGguf() const {
  const QString origin = scenario().model().origin;
  if (origin.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) return origin;
  const QString env = qEnvironmentVariable("SINKSCOPE_SAMPLE_GGUF");
  return QFileInfo::exists(env) ? env : QString();
}

bool MeasuredTab::scenarioHasShapeOf(const QString& ggufPath) {
  const ModelSpec& model = scenario().model();
  if (model.origin != QLatin1String("catalogue")) return false;
  const QFileInfo info(ggufPath);
  const QString key = QStringLiteral("%1\n%2\n%3")
                          .arg(info.absoluteFilePath())
                          .arg(info.size())
                          .arg(info.lastModified().toMSecsSinceEpoch());
  if (key != shapeKey_) {
    shapeKey_ = key;
    try {
      fileShape_ = importGgufMetadata(ggufPath);
    } catch (const Error&) {
      fileShape_.reset();  // the run itself reports why the file cannot be read
    }
  }
  return fileShape_ && shapeDifferences(*fileShape_, model).isEmpty();
}

QString MeasuredTab::ggufPath() const {
  return gguf_->text().trimmed();
}

void MeasuredTab::setGgufPath(const QString& path) {
  gguf_->setText(path);
  setStatus(tr("not measured yet"));
  if (!path.isEmpty()) emit ggufOpened(path);
  scheduleRefresh();
}

void MeasuredTab::addNotice(QWidget* bar) {
  static_cast<QVBoxLayout*>(layout())->insertWidget(1, bar);
}

void MeasuredTab::setTextPath(const QString& path) {
  text_->setText(path);
  scheduleRefresh();
}

namespace {

// What was opened, and for a catalogue model the plan's weight memory beside the file's size.
QStringList fileNotes(const GgufFile& gguf, const ModelSpec& planned, const HardwareSpec& hardware,
                      const ScenarioValues& values) {
  QStringList notes{describeGguf(gguf)};
  if (planned.origin.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) return notes;
  PlanRequest request;
  request.contextTokens = values.contextTokens;
  request.batch = values.batch;
  request.weightsDtype = values.weightsDtype;
  request.kvDtype = values.kvDtype;
  try {
    const qint64 weights =
        memoryModelFor(planned, hardware, request, values.primaryMitigation()).weightsBytes();
    notes << fileSizeAgainstPlannedWeights(qint64(gguf.fileSize()), weights, planned.displayName,
                                           values.weightsDtype);
  } catch (const Error& error) {  // a plan the scenario cannot make: the comparison is left out, saying why
    notes << QCoreApplication::translate("MeasuredTab", "Not compared with the planned weights of %1: %2")
                 .arg(planned.displayName, windowErrorText(error));
  }
  return notes;
}

// The factor the RoPE mitigations run with: the one chosen (at least 1), or for "auto" (0) the
// Planner's default for the requested context, defaultScalingFactor: context ÷ trained, at least 1.
double runFactor(double chosen, qint64 contextTokens, qint64 trainedContext) {
  return chosen >= 1.0 ? chosen : defaultScalingFactor(contextTokens, trainedContext);
}

}  // namespace

void MeasuredTab::startComputation() {
  const QString ggufPath = gguf_->text().trimmed();
  if (ggufPath.isEmpty()) {
    // Where a GGUF comes from: docs/gguf.md "Where a GGUF comes from".
    summary_->setText(
        tr("<b>No checkpoint open.</b> Click <b>Open GGUF…</b> (or drop a .gguf file on the window) to "
           "run a real model on the CPU and measure its attention and per-token loss; the modelled "
           "tabs need no weights. A GGUF is llama.cpp's checkpoint file: model pages on the Hugging "
           "Face Hub offer them (files ending in .gguf, often in repositories named …-GGUF), and "
           "llama.cpp's convert_hf_to_gguf.py makes one from a Hugging Face checkpoint."));
    for (ChartView* view : charts())
      view->clearChart(tr("Open a GGUF checkpoint (Open GGUF… above) to measure"));
    progress_->hide();
    markUpdated();
    return;
  }
  // The one measured session of `sinkscope measure` and `report --gguf` (core/measure); the tab
  // adds only the worker thread and the display. It measures the text up to the scenario's context.
  MeasureInput input;
  input.ggufPath = ggufPath;
  input.textPath = text_->text().trimmed();
  input.contextTokens = scenario().values().contextTokens;
  input.contextRequest = ContextRequest::AtMost;
  const ScenarioValues values = scenario().values();
  // A catalogue scenario of the file's shape gives its trained context (docs/catalog.md).
  if (scenarioHasShapeOf(ggufPath)) input.catalogueModel = scenario().model();
  const std::optional<qint64> configWindow =
      slidingWindow_->value() > 0 ? std::optional<qint64>(slidingWindow_->value()) : std::nullopt;
  const QString textPath = input.textPath.isEmpty() ? kSampleTextPath : input.textPath;
  // The runs belong to the file: a change the measurement does not read (the catalogue model, the
  // hardware, a dtype) keeps them instead of measuring the same file again.
  QStringList names;
  for (Mitigation mitigation : values.mitigations) names << mitigationName(mitigation);
  const double chosenFactor = factor_->value();
  const QString inputs = QStringList{ggufPath,
                                     textPath,
                                     QString::number(values.contextTokens),
                                     names.join(QLatin1Char(',')),
                                     input.catalogueModel ? input.catalogueModel->id : QString(),
                                     QString::number(chosenFactor)}
                             .join(QLatin1Char('\n'));
  if (inputs == runInputs_ && !runs_.empty()) {
    markUpdated();
    return;
  }
  const ModelSpec planned = scenario().model();
  const HardwareSpec hardware = scenario().hardware();
  setStatus(tr("loading…"));
  compute().submit<std::shared_ptr<const MeasuredRuns>>(
      channel(), tr("Running %1 on the CPU").arg(QFileInfo(ggufPath).fileName()), this,
      [input, values, planned, hardware, configWindow, chosenFactor](const JobContext& job) {
        const MeasureSession session(input);
        MeasureSettings settings;
        settings.factor = runFactor(chosenFactor, values.contextTokens, session.trainedContext());
        settings.configSlidingWindow = configWindow;
        settings.isCancelled = job.cancelFunction();
        settings.progress = job.progressFunction();
        const auto showRate = [&job](const MeasureProgress& progress) { job.setDetail(progress.text()); };
        MeasuredRuns runs = session.runEach(values.mitigations, settings, showRate);
        runs.fileNotes = fileNotes(GgufFile(session.ggufPath()), planned, hardware, values);
        return std::make_shared<const MeasuredRuns>(std::move(runs));
      },
      [this, textPath, inputs,
       primary = values.primaryMitigation()](const std::shared_ptr<const MeasuredRuns>& result) {
        dataTextPath_ = textPath;
        runInputs_ = inputs;
        show(*result, primary);
      });
}

std::shared_ptr<const Measurement> MeasuredTab::data() const {
  const auto chosen = mitigationFromName(attentionOf_->currentData().toString());
  for (const auto& run : runs_)
    if (chosen && run->mitigation == *chosen) return run;
  return runs_.empty() ? nullptr : runs_.front();
}

void MeasuredTab::show(const MeasuredRuns& result, Mitigation primary) {
  runs_ = result.runs;
  notMeasured_ = result.notMeasured;
  QStringList lines;
  for (const QString& why : notMeasured_) lines << tr("Not measured: %1.").arg(why.toHtmlEscaped());
  {
    const QSignalBlocker blocker(attentionOf_);
    attentionOf_->clear();
    for (const auto& run : runs_)
      attentionOf_->addItem(mitigationTitle(run->mitigation), mitigationName(run->mitigation));
    const Mitigation wanted =
        chosenAttention_ && attentionOf_->findData(mitigationName(*chosenAttention_)) >= 0 ? *chosenAttention_
                                                                                           : primary;
    attentionOf_->setCurrentIndex(std::max(0, attentionOf_->findData(mitigationName(wanted))));
    attentionOf_->setEnabled(!runs_.empty());
  }
  if (runs_.empty()) {
    setStatus(tr("done; no compared mitigation can be measured"));
    factorNote_->clear();
    summary_->setText(lines.join(QStringLiteral("<br>")));
    for (ChartView* view : charts()) view->clearChart(tr("No compared mitigation can be measured"));
    markUpdated();
    return;
  }
  const Measurement& first = *runs_.front();
  setStatus(tr("done: %1 of %2 each")
                .arg(runs_.size() == 1 ? tr("1 run") : tr("%1 runs").arg(runs_.size()),
                     tokensText(qint64(first.tokens.size()))));
  factorNote_->setText(factor_->value() >= 1.0
                           ? tr("s = %1 as chosen").arg(first.factor)
                           : tr("auto: s = %1 (%2 ÷ trained %3, at least 1)")
                                 .arg(first.factor)
                                 .arg(tokensShort(double(scenario().values().contextTokens)),
                                      tokensShort(double(first.trainedContext))));
  QStringList summary{tr("<i>Measured</i> on %1: %2 tokens, trained context %3 (%4).")
                          .arg(first.modelName.toHtmlEscaped())
                          .arg(tokensFull(qint64(first.tokens.size())), tokensFull(first.trainedContext))
                          .arg(first.trainedContextSource.toHtmlEscaped())};
  for (const auto& run : runs_) {
    const Measurement& m = *run;
    summary
        << tr("<b>%1</b>: mean NLL %2 nats inside the trained context%3; context_cap %4 (%5); sink rate %6.")
               .arg(mitigationName(m.mitigation))
               .arg(m.meanNllInside, 0, 'f', 3)
               .arg(m.positionsBeyond > 0 ? tr(", %1 beyond").arg(m.meanNllBeyond, 0, 'f', 3) : QString())
               .arg(tokensFull(m.contextCap))
               .arg(!m.lossSpike.detected ? tr("no sustained loss spike")
                    : m.contextCap < m.trainedContext
                        ? tr("loss above the control from there on: this setting hurts positions inside the "
                             "trained context too")
                        : tr("loss spike"))
               .arg(m.forward.sinkRate(), 0, 'f', 2);
  }
  for (qsizetype i = 0; i < result.fileNotes.size(); ++i)
    summary.insert(i, result.fileNotes[i].toHtmlEscaped());
  summary_->setText((summary + lines).join(QStringLiteral("<br>")));
  std::vector<const Measurement*> all;
  for (const auto& run : runs_) all.push_back(run.get());
  auto lossData = std::make_shared<const MeasuredLossChartData>(measuredLossChartData(all));
  loss_->setChart(tr("Per-position loss"), Provenance::Measured, measuredLossBuilder(lossData),
                  measuredLossTable(*lossData));
  showAttention();
  markUpdated();
}

void MeasuredTab::showAttention() {
  const std::shared_ptr<const Measurement> shown = data();
  if (!shown) return;
  const Measurement& m = *shown;
  auto heatmapData = std::make_shared<HeatmapChartData>();
  heatmapData->provenance = Provenance::Measured;
  heatmapData->modelName = m.modelName;
  heatmapData->contextTokens = qint64(m.tokens.size());
  heatmapData->trainedContextTokens = m.trainedContext;
  const int layer = scenario().values().layer < 0 ? m.hyper.layers - 1
                                                  : std::min(scenario().values().layer, m.hyper.layers - 1);
  const int head = scenario().values().head;
  heatmapData->layer = layer;
  heatmapData->head = head;
  HeatmapPanel panel;
  panel.mitigation = m.mitigation;
  int count = 0;
  for (const HeadAttentionMetrics& h : m.forward.heads) {
    if (h.layer != layer || (head >= 0 && h.head != head) || h.heatmap.mass.empty()) continue;
    if (panel.heatmap.mass.empty()) {
      panel.heatmap = h.heatmap;
      std::fill(panel.heatmap.mass.begin(), panel.heatmap.mass.end(), 0.0f);
    }
    for (size_t i = 0; i < panel.heatmap.mass.size() && i < h.heatmap.mass.size(); ++i)
      panel.heatmap.mass[i] += h.heatmap.mass[i];
    ++count;
  }
  const QString name = mitigationName(m.mitigation);
  if (count > 0) {
    for (float& v : panel.heatmap.mass) v /= float(count);
    heatmapData->panels.push_back(panel);
    // Short: the chart shares its row with the sink grid, and the badge already says "measured".
    heatmap_->setChart(tr("%1: layer %2, %3")
                           .arg(name)
                           .arg(layer)
                           .arg(head >= 0 ? tr("head %1").arg(head)
                                          : (count == m.hyper.heads ? tr("mean over all %1 query heads")
                                                                    : tr("mean over %1 query heads"))
                                                .arg(count)),
                       Provenance::Measured, heatmapBuilder(heatmapData, HeatmapStyle{}, false),
                       heatmapTable(*heatmapData));
  } else {
    heatmap_->clearChart(tr("No heatmap rows captured for layer %1").arg(layer));
  }
  sinks_->setChart(tr("Sink mass, %1").arg(name), Provenance::Measured, sinkGridBuilder(shown),
                   sinkGridTable(m));
}

QString MeasuredTab::exportCaption() const {
  const auto run = data();
  if (!run) return AnalysisTab::exportCaption();
  const QString text =
      dataTextPath_.isEmpty() ? tr("the bundled sample text") : QFileInfo(dataTextPath_).fileName();
  return tr("%1 · %2 tokens of %3 · trained context %4 · measured on the CPU · SinkScope %5")
      .arg(QFileInfo(run->ggufPath).fileName(), tokensFull(qint64(run->tokens.size())), text,
           tokensFull(run->trainedContext), QString::fromLatin1(kVersion));
}

}  // namespace sinkscope::ui
