// Memory of one inference deployment against a context length: weights, KV cache (per layer:
// GQA/MQA, MLA latents, sliding windows, recurrent layers, StreamingLLM caps), activations,
// overhead, and the exact largest context that fits. Not throughput or quality.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "planner/ParameterCount.h"
#include "planner/PlannerResources.h"

#include <optional>
#include <vector>

namespace sinkscope {

struct MemorySettings {
  WeightDtype weights;  // bits per weight of the stored checkpoint
  KvDtype kv;           // bits per cached element
  int batch = 1;        // sequences held at once
  qint64 prefillChunkTokens = 2048;
  double usableMemoryShare = 0.9;  // share of device memory the engine may use
  double activationBytesPerElement = 2;
  double logitsBytesPerElement = 4;
  qint64 overheadBytes = 0;                    // fixed runtime overhead
  std::optional<qint64> streamingCacheTokens;  // StreamingLLM: every layer holds at most sinks + window
  bool firstStage = true;                      // pipeline stage holding the token embedding (Parallelism.h)
  bool lastStage = true;                       // pipeline stage holding the output head and the logits
};

// Layers that cache the same way, merged.
struct KvLayerGroup {
  int layers = 0;
  double bytesPerTokenPerLayer = 0;  // per sequence
  qint64 capTokens = 0;              // 0: holds the whole context
  bool recurrent = false;            // constant state, no per-token KV
};

struct MemoryBreakdown {
  qint64 weightsBytes = 0;
  qint64 kvBytes = 0;          // all sequences of the batch
  qint64 kvBytesPerToken = 0;  // one sequence, summed over the layers that cache that token
  qint64 activationBytes = 0;  // transient peak of a chunked prefill, incl. logits
  qint64 overheadBytes = 0;
  qint64 totalBytes = 0;
  qint64 capacityBytes = 0;  // device memory x usable share
};

struct FitLimit {
  qint64 maxContextTokens = 0;             // 0: not even the weights fit
  bool unbounded = false;                  // fits at any context (KV stops growing)
  std::optional<qint64> kvStopsGrowingAt;  // tokens past which no layer caches more
};

struct MemoryPoint {
  qint64 contextTokens = 0;
  MemoryBreakdown memory;
};

class MemoryModel {
 public:
  MemoryModel(const ModelSpec& model, const HardwareSpec& hardware, const MemorySettings& settings);

  const MemorySettings& settings() const { return settings_; }
  const std::vector<KvLayerGroup>& kvGroups() const { return groups_; }
  const ParameterCount& parameters() const { return parameters_; }

  qint64 weightsBytes() const { return weightsBytes_; }
  qint64 routedExpertBytes() const { return routedExpertBytes_; }  // all routed experts, all layers
  double kvBytesPerToken() const;                                  // one sequence, every caching layer
  qint64 kvBytes(qint64 contextTokens) const;                      // whole batch
  qint64 kvCachedTokensMax(qint64 contextTokens) const;            // the most tokens any layer holds
  qint64 activationBytes(qint64 contextTokens) const;
  qint64 capacityBytes() const { return capacityBytes_; }
  MemoryBreakdown at(qint64 contextTokens) const;
  qint64 totalBytes(qint64 contextTokens) const;
  std::optional<qint64> kvStopsGrowingAt() const;
  // Largest context whose total fits the capacity, solved exactly (the total is monotone).
  FitLimit maxContextThatFits() const;

 private:
  MemorySettings settings_;
  ParameterCount parameters_;
  std::vector<KvLayerGroup> groups_;
  qint64 weightsBytes_ = 0;
  qint64 routedExpertBytes_ = 0;
  qint64 capacityBytes_ = 0;
  qint64 activationBytesPerToken_ = 0;
  qint64 logitsBytesPerToken_ = 0;
};

// KV bytes one token costs in one layer of this model, per docs/references.md section 4.
double kvBytesPerTokenPerLayer(const ModelSpec& model, double kvBitsPerElement);
std::vector<KvLayerGroup> kvLayerGroups(const ModelSpec& model, double kvBitsPerElement,
                                        std::optional<qint64> streamingCacheTokens);
qint64 weightBytes(const ParameterCount& parameters, const WeightDtype& dtype);
// Exact over computed parameter count: 1 unless the checkpoint's safetensors headers were read,
// then weight bytes follow the exact count and the config's split between parts (docs/catalog.md).
double checkpointScale(const ModelSpec& model);

// The memory-vs-context curve for charts: one breakdown per context, O(layer groups) each.
std::vector<MemoryPoint> memoryCurve(const MemoryModel& memory, const std::vector<qint64>& contexts);
// n contexts spread evenly (log-spaced when logScale) over [first, last].
std::vector<qint64> contextGrid(qint64 first, qint64 last, int count, bool logScale);

}  // namespace sinkscope
