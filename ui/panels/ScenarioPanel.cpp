#include "panels/ScenarioPanel.h"

#include "attention/ModelledAttention.h"
#include "panels/ContextControl.h"
#include "scenario/Explanations.h"
#include "scenario/Scenario.h"

#include <QComboBox>
#include <QFormLayout>
#include <QListWidget>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sinkscope::ui {

namespace {
constexpr int kMitigationRole = Qt::UserRole;
}

ScenarioPanel::ScenarioPanel(Scenario& scenario, QWidget* parent) : QWidget(parent), scenario_(scenario) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(6, 6, 6, 6);
  auto* form = new QFormLayout;
  outer->addLayout(form);
  outer->addStretch(1);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  context_ = new ContextControl(this);
  batch_ = new QSpinBox(this);
  batch_->setRange(1, 4096);

  batch_->setKeyboardTracking(false);
  batch_->setAccessibleName(tr("Batch size"));
  batch_->setToolTip(tr("Sequences served at once; each keeps its own KV cache of the full context."));
  gpus_ = new QSpinBox(this);
  gpus_->setRange(1, kMaxGpusPerNode);
  gpus_->setKeyboardTracking(false);
  gpus_->setAccessibleName(tr("GPUs per node"));
  gpus_->setToolTip(
      tr("GPUs in each node. The plan splits every layer over them (tensor parallelism, as vLLM "
         "--tensor-parallel-size) and shows memory per GPU."));
  nodes_ = new QSpinBox(this);
  nodes_->setRange(1, kMaxNodes);
  nodes_->setKeyboardTracking(false);
  nodes_->setAccessibleName(tr("Nodes"));
  nodes_->setToolTip(
      tr("Machines of that many GPUs each. The plan splits the layers over them (pipeline "
         "parallelism, as vLLM --pipeline-parallel-size)."));
  weightsDtype_ = new QComboBox(this);
  weightsDtype_->addItems(weightDtypeNames());
  weightsDtype_->setAccessibleName(tr("Weights data type"));
  weightsDtype_->setToolTip(tr("How the weights are stored. ") + dtypeExplanation());
  kvDtype_ = new QComboBox(this);
  kvDtype_->addItems(kvDtypeNames());
  kvDtype_->setAccessibleName(tr("KV cache data type"));
  kvDtype_->setToolTip(tr("How keys and values are cached; the KV cache grows linearly with context. ") +
                       dtypeExplanation());
  runtime_ = new QComboBox(this);
  runtime_->addItems(runtimeNames());
  runtime_->setAccessibleName(tr("Inference engine"));
  runtime_->setToolTip(
      tr("The engine decides whether a sliding window is honoured: vLLM and transformers apply "
         "Mistral-v0.1's 4096-token window, llama.cpp runs it with full attention. The plan, "
         "verdicts and heatmaps follow it."));
  mitigations_ = new QListWidget(this);
  mitigations_->setAccessibleName(tr("Mitigations to compare"));
  mitigations_->setToolTip(
      tr("Tick the long-context mitigations to compare on the sink curve, planner and "
         "mitigation table. Hover an entry for what it does."));
  mitigations_->setMinimumHeight(190);
  mitigations_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  layer_ = new QSpinBox(this);
  layer_->setAccessibleName(tr("Layer shown in heatmaps"));
  layer_->setToolTip(tr("The transformer layer whose attention the heatmaps show (0 = first)."));
  layer_->setSpecialValueText(tr("last layer"));
  head_ = new QSpinBox(this);
  head_->setAccessibleName(tr("Head shown in heatmaps"));
  // One meaning of "mean over heads" everywhere (docs/modelled-attention.md, Mean over heads).
  head_->setToolTip(tr("The query head the heatmaps and sink curves show, or the mean over %1 query heads "
                       "spread evenly over the layer, as `sinkscope probe` averages without --head "
                       "(the Measured tab averages every head of the layer).")
                        .arg(kProbeAveragedHeads));
  head_->setSpecialValueText(tr("mean over %1 query heads").arg(kProbeAveragedHeads));
  form->addRow(tr("Context"), context_);
  form->addRow(tr("Batch (sequences)"), batch_);
  form->addRow(tr("GPUs per node"), gpus_);
  form->addRow(tr("Nodes"), nodes_);
  form->addRow(tr("Weights"), weightsDtype_);
  form->addRow(tr("KV cache"), kvDtype_);
  form->addRow(tr("Runtime"), runtime_);
  form->addRow(tr("Mitigations"), mitigations_);
  form->addRow(tr("Layer"), layer_);
  form->addRow(tr("Head"), head_);

  connect(context_, &ContextControl::tokensChanged, &scenario_, &Scenario::setContextTokens);
  connect(batch_, &QSpinBox::valueChanged, &scenario_, &Scenario::setBatch);
  auto writeGpus = [this] {
    if (!mirroring_) scenario_.setGpus(gpus_->value(), nodes_->value());
  };
  connect(gpus_, &QSpinBox::valueChanged, this, writeGpus);
  connect(nodes_, &QSpinBox::valueChanged, this, writeGpus);
  connect(weightsDtype_, &QComboBox::currentTextChanged, this, [this](const QString& dtype) {
    if (!mirroring_) scenario_.setWeightsDtype(dtype);
  });
  connect(kvDtype_, &QComboBox::currentTextChanged, this, [this](const QString& dtype) {
    if (!mirroring_) scenario_.setKvDtype(dtype);
  });
  connect(runtime_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
    if (const auto runtime = runtimeFromName(name); runtime && !mirroring_) scenario_.setRuntime(*runtime);
  });
  connect(mitigations_, &QListWidget::itemChanged, this, [this] {
    if (!mirroring_) writeMitigations();
  });
  auto writeLayerHead = [this] {
    if (!mirroring_) scenario_.setLayerHead(layer_->value(), head_->value());
  };
  connect(layer_, &QSpinBox::valueChanged, this, writeLayerHead);
  connect(head_, &QSpinBox::valueChanged, this, writeLayerHead);
  connect(&scenario_, &Scenario::modelChanged, this, &ScenarioPanel::rebuildForModel);
  connect(&scenario_, &Scenario::changed, this, &ScenarioPanel::mirror);
  rebuildForModel();
}

void ScenarioPanel::rebuildForModel() {
  mirroring_ = true;
  const ModelSpec& model = scenario_.model();
  mitigations_->clear();
  for (Mitigation mitigation : mitigationsFor(model.usesRope)) {
    auto* item = new QListWidgetItem(mitigationTitle(mitigation), mitigations_);
    item->setData(kMitigationRole, int(mitigation));
    item->setToolTip(mitigationExplanation(mitigation));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    item->setCheckState(Qt::Unchecked);
  }
  layer_->setRange(-1, std::max(0, model.layers - 1));
  head_->setRange(-1, std::max(0, model.heads - 1));
  context_->setTrainedContext(model.trainedContext);
  mirroring_ = false;
  mirror();
}

void ScenarioPanel::mirror() {
  mirroring_ = true;
  const ScenarioValues& v = scenario_.values();
  context_->setTokens(v.contextTokens);
  batch_->setValue(v.batch);
  gpus_->setValue(v.gpusPerNode);
  nodes_->setValue(v.nodes);
  weightsDtype_->setCurrentText(v.weightsDtype);
  kvDtype_->setCurrentText(v.kvDtype);
  runtime_->setCurrentText(runtimeName(v.runtime));
  for (int i = 0; i < mitigations_->count(); ++i) {
    QListWidgetItem* item = mitigations_->item(i);
    const auto mitigation = Mitigation(item->data(kMitigationRole).toInt());
    const bool checked =
        std::find(v.mitigations.begin(), v.mitigations.end(), mitigation) != v.mitigations.end();
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
  }
  layer_->setValue(v.layer);
  head_->setValue(v.head);
  mirroring_ = false;
}

void ScenarioPanel::writeMitigations() {
  std::vector<Mitigation> chosen;
  for (int i = 0; i < mitigations_->count(); ++i)
    if (mitigations_->item(i)->checkState() == Qt::Checked)
      chosen.push_back(Mitigation(mitigations_->item(i)->data(kMitigationRole).toInt()));
  scenario_.setMitigations(chosen);
}

}  // namespace sinkscope::ui
