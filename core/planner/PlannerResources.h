// The planner's outside numbers (resources/dtypes.json and resources/planner.json), loaded once:
// bits per weight/KV element, defaults, efficiency factors, overhead, confidence deductions. Not the maths.
#pragma once

#include <QString>
#include <QStringList>
#include <map>

#include <optional>
#include <vector>
#include "positional/Mitigation.h"

namespace sinkscope {

struct WeightDtype {
  QString name;                     // canonical, e.g. "q4_k_m"
  QStringList aliases;              // other accepted spellings
  double bitsPerWeight = 0;         // average stored bits per parameter, scales included
  QString computeDtype;             // peak-FLOP/s key used for matmuls ("bf16", "fp8", "fp16", ...)
  bool quantizesEmbeddings = true;  // false: embeddings and output head stay 16-bit (GPTQ/AWQ)
  QString source;
};

struct KvDtype {
  QString name;  // canonical, e.g. "fp8"
  QStringList aliases;
  double bitsPerElement = 0;  // stored bits per cached K or V element
  QString source;
};

struct PlannerDefaults {
  QString weightsDtype;  // e.g. "bf16"
  QString kvDtype;       // e.g. "fp16"
  int batch = 1;
  double usableMemoryShare = 0.9;  // share of device memory the engine may use
  qint64 prefillChunkTokens = 2048;
  double activationBytesPerElement = 2;
  double logitsBytesPerElement = 4;
  int streamingSinkTokens = 4;
  double streamingCacheVsTrained = 1.0;  // cache tokens = trained context x this
};

struct ConfidenceWeights {
  double beyondTrainedCap = 0.8;
  double estimatedQuality = 0.1;
  double defaultedField = 0.05;
  double defaultedFieldsMax = 0.15;
  double missingHardware = 0.1;
  double memoryMargin = 0.1;
  double memoryMarginShare = 0.05;
  double lowBitQuantization = 0.1;
  double beyondCapPerDoubling = 0.15;
  double beyondCapMax = 0.5;
  double floor = 0.05;
  double anchorDistancePerDoubling = 0.05;
  double anchorDistanceMax = 0.3;
  double notApplicable = 0.6;
  double borrowedSeries = 0.1;        // the quality series is a family member's
  double extrapolatedCeiling = 0.75;  // an estimate past every published point for its setting
  // Ranges that keep the verdicts in order: works >= worksFloor > degradedCeiling >= degraded
  // >= degradedFloor > collapsesCeiling >= collapses.
  double worksFloor = 0.5;
  double degradedCeiling = 0.45;
  double degradedFloor = 0.25;
  double collapsesCeiling = 0.2;
};

// Quality retention thresholds of the verdict at the requested context.
struct VerdictThresholds {
  double worksQuality = 0.8;     // at or above: works
  double collapseQuality = 0.1;  // below: collapses; between: degraded
};

// Several GPUs (docs/planner.md "Several GPUs").
struct ParallelAssumptions {
  int gpusPerNode = 8;               // the node size a "more GPUs" suggestion assumes
  int largestDeploymentGpus = 1024;  // the most GPUs a suggestion searches
  int allReducesPerLayer = 2;        // Megatron-LM tensor parallelism, forward pass
  double commBytesPerElement = 2;    // hidden states moved between GPUs
  QStringList fitAdviceKvDtypes;     // lower KV dtypes a "what would fit" tries, largest first
};

struct PlannerResources {
  std::vector<WeightDtype> weightDtypes;
  std::vector<KvDtype> kvDtypes;
  PlannerDefaults defaults;
  qint64 gpuOverheadBytes = 0;  // fixed runtime overhead on an accelerator
  qint64 cpuOverheadBytes = 0;  // fixed runtime overhead on a CPU host
  double bandwidthEfficiency = 0.75;
  double computeEfficiency = 0.6;
  ConfidenceWeights confidence;
  VerdictThresholds verdict;
  ParallelAssumptions parallel;
  // Untuned extension each mitigation is known to hold, as a multiple of the trained context
  // (0 = no cap on the stream length, StreamingLLM), with its source.
  std::map<Mitigation, double> contextExtension;
  std::map<Mitigation, QString> contextExtensionSource;

  // Case-insensitive lookup by canonical name or alias; nullptr when unknown.
  const WeightDtype* findWeightDtype(const QString& name) const;
  const KvDtype* findKvDtype(const QString& name) const;
  QStringList weightDtypeNames() const;
  QStringList kvDtypeNames() const;
};

// The resources compiled into the binary (":/dtypes.json", ":/planner.json"), loaded once.
const PlannerResources& plannerResources();
// Loads from explicit paths (tests); throws Error(BadInput) naming the file and field.
PlannerResources loadPlannerResources(const QString& dtypesPath, const QString& plannerPath);

}  // namespace sinkscope
