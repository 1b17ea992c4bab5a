// The planner's answer for one model on one hardware profile at one context: memory, fit,
// throughput, confidence, context_cap and the per-mitigation rows. Not the UI or the CLI text.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "catalog/Runtime.h"
#include "planner/Confidence.h"
#include "planner/FitAdvice.h"
#include "planner/LaunchFlags.h"
#include "planner/Memory.h"
#include "planner/MitigationModel.h"
#include "planner/Parallelism.h"
#include "planner/ParameterCount.h"
#include "planner/Throughput.h"
#include "positional/Mitigation.h"

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace sinkscope {

struct PlanRequest {
  qint64 contextTokens = 0;  // tokens per sequence, > 0
  std::optional<int> batch;  // default from planner.json (1)
  QString weightsDtype;      // empty: default (bf16); see resources/dtypes.json
  QString kvDtype;           // empty: default (fp16)
  // The setting to plan for; unset: what a person would run (the model as shipped, or the
  // vendor's recipe, inside the vendor-supported range; otherwise the recommendation).
  std::optional<Mitigation> mitigation;
  std::optional<double> mitigationFactor;    // s; default context / trained (at least 1)
  Runtime runtime = Runtime::LlamaCpp;       // decides whether a sliding window is honoured
  std::optional<qint64> prefillChunkTokens;  // default 2048
  std::optional<double> usableMemoryShare;   // default 0.9
  bool qualityMeasured = false;              // a measured run backs the quality figures
  ParallelRequest parallel;                  // several GPUs; default one
};

// One row of the mitigation comparison.
struct MitigationPlan {
  Mitigation mitigation = Mitigation::Baseline;
  double factor = 1.0;     // scaling factor s applied
  bool fineTuned = false;  // the model ships this scaling
  qint64 contextCap = 0;   // 0 = no cap (StreamingLLM)
  QString capBasis;
  qint64 effectiveContext = 0;             // tokens the model can use at the requested context
  std::optional<double> qualityRetention;  // share of in-distribution quality kept (Mitigations model)
  Confidence confidence;
  qint64 kvBytes = 0;           // whole batch at the requested context
  qint64 kvCachedTokens = 0;    // the most tokens any layer holds
  qint64 totalBytes = 0;        // the plan's memory with this row's KV cache
  MitigationEstimate estimate;  // the calibrated model behind effective context and quality
  LaunchFlags launchFlags;
};

// What SinkScope recommends for the scenario, with reasons, and the runner-up.
struct Recommendation {
  std::optional<Mitigation> best;
  VerdictKind bestVerdict = VerdictKind::Unknown;
  std::optional<Mitigation> runnerUp;
  QStringList reasons;
  QStringList runnerUpReasons;
  QString fineTunedAlternative;  // what fine-tuning would buy, when it would buy much more
};

// One row of the source document's worked example beside SinkScope's estimate.
struct DocumentComparison {
  QString text;  // the document's row
  QString mitigation;
  qint64 documentEffective = 0;
  double documentQuality = 0;
  qint64 effective = 0;        // SinkScope, central
  qint64 effectiveStrict = 0;  // SinkScope, RULER-style
  double quality = 0;
  QString sinkscopeVerdict;  // SinkScope's verdict at the document's context
  QString verdict;           // agree / differ, and why
};

struct Plan {
  QString modelId;
  QString hardwareId;
  qint64 contextTokens = 0;
  qint64 trainedContextTokens = 0;
  AttentionKind attentionKind = AttentionKind::Mha;
  int batch = 1;
  QString weightsDtype;
  QString kvDtype;
  Mitigation mitigation = Mitigation::Baseline;  // the setting the plan is made for
  QString mitigationChoice;  // why that setting: asked for, as shipped, the vendor's recipe, recommended
  Runtime runtime = Runtime::LlamaCpp;
  double mitigationFactor = 1.0;
  qint64 prefillChunkTokens = 0;
  double usableMemoryShare = 0.9;

  ParameterCount parameters;
  qint64 totalParameters = 0;
  qint64 activeParameters = 0;
  ParallelLayout parallel;    // GPUs, nodes, tensor- and pipeline-parallel sizes
  int kvHeadsPerGpu = 0;      // vLLM: max(1, H_kv / tp); MLA: the one latent
  int kvReplicasPerHead = 1;  // GPUs of a stage holding each cached head (MLA: tp)
  std::vector<int> layersPerStage;
  MemoryBreakdown memory;         // one GPU: the fullest (the whole deployment on one GPU)
  MemoryBreakdown memoryAllGpus;  // every GPU together
  bool fits = false;              // every GPU fits
  FitLimit fit;
  ThroughputEstimate throughput;  // meaningful only when the plan fits
  FitAdvice fitAdvice;            // when it does not fit: what would

  Confidence confidence;
  qint64 contextCap = 0;
  qint64 effectiveContext = 0;
  std::optional<double> qualityRetention;
  std::vector<MitigationPlan> mitigations;
  Recommendation recommendation;
  std::vector<DocumentComparison> sourceDocument;  // rows matching this model and context
  QStringList notes;  // plain statements: sliding windows stop KV growth, defaults used, ...
};

// Throws Error(BadInput) naming the field (context, batch, weights_dtype, kv_dtype, mitigation, ...)
// when a request value is impossible.
Plan makePlan(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request);

// The memory of every GPU of the request's deployment (one per pipeline stage).
DeploymentMemory deploymentMemoryFor(const ModelSpec& model, const HardwareSpec& hardware,
                                     const PlanRequest& request, Mitigation mitigation);
// The request's layout; Error(BadInput) naming the field (gpus, nodes, tensor_parallel_size, ...).
ParallelLayout parallelLayoutFor(const ModelSpec& model, const PlanRequest& request);
// The memory model of the fullest GPU at the requested context (for curves): same settings as makePlan.
MemoryModel memoryModelFor(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request,
                           Mitigation mitigation);
// 1,000-point-class curve for charts: breakdown at each context.
std::vector<MemoryPoint> memoryCurveFor(const ModelSpec& model, const HardwareSpec& hardware,
                                        const PlanRequest& request, const std::vector<qint64>& contexts);

}  // namespace sinkscope
