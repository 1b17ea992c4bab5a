#include "scenario/Scenario.h"

#include "planner/PlannerResources.h"
#include "scenario/ScenarioFile.h"
#include "scenario/SpecLibrary.h"

#include <QJsonDocument>

#include <QVariant>
#include <algorithm>

namespace sinkscope::ui {

namespace {

template <typename Entries>
QString pickDefault(const Entries& entries, std::initializer_list<const char*> wanted) {
  for (const char* fragment : wanted)
    for (const auto& entry : entries)
      if (!entry.imported && entry.key.contains(QLatin1String(fragment), Qt::CaseInsensitive))
        return entry.key;
  return entries.empty() ? QString() : entries.front().key;
}

}  // namespace

QStringList weightDtypeNames() {
  return plannerResources().weightDtypeNames();
}

QStringList kvDtypeNames() {
  return plannerResources().kvDtypeNames();
}

Mitigation ScenarioValues::primaryMitigation() const {
  const auto has = [this](Mitigation m) {
    return std::find(mitigations.begin(), mitigations.end(), m) != mitigations.end();
  };
  if (has(compareRight)) return compareRight;
  for (auto it = mitigations.rbegin(); it != mitigations.rend(); ++it)
    if (*it != Mitigation::Baseline) return *it;
  return mitigations.empty() ? Mitigation::Baseline : mitigations.front();
}

Scenario::Scenario(const SpecLibrary& library, QObject* parent)
    : QObject(parent), library_(library), values_(defaults(library)) {}

const ModelSpec& Scenario::model() const {
  static const ModelSpec empty;
  const auto spec = library_.model(values_.modelId);
  return spec ? *spec : empty;
}

const HardwareSpec& Scenario::hardware() const {
  static const HardwareSpec empty;
  const auto spec = library_.hardware(values_.hardwareId);
  return spec ? *spec : empty;
}

ScenarioValues Scenario::defaults(const SpecLibrary& library) {
  ScenarioValues values;
  values.modelId = pickDefault(library.models(), {"mistral-7b-v0.1", "mistral-7b", "mistral"});
  values.hardwareId = pickDefault(library.hardware(), {"h100-sxm-80", "h100-sxm", "h100"});
  values.weightsDtype = plannerResources().defaults.weightsDtype;
  values.kvDtype = plannerResources().defaults.kvDtype;
  return values;
}

ScenarioValues Scenario::sanitized(ScenarioValues v) const {
  const ScenarioValues fallback = defaults(library_);
  if (!library_.model(v.modelId)) v.modelId = fallback.modelId;
  if (!library_.hardware(v.hardwareId)) v.hardwareId = fallback.hardwareId;
  v.contextTokens = std::clamp(v.contextTokens, kMinContextTokens, kMaxContextTokens);
  v.batch = std::clamp(v.batch, 1, 4096);
  v.gpusPerNode = std::clamp(v.gpusPerNode, 1, kMaxGpusPerNode);
  v.nodes = std::clamp(v.nodes, 1, kMaxNodes);
  if (!weightDtypeNames().contains(v.weightsDtype)) v.weightsDtype = fallback.weightsDtype;
  if (!kvDtypeNames().contains(v.kvDtype)) v.kvDtype = fallback.kvDtype;
  const auto spec = library_.model(v.modelId);
  const std::vector<Mitigation> applicable = mitigationsFor(spec ? spec->usesRope : true);
  std::erase_if(v.mitigations, [&](Mitigation m) {
    return std::find(applicable.begin(), applicable.end(), m) == applicable.end();
  });
  if (v.mitigations.empty())
    v.mitigations = {Mitigation::Baseline, spec && !spec->usesRope ? Mitigation::Streaming : Mitigation::Ntk};
  const int layers = spec ? spec->layers : 0;
  const int heads = spec ? spec->heads : 0;
  if (v.layer >= layers) v.layer = -1;
  if (v.layer < -1) v.layer = -1;
  if (v.head >= heads || v.head < -1) v.head = -1;
  return v;
}

void Scenario::apply(ScenarioValues next) {
  next = sanitized(std::move(next));
  if (next == values_) return;
  const bool modelDiffers = next.modelId != values_.modelId;
  const bool hardwareDiffers = next.hardwareId != values_.hardwareId;
  values_ = std::move(next);
  if (modelDiffers) emit modelChanged();
  if (hardwareDiffers) emit hardwareChanged();
  emit changed();
}

void Scenario::setValues(const ScenarioValues& values) {
  apply(values);
}

void Scenario::setModelId(const QString& id) {
  ScenarioValues next = values_;
  if (next.modelId != id) next.layer = -1, next.head = -1;
  next.modelId = id;
  apply(next);
}

void Scenario::setHardwareId(const QString& id) {
  ScenarioValues next = values_;
  next.hardwareId = id;
  apply(next);
}

void Scenario::setContextTokens(qint64 tokens) {
  ScenarioValues next = values_;
  next.contextTokens = tokens;
  apply(next);
}

void Scenario::setBatch(int batch) {
  ScenarioValues next = values_;
  next.batch = batch;
  apply(next);
}

void Scenario::setGpus(int gpusPerNode, int nodes) {
  ScenarioValues next = values_;
  next.gpusPerNode = gpusPerNode;
  next.nodes = nodes;
  apply(next);
}

void Scenario::setWeightsDtype(const QString& dtype) {
  ScenarioValues next = values_;
  next.weightsDtype = dtype;
  apply(next);
}

void Scenario::setKvDtype(const QString& dtype) {
  ScenarioValues next = values_;
  next.kvDtype = dtype;
  apply(next);
}

void Scenario::setRuntime(Runtime runtime) {
  ScenarioValues next = values_;
  next.runtime = runtime;
  apply(next);
}

void Scenario::setMitigations(const std::vector<Mitigation>& mitigations) {
  ScenarioValues next = values_;
  next.mitigations = mitigations;
  apply(next);
}

void Scenario::setComparePair(Mitigation left, Mitigation right) {
  ScenarioValues next = values_;
  next.compareLeft = left;
  next.compareRight = right;
  apply(next);
}

void Scenario::setLayerHead(int layer, int head) {
  ScenarioValues next = values_;
  next.layer = layer;
  next.head = head;
  apply(next);
}

void Scenario::save(QSettings& settings) const {
  settings.setValue(QStringLiteral("scenario/json"),
                    QJsonDocument(scenarioFields(values_)).toJson(QJsonDocument::Compact));
}

void Scenario::restore(QSettings& settings) {
  const QJsonObject fields =
      QJsonDocument::fromJson(settings.value(QStringLiteral("scenario/json")).toByteArray()).object();
  apply(scenarioFromFields(fields, defaults(library_)));
}

}  // namespace sinkscope::ui
