#include "planner/Parallelism.h"

#include <algorithm>
#include <limits>

namespace sinkscope {

namespace {

constexpr int kMaxGpusPerValue = 65536;

qint64 ceilDiv(qint64 value, qint64 divisor) {
  return (value + divisor - 1) / divisor;
}

std::optional<LayoutProblem> outOfRange(const std::optional<int>& value, const QString& field) {
  if (value && (*value < 1 || *value > kMaxGpusPerValue))
    return LayoutProblem{field, QStringLiteral("%1 is outside [1, %2]").arg(*value).arg(kMaxGpusPerValue)};
  return std::nullopt;
}

// vLLM splits or replicates KV heads: one of H_kv and tp must divide the other (QKVParallelLinear).
bool kvHeadsSplit(const ModelSpec& model, int tp) {
  if (model.mla || model.kvHeads <= 0) return true;
  return model.kvHeads >= tp ? model.kvHeads % tp == 0 : tp % model.kvHeads == 0;
}

bool tensorParallelFits(const ModelSpec& model, int tp) {
  return tp >= 1 && model.heads % tp == 0 && kvHeadsSplit(model, tp);
}

// The largest tensor-parallel size inside one node that the model accepts and that divides the GPUs.
int defaultTensorParallel(const ModelSpec& model, int gpus, int gpusPerNode) {
  for (int tp = std::min(gpus, gpusPerNode); tp > 1; --tp)
    if (gpus % tp == 0 && tensorParallelFits(model, tp) && gpus / tp <= model.layers) return tp;
  return 1;
}

}  // namespace

std::optional<LayoutProblem> layoutProblemFor(const ModelSpec& model, const ParallelLayout& layout) {
  const int tp = layout.tensorParallel;
  const int pp = layout.pipelineParallel;
  if (qint64(tp) * pp != qint64(layout.nodes) * layout.gpusPerNode)
    return LayoutProblem{
        QStringLiteral("tensor_parallel_size"),
        QStringLiteral("tensor_parallel_size %1 x pipeline_parallel_size %2 = %3 GPUs, but the "
                       "deployment has %4 (%5 node(s) x %6 GPUs)")
            .arg(tp)
            .arg(pp)
            .arg(tp * pp)
            .arg(layout.gpus())
            .arg(layout.nodes)
            .arg(layout.gpusPerNode)};
  if (model.heads % tp != 0)
    return LayoutProblem{QStringLiteral("tensor_parallel_size"),
                         QStringLiteral("%1 does not divide the %2 attention heads of %3 (vLLM requires it)")
                             .arg(tp)
                             .arg(model.heads)
                             .arg(model.id)};
  if (!kvHeadsSplit(model, tp))
    return LayoutProblem{
        QStringLiteral("tensor_parallel_size"),
        QStringLiteral("%1 and the %2 KV heads of %3: one must divide the other (vLLM splits or "
                       "replicates KV heads)")
            .arg(tp)
            .arg(model.kvHeads)
            .arg(model.id)};
  if (pp > model.layers)
    return LayoutProblem{
        QStringLiteral("pipeline_parallel_size"),
        QStringLiteral("%1 stages for %2 layers: every stage needs a layer").arg(pp).arg(model.layers)};
  return std::nullopt;
}

std::optional<LayoutProblem> resolveParallelLayout(const ModelSpec& model, const ParallelRequest& request,
                                                   ParallelLayout& layout) {
  for (const auto& [value, field] :
       {std::pair{request.gpusPerNode, QStringLiteral("gpus")},
        std::pair{request.nodes, QStringLiteral("nodes")},
        std::pair{request.tensorParallel, QStringLiteral("tensor_parallel_size")},
        std::pair{request.pipelineParallel, QStringLiteral("pipeline_parallel_size")}})
    if (auto problem = outOfRange(value, field)) return problem;
  ParallelLayout resolved;
  resolved.nodes = request.nodes.value_or(1);
  const qint64 requested = request.gpusPerNode ? qint64(resolved.nodes) * *request.gpusPerNode
                                               : qint64(request.tensorParallel.value_or(1)) *
                                                     request.pipelineParallel.value_or(resolved.nodes);
  if (requested > kMaxGpusPerValue)
    return LayoutProblem{
        QStringLiteral("nodes"),
        QStringLiteral("%1 GPUs in all is more than %2").arg(requested).arg(kMaxGpusPerValue)};
  if (request.gpusPerNode) {
    resolved.gpusPerNode = *request.gpusPerNode;
    const int gpus = resolved.gpus();
    if (!request.tensorParallel && !request.pipelineParallel) {
      resolved.tensorParallel = defaultTensorParallel(model, gpus, resolved.gpusPerNode);
      resolved.pipelineParallel = gpus / resolved.tensorParallel;
    } else {
      resolved.tensorParallel =
          request.tensorParallel.value_or(std::max(1, gpus / request.pipelineParallel.value_or(1)));
      resolved.pipelineParallel =
          request.pipelineParallel.value_or(std::max(1, gpus / resolved.tensorParallel));
    }
  } else {
    resolved.tensorParallel = request.tensorParallel.value_or(1);
    resolved.pipelineParallel = request.pipelineParallel.value_or(resolved.nodes);
    const int gpus = resolved.tensorParallel * resolved.pipelineParallel;
    if (gpus % resolved.nodes != 0)
      return LayoutProblem{QStringLiteral("nodes"),
                           QStringLiteral("%1 GPUs (tensor x pipeline) do not share evenly "
                                          "over %2 nodes")
                               .arg(gpus)
                               .arg(resolved.nodes)};
    resolved.gpusPerNode = gpus / resolved.nodes;
  }
  if (auto problem = layoutProblemFor(model, resolved)) {
    // Only the GPU count was given: it is the count that the model cannot be split over.
    if (!request.tensorParallel && !request.pipelineParallel)
      problem = LayoutProblem{request.gpusPerNode ? QStringLiteral("gpus") : QStringLiteral("nodes"),
                              QStringLiteral("%1 GPUs cannot hold %2 as vLLM splits it: %3")
                                  .arg(resolved.gpus())
                                  .arg(model.id, problem->message)};
    return problem;
  }
  layout = resolved;
  return std::nullopt;
}

std::vector<PipelineStage> pipelineStages(int layers, int pipelineParallel) {
  const int pp = std::max(1, pipelineParallel);
  std::vector<int> counts(static_cast<size_t>(pp), layers / pp);
  const int remainder = layers % pp;
  for (int i = 2; i < remainder + 2; ++i) ++counts[static_cast<size_t>(pp - i)];
  std::vector<PipelineStage> stages;
  int first = 0;
  for (int s = 0; s < pp; ++s) {
    stages.push_back({s, first, counts[static_cast<size_t>(s)], s == 0, s == pp - 1});
    first += counts[static_cast<size_t>(s)];
  }
  return stages;
}

int kvHeadsPerGpu(const ModelSpec& model, int tensorParallel) {
  return std::max(1, model.kvHeads / std::max(1, tensorParallel));
}

int kvReplicasPerHead(const ModelSpec& model, int tensorParallel) {
  if (model.mla) return tensorParallel;
  return model.kvHeads < tensorParallel ? tensorParallel / std::max(1, model.kvHeads) : 1;
}

ModelSpec gpuShareOf(const ModelSpec& model, int tensorParallel, const PipelineStage& stage) {
  const int tp = std::max(1, tensorParallel);
  ModelSpec share = model;
  share.layers = stage.layerCount;
  if (!model.layerTypes.empty())
    share.layerTypes.assign(model.layerTypes.begin() + stage.firstLayer,
                            model.layerTypes.begin() + stage.firstLayer + stage.layerCount);
  share.heads = model.heads / tp;
  share.kvHeads = model.mla ? share.heads : kvHeadsPerGpu(model, tp);
  share.intermediateSize = ceilDiv(model.intermediateSize, tp);
  if (model.moe.expertIntermediateSize > 0)
    share.moe.expertIntermediateSize = ceilDiv(model.moe.expertIntermediateSize, tp);
  share.moe.denseLayers = std::clamp(model.moe.denseLayers - stage.firstLayer, 0, stage.layerCount);
  share.vocabSize = ceilDiv(model.vocabSize, tp);
  // A tied head on its own last stage is a copy of the embedding (vLLM builds both there).
  share.tiedEmbeddings = model.tiedEmbeddings && stage.first && stage.last;
  return share;
}

DeploymentMemory::DeploymentMemory(const ModelSpec& model, const HardwareSpec& hardware,
                                   const MemorySettings& settings, const ParallelLayout& layout)
    : layout_(layout), stages_(pipelineStages(model.layers, layout.pipelineParallel)) {
  for (const PipelineStage& stage : stages_) {
    shares_.push_back(gpuShareOf(model, layout.tensorParallel, stage));
    MemorySettings stageSettings = settings;
    stageSettings.firstStage = stage.first;
    stageSettings.lastStage = stage.last;
    perStage_.emplace_back(shares_.back(), hardware, stageSettings);
  }
}

size_t DeploymentMemory::fullestStage(qint64 contextTokens) const {
  size_t fullest = 0;
  qint64 most = -1;
  for (size_t s = 0; s < perStage_.size(); ++s) {
    const qint64 total = perStage_[s].totalBytes(contextTokens);
    if (total > most) {
      most = total;
      fullest = s;
    }
  }
  return fullest;
}

bool DeploymentMemory::fits(qint64 contextTokens) const {
  return std::all_of(perStage_.begin(), perStage_.end(), [&](const MemoryModel& memory) {
    return memory.totalBytes(contextTokens) <= memory.capacityBytes();
  });
}

FitLimit DeploymentMemory::maxContextThatFits() const {
  FitLimit limit;
  limit.unbounded = true;
  limit.maxContextTokens = std::numeric_limits<qint64>::max();
  bool someLayerKeepsGrowing = false;
  qint64 stopsGrowingAt = 0;
  for (const MemoryModel& memory : perStage_) {
    const FitLimit stage = memory.maxContextThatFits();
    if (stage.kvStopsGrowingAt)
      stopsGrowingAt = std::max(stopsGrowingAt, *stage.kvStopsGrowingAt);
    else
      someLayerKeepsGrowing = true;
    limit.unbounded = limit.unbounded && stage.unbounded;
    limit.maxContextTokens = std::min(limit.maxContextTokens, stage.maxContextTokens);
  }
  if (!someLayerKeepsGrowing) limit.kvStopsGrowingAt = stopsGrowingAt;
  return limit;
}

MemoryBreakdown DeploymentMemory::allGpus(qint64 contextTokens) const {
  MemoryBreakdown sum;
  const qint64 tp = layout_.tensorParallel;
  for (const MemoryModel& memory : perStage_) {
    const MemoryBreakdown one = memory.at(contextTokens);
    sum.weightsBytes += tp * one.weightsBytes;
    sum.kvBytes += tp * one.kvBytes;
    sum.kvBytesPerToken += tp * one.kvBytesPerToken;
    sum.activationBytes += tp * one.activationBytes;
    sum.overheadBytes += tp * one.overheadBytes;
    sum.totalBytes += tp * one.totalBytes;
    sum.capacityBytes += tp * one.capacityBytes;
  }
  return sum;
}

}  // namespace sinkscope
