// Roofline throughput of prefill and decode: bytes moved per step against memory bandwidth and
// FLOPs against peak compute, each scaled by a documented efficiency. Not measured speeds.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "planner/Memory.h"
#include "planner/Parallelism.h"
#include "planner/PlannerResources.h"

#include <QStringList>

namespace sinkscope {

enum class Bound { Memory, Compute, Communication, Unknown };
QString boundName(Bound bound);  // "memory", "compute", "communication", "unknown"

struct ThroughputEstimate {
  double prefillTokensPerSecond = 0;  // all sequences of the batch together
  double decodeTokensPerSecond = 0;   // all sequences of the batch together
  Bound prefillBound = Bound::Unknown;
  Bound decodeBound = Bound::Unknown;
  double decodeBytesPerStep = 0;  // weights read + KV actually read, one step of the batch
  double decodeFlopsPerStep = 0;
  double prefillFlops = 0;  // whole prompt, whole batch, incl. the quadratic attention term
  double prefillBytes = 0;
  QString computeDtype;         // the peak-FLOP/s key used
  QStringList missingHardware;  // figures that were absent (bandwidth, peak FLOP/s for a dtype)
  // Several GPUs: the part of a step spent moving hidden states between GPUs (tensor-parallel
  // all-reduces and pipeline sends), and the links used; 0 and empty on one GPU.
  double decodeCommunicationSeconds = 0;   // one decode step of the batch
  double prefillCommunicationSeconds = 0;  // the whole prompt of the batch
  QString tensorParallelLink;
  QString pipelineLink;
};

struct ThroughputSettings {
  double bandwidthEfficiency = 0.75;
  double computeEfficiency = 0.6;
};

// Expected distinct routed experts touched per MoE layer when `tokens` tokens each pick k of E.
double expectedDistinctExperts(int experts, int expertsPerToken, double tokens);
// Causal query-key pairs of a prompt of n tokens when each query sees at most `window` keys (0: all).
double causalPairs(qint64 tokens, qint64 window);

ThroughputEstimate estimateThroughput(const ModelSpec& model, const HardwareSpec& hardware,
                                      const MemoryModel& memory, qint64 contextTokens,
                                      const ThroughputSettings& settings);

// Bytes one GPU sends and receives in a ring all-reduce of `bytes` over n GPUs: 2 (n - 1) / n x bytes.
double ringAllReduceBytesPerGpu(double bytes, int gpus);
// The roofline of a deployment over several GPUs: each stage's GPU as above, the stages one after
// another (no overlap between pipeline stages: exact for one sequence, a lower bound with many), plus
// Megatron-LM's all-reduces per layer for tensor parallelism and one send of the hidden states per
// stage boundary, over the hardware profile's links. One GPU: the same as estimateThroughput.
ThroughputEstimate estimateDeploymentThroughput(const ModelSpec& model, const HardwareSpec& hardware,
                                                const DeploymentMemory& deployment, qint64 contextTokens,
                                                const ThroughputSettings& settings,
                                                const ParallelAssumptions& parallel);

}  // namespace sinkscope
