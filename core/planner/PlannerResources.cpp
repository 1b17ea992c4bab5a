#include "planner/PlannerResources.h"

#include "common/Error.h"
#include "common/JsonRead.h"

#include <QJsonArray>

namespace sinkscope {

namespace {

QStringList readAliases(const JsonReader& entry) {
  QStringList aliases;
  if (!entry.has(QStringLiteral("aliases"))) return aliases;
  for (const QJsonValue& value : entry.requireArray(QStringLiteral("aliases"))) {
    if (!value.isString()) entry.fail(QStringLiteral("aliases"), QStringLiteral("expected strings"));
    aliases << value.toString().toLower();
  }
  return aliases;
}

std::vector<WeightDtype> readWeightDtypes(const JsonReader& root) {
  std::vector<WeightDtype> dtypes;
  const QJsonArray entries = root.requireArray(QStringLiteral("weights"));
  for (int index = 0; index < entries.size(); ++index) {
    const JsonReader entry(entries.at(index).toObject(), root.source(),
                           QStringLiteral("weights[%1]").arg(index));
    WeightDtype dtype;
    dtype.name = entry.requireString(QStringLiteral("name")).toLower();
    dtype.aliases = readAliases(entry);
    dtype.bitsPerWeight = entry.requireDouble(QStringLiteral("bits_per_weight"), 1.0, 64.0);
    dtype.computeDtype = entry.requireString(QStringLiteral("compute_dtype"));
    dtype.quantizesEmbeddings = entry.optionalBool(QStringLiteral("quantizes_embeddings")).value_or(true);
    dtype.source = entry.requireString(QStringLiteral("source"));
    dtypes.push_back(dtype);
  }
  return dtypes;
}

std::vector<KvDtype> readKvDtypes(const JsonReader& root) {
  std::vector<KvDtype> dtypes;
  const QJsonArray entries = root.requireArray(QStringLiteral("kv"));
  for (int index = 0; index < entries.size(); ++index) {
    const JsonReader entry(entries.at(index).toObject(), root.source(), QStringLiteral("kv[%1]").arg(index));
    KvDtype dtype;
    dtype.name = entry.requireString(QStringLiteral("name")).toLower();
    dtype.aliases = readAliases(entry);
    dtype.bitsPerElement = entry.requireDouble(QStringLiteral("bits_per_element"), 1.0, 64.0);
    dtype.source = entry.requireString(QStringLiteral("source"));
    dtypes.push_back(dtype);
  }
  return dtypes;
}

// Every tunable in planner.json is {"value": ..., "source": "..."}; the source is required.
double sourcedDouble(const JsonReader& block, const QString& key, double minimum, double maximum) {
  const JsonReader entry = block.requireObject(key);
  entry.requireString(QStringLiteral("source"));
  return entry.requireDouble(QStringLiteral("value"), minimum, maximum);
}

QString sourcedString(const JsonReader& block, const QString& key) {
  const JsonReader entry = block.requireObject(key);
  entry.requireString(QStringLiteral("source"));
  return entry.requireString(QStringLiteral("value"));
}

void readPlanner(const JsonReader& root, PlannerResources& resources) {
  const JsonReader defaults = root.requireObject(QStringLiteral("defaults"));
  PlannerDefaults& d = resources.defaults;
  d.weightsDtype = sourcedString(defaults, QStringLiteral("weights_dtype"));
  d.kvDtype = sourcedString(defaults, QStringLiteral("kv_dtype"));
  d.batch = static_cast<int>(sourcedDouble(defaults, QStringLiteral("batch"), 1, 1e6));
  d.usableMemoryShare = sourcedDouble(defaults, QStringLiteral("usable_memory_share"), 0.01, 1.0);
  d.prefillChunkTokens =
      static_cast<qint64>(sourcedDouble(defaults, QStringLiteral("prefill_chunk_tokens"), 1, 1e7));
  d.activationBytesPerElement = sourcedDouble(defaults, QStringLiteral("activation_bytes_per_element"), 1, 8);
  d.logitsBytesPerElement = sourcedDouble(defaults, QStringLiteral("logits_bytes_per_element"), 1, 8);
  d.streamingSinkTokens =
      static_cast<int>(sourcedDouble(defaults, QStringLiteral("streaming_sink_tokens"), 0, 1024));
  d.streamingCacheVsTrained =
      sourcedDouble(defaults, QStringLiteral("streaming_cache_tokens_vs_trained"), 0.01, 1.0);

  const JsonReader overhead = root.requireObject(QStringLiteral("overhead"));
  resources.gpuOverheadBytes =
      static_cast<qint64>(sourcedDouble(overhead, QStringLiteral("fixed_bytes"), 0, 1e12));
  resources.cpuOverheadBytes =
      static_cast<qint64>(sourcedDouble(overhead, QStringLiteral("cpu_fixed_bytes"), 0, 1e12));

  const JsonReader efficiency = root.requireObject(QStringLiteral("efficiency"));
  resources.bandwidthEfficiency = sourcedDouble(efficiency, QStringLiteral("bandwidth"), 0.01, 1.0);
  resources.computeEfficiency = sourcedDouble(efficiency, QStringLiteral("compute"), 0.01, 1.0);

  const JsonReader c = root.requireObject(QStringLiteral("confidence"));
  ConfidenceWeights& w = resources.confidence;
  w.beyondTrainedCap = sourcedDouble(c, QStringLiteral("beyond_trained_cap"), 0, 0.8);
  w.estimatedQuality = sourcedDouble(c, QStringLiteral("estimated_quality"), 0, 1);
  w.defaultedField = sourcedDouble(c, QStringLiteral("defaulted_field"), 0, 1);
  w.defaultedFieldsMax = sourcedDouble(c, QStringLiteral("defaulted_fields_max"), 0, 1);
  w.missingHardware = sourcedDouble(c, QStringLiteral("missing_hardware"), 0, 1);
  w.memoryMargin = sourcedDouble(c, QStringLiteral("memory_margin"), 0, 1);
  w.memoryMarginShare = sourcedDouble(c, QStringLiteral("memory_margin_share"), 0, 1);
  w.lowBitQuantization = sourcedDouble(c, QStringLiteral("low_bit_quantization"), 0, 1);
  w.beyondCapPerDoubling = sourcedDouble(c, QStringLiteral("beyond_cap_per_doubling"), 0, 1);
  w.beyondCapMax = sourcedDouble(c, QStringLiteral("beyond_cap_max"), 0, 1);
  w.floor = sourcedDouble(c, QStringLiteral("floor"), 0, 0.5);
  w.anchorDistancePerDoubling = sourcedDouble(c, QStringLiteral("anchor_distance_per_doubling"), 0, 1);
  w.anchorDistanceMax = sourcedDouble(c, QStringLiteral("anchor_distance_max"), 0, 1);
  w.notApplicable = sourcedDouble(c, QStringLiteral("not_applicable"), 0, 1);
  w.borrowedSeries = sourcedDouble(c, QStringLiteral("borrowed_series"), 0, 1);
  w.extrapolatedCeiling = sourcedDouble(c, QStringLiteral("extrapolated_ceiling"), 0, 1);
  w.worksFloor = sourcedDouble(c, QStringLiteral("works_floor"), 0, w.extrapolatedCeiling);
  w.degradedCeiling = sourcedDouble(c, QStringLiteral("degraded_ceiling"), 0, w.worksFloor);
  w.degradedFloor = sourcedDouble(c, QStringLiteral("degraded_floor"), 0, w.degradedCeiling);
  w.collapsesCeiling = sourcedDouble(c, QStringLiteral("collapses_ceiling"), w.floor, w.degradedFloor);

  const JsonReader verdict = root.requireObject(QStringLiteral("verdict"));
  resources.verdict.worksQuality = sourcedDouble(verdict, QStringLiteral("works_quality"), 0, 1);
  resources.verdict.collapseQuality =
      sourcedDouble(verdict, QStringLiteral("collapse_quality"), 0, resources.verdict.worksQuality);

  const JsonReader parallel = root.requireObject(QStringLiteral("parallel"));
  ParallelAssumptions& p = resources.parallel;
  p.gpusPerNode = static_cast<int>(sourcedDouble(parallel, QStringLiteral("gpus_per_node"), 1, 64));
  p.largestDeploymentGpus =
      static_cast<int>(sourcedDouble(parallel, QStringLiteral("largest_deployment_gpus"), 1, 65536));
  p.allReducesPerLayer =
      static_cast<int>(sourcedDouble(parallel, QStringLiteral("all_reduces_per_layer"), 0, 8));
  p.commBytesPerElement = sourcedDouble(parallel, QStringLiteral("activation_bytes_per_element"), 1, 8);
  p.fitAdviceKvDtypes = sourcedString(parallel, QStringLiteral("fit_advice_kv_dtypes"))
                            .split(QLatin1Char(','), Qt::SkipEmptyParts);

  const JsonReader extension = root.requireObject(QStringLiteral("context_extension"));
  for (Mitigation mitigation : comparedMitigations()) {
    const QString name = mitigationName(mitigation);
    resources.contextExtension[mitigation] = sourcedDouble(extension, name, 0, 1024);
    resources.contextExtensionSource[mitigation] =
        extension.requireObject(name).requireString(QStringLiteral("source"));
  }
}

}  // namespace

const WeightDtype* PlannerResources::findWeightDtype(const QString& name) const {
  const QString wanted = name.trimmed().toLower();
  for (const WeightDtype& dtype : weightDtypes)
    if (dtype.name == wanted || dtype.aliases.contains(wanted)) return &dtype;
  return nullptr;
}

const KvDtype* PlannerResources::findKvDtype(const QString& name) const {
  const QString wanted = name.trimmed().toLower();
  for (const KvDtype& dtype : kvDtypes)
    if (dtype.name == wanted || dtype.aliases.contains(wanted)) return &dtype;
  return nullptr;
}

QStringList PlannerResources::weightDtypeNames() const {
  QStringList names;
  for (const WeightDtype& dtype : weightDtypes) names << dtype.name;
  return names;
}

QStringList PlannerResources::kvDtypeNames() const {
  QStringList names;
  for (const KvDtype& dtype : kvDtypes) names << dtype.name;
  return names;
}

PlannerResources loadPlannerResources(const QString& dtypesPath, const QString& plannerPath) {
  PlannerResources resources;
  const JsonReader dtypes(readJsonObjectFile(dtypesPath), dtypesPath);
  resources.weightDtypes = readWeightDtypes(dtypes);
  resources.kvDtypes = readKvDtypes(dtypes);
  readPlanner(JsonReader(readJsonObjectFile(plannerPath), plannerPath), resources);
  if (!resources.findWeightDtype(resources.defaults.weightsDtype))
    throwBadInput(plannerPath, QStringLiteral("defaults.weights_dtype"),
                  QStringLiteral("not in dtypes.json"));
  if (!resources.findKvDtype(resources.defaults.kvDtype))
    throwBadInput(plannerPath, QStringLiteral("defaults.kv_dtype"), QStringLiteral("not in dtypes.json"));
  for (const QString& name : resources.parallel.fitAdviceKvDtypes)
    if (!resources.findKvDtype(name))
      throwBadInput(plannerPath, QStringLiteral("parallel.fit_advice_kv_dtypes"),
                    QStringLiteral("'%1' is not in dtypes.json").arg(name));
  return resources;
}

const PlannerResources& plannerResources() {
  static const PlannerResources resources =
      loadPlannerResources(QStringLiteral(":/dtypes.json"), QStringLiteral(":/planner.json"));
  return resources;
}

}  // namespace sinkscope
