// How one model is spread over several GPUs as vLLM does it: tensor parallelism (heads and widths
// split, KV heads split or replicated, MLA latents replicated) and pipeline stages (layers split),
// and the memory of the fullest GPU. Not throughput (Throughput.h) and not the fit advice (FitAdvice.h).
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "planner/Memory.h"

#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

// What the user asked for; absent values are derived (resolveParallelLayout).
struct ParallelRequest {
  std::optional<int> gpusPerNode;       // --gpus
  std::optional<int> nodes;             // --nodes
  std::optional<int> tensorParallel;    // --tensor-parallel-size
  std::optional<int> pipelineParallel;  // --pipeline-parallel-size
};

struct ParallelLayout {
  int nodes = 1;
  int gpusPerNode = 1;
  int tensorParallel = 1;    // GPUs that split every layer (vLLM tensor_parallel_size)
  int pipelineParallel = 1;  // stages that split the layers (vLLM pipeline_parallel_size)
  int gpus() const { return nodes * gpusPerNode; }
  bool operator==(const ParallelLayout&) const = default;
};

// One pipeline stage: the layers [firstLayer, firstLayer + layerCount) on tensorParallel GPUs.
struct PipelineStage {
  int index = 0;
  int firstLayer = 0;
  int layerCount = 0;
  bool first = true;  // holds the token embedding
  bool last = true;   // holds the output head and computes the logits
};

// A problem with a layout for a model (vLLM's checks), with the request field it concerns.
struct LayoutProblem {
  QString field;  // "gpus", "nodes", "tensor_parallel_size", "pipeline_parallel_size"
  QString message;
};

// Defaults as vLLM's distributed-serving guide sizes a deployment: tensor parallelism over the
// GPUs of a node, pipeline parallelism over the nodes. Returns a problem instead of a layout
// when the values contradict each other or the model (heads not divisible, ...).
std::optional<LayoutProblem> resolveParallelLayout(const ModelSpec& model, const ParallelRequest& request,
                                                   ParallelLayout& layout);
std::optional<LayoutProblem> layoutProblemFor(const ModelSpec& model, const ParallelLayout& layout);

// vLLM get_pp_indices: L / pp layers per stage, the remainder one each on the stages before the last.
std::vector<PipelineStage> pipelineStages(int layers, int pipelineParallel);
// vLLM: each tensor-parallel rank holds max(1, H_kv / tp) KV heads (replicated when H_kv < tp).
int kvHeadsPerGpu(const ModelSpec& model, int tensorParallel);
// How many GPUs of a stage hold a copy of each cached head (MLA: the latent is on every rank).
int kvReplicasPerHead(const ModelSpec& model, int tensorParallel);
// The part of the model one GPU of a stage runs, as a model of its own: its layers, heads / tp,
// KV heads per GPU, widths / tp, vocabulary / tp (vLLM's vocab-parallel embedding and head).
ModelSpec gpuShareOf(const ModelSpec& model, int tensorParallel, const PipelineStage& stage);

// The memory of one GPU of every pipeline stage (the GPUs of a stage hold the same).
class DeploymentMemory {
 public:
  DeploymentMemory(const ModelSpec& model, const HardwareSpec& hardware, const MemorySettings& settings,
                   const ParallelLayout& layout);

  const ParallelLayout& layout() const { return layout_; }
  const std::vector<PipelineStage>& stages() const { return stages_; }
  const std::vector<ModelSpec>& shares() const { return shares_; }
  const std::vector<MemoryModel>& perStage() const { return perStage_; }
  // The stage whose GPU needs the most memory at this context.
  size_t fullestStage(qint64 contextTokens) const;
  const MemoryModel& fullest(qint64 contextTokens) const { return perStage_[fullestStage(contextTokens)]; }
  MemoryBreakdown at(qint64 contextTokens) const { return fullest(contextTokens).at(contextTokens); }
  bool fits(qint64 contextTokens) const;
  // Every GPU fits: the smallest of the stages' limits.
  FitLimit maxContextThatFits() const;
  // All GPUs together (tensor-parallel copies counted once per GPU).
  MemoryBreakdown allGpus(qint64 contextTokens) const;

 private:
  ParallelLayout layout_;
  std::vector<PipelineStage> stages_;
  std::vector<ModelSpec> shares_;
  std::vector<MemoryModel> perStage_;
};

}  // namespace sinkscope
