// Roofline throughput of prefill and decode: bytes moved per step against memory bandwidth and
// FLOPs against peak compute, each scaled by a documented efficiency. Not measured speeds.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "planner/Memory.h"

#include <QStringList>

namespace sinkscope {

enum class Bound { Memory, Compute, Unknown };
QString boundName(Bound bound);  // "memory", "compute", "unknown"

struct ThroughputEstimate {
  double prefillTokensPerSecond = 0;  // all sequences of the batch together
  double decodeTokensPerSecond = 0;   // all sequences of the batch together
  Bound prefillBound = Bound::Unknown;
  Bound decodeBound = Bound::Unknown;
  double decodeBytesPerStep = 0;   // weights read + KV actually read, one step of the batch
  double decodeFlopsPerStep = 0;
  double prefillFlops = 0;         // whole prompt, whole batch, incl. the quadratic attention term
  double prefillBytes = 0;
  QString computeDtype;            // the peak-FLOP/s key used
  QStringList missingHardware;     // figures that were absent (bandwidth, peak FLOP/s for a dtype)
};

struct ThroughputSettings {
  double bandwidthEfficiency = 0.75;
  double computeEfficiency = 0.6;
};

// Expected distinct routed experts touched per MoE layer when `tokens` tokens each pick k of E.
double expectedDistinctExperts(int experts, int expertsPerToken, double tokens);
// Causal query-key pairs of a prompt of n tokens when each query sees at most `window` keys (0: all).
double causalPairs(qint64 tokens, qint64 window);

ThroughputEstimate estimateThroughput(const ModelSpec& model, const HardwareSpec& hardware, const MemoryModel& memory,
                                      qint64 contextTokens, const ThroughputSettings& settings);

}  // namespace sinkscope
