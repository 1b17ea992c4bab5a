#include "planner/Throughput.h"

#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

// Per head, the q.k width and the value width an attention step multiplies. decode: MLA runs in
// the absorbed form (queries against the cached latent), prefill in the decompressed form.
std::pair<double, double> attentionWidths(const ModelSpec& m, bool decode) {
  if (!m.mla) return {double(m.headDim), double(m.headDim)};
  const MlaSpec& mla = *m.mla;
  if (decode) return {double(mla.kvLoraRank + mla.qkRopeHeadDim), double(mla.kvLoraRank)};
  return {double(mla.qkNopeHeadDim + mla.qkRopeHeadDim), double(mla.vHeadDim)};
}

// FLOPs of attention (scores + weighted values) for the given query-key pairs in every caching layer.
double attentionFlops(const ModelSpec& m, const MemoryModel& memory, bool decode, qint64 contextTokens) {
  const auto [qkWidth, valueWidth] = attentionWidths(m, decode);
  double flops = 0;
  for (const KvLayerGroup& group : memory.kvGroups()) {
    if (group.recurrent) continue;
    const double pairs =
        decode ? double(group.capTokens > 0 ? std::min(contextTokens, group.capTokens) : contextTokens)
               : causalPairs(contextTokens, group.capTokens);
    flops += group.layers * 2.0 * m.heads * pairs * (qkWidth + valueWidth);
  }
  return flops;
}

// Bytes of weights one forward step reads when `tokens` tokens go through it together.
double weightBytesRead(const ModelSpec& m, const MemoryModel& memory, double tokens) {
  const double all = double(memory.weightsBytes());
  if (!m.moe.isMoe() || m.moe.experts <= 0) return all;
  const double experts = double(memory.routedExpertBytes());
  const double touched =
      expectedDistinctExperts(m.moe.experts, m.moe.expertsPerToken, tokens) / m.moe.experts;
  return all - experts + experts * touched;
}

struct Peaks {
  double bandwidth = 0;
  double flops = 0;
};

Peaks hardwarePeaks(const HardwareSpec& hardware, const QString& computeDtype, ThroughputEstimate& estimate) {
  Peaks peaks;
  peaks.bandwidth = hardware.memoryBandwidthBytesPerSecond;
  if (peaks.bandwidth <= 0) estimate.missingHardware << QStringLiteral("memory bandwidth");
  const QStringList order{computeDtype, QStringLiteral("bf16"), QStringLiteral("fp16"),
                          QStringLiteral("fp32")};
  for (const QString& key : order) {
    const auto found = hardware.peakFlopsPerSecond.find(key);
    if (found != hardware.peakFlopsPerSecond.end() && found->second > 0) {
      peaks.flops = found->second;
      estimate.computeDtype = key;
      break;
    }
  }
  if (estimate.computeDtype != computeDtype)
    estimate.missingHardware << QStringLiteral("peak %1 FLOP/s").arg(computeDtype);
  return peaks;
}

// A tensor-parallel group talks over the node's links when it fits in one node, else between nodes.
const std::optional<DeviceLink>& tensorParallelLinkOf(const HardwareSpec& hardware,
                                                      const ParallelLayout& layout) {
  return layout.tensorParallel <= layout.gpusPerNode ? hardware.interconnect.intraNode
                                                     : hardware.interconnect.interNode;
}

// Whether the send from `stage` to the next stage leaves a node (GPUs numbered stage by stage).
bool boundaryCrossesNodes(const ParallelLayout& layout, int stage) {
  const int tp = layout.tensorParallel;
  for (int rank = 0; rank < tp; ++rank) {
    const int from = stage * tp + rank;
    if (from / layout.gpusPerNode != (from + tp) / layout.gpusPerNode) return true;
  }
  return false;
}

// Seconds to move `bytes` per GPU over a link at its efficiency; a missing link is noted and costs 0.
double linkSeconds(double bytes, const std::optional<DeviceLink>& link, bool interNode, double efficiency,
                   ThroughputEstimate& estimate, QString& linkName) {
  if (bytes <= 0) return 0;
  if (!link || link->bytesPerSecond <= 0) {
    const QString missing = interNode ? QStringLiteral("interconnect.inter_node bandwidth")
                                      : QStringLiteral("interconnect.intra_node bandwidth");
    if (!estimate.missingHardware.contains(missing)) estimate.missingHardware << missing;
    return 0;
  }
  linkName = link->name;
  return bytes / (link->bytesPerSecond * efficiency);
}

struct Communication {
  double decodeSeconds = 0;
  double prefillSeconds = 0;
};

// Megatron-LM tensor parallelism: all-reduces of the hidden states after attention and after the
// MLP of every layer; pipeline parallelism: one send of the hidden states per stage boundary.
Communication communicationOf(const ModelSpec& model, const HardwareSpec& hardware,
                              const DeploymentMemory& deployment, double decodeTokens, double prefillTokens,
                              double efficiency, const ParallelAssumptions& parallel,
                              ThroughputEstimate& estimate) {
  Communication comm;
  const ParallelLayout& layout = deployment.layout();
  const double bytesPerToken = double(model.hiddenSize) * parallel.commBytesPerElement;
  if (layout.tensorParallel > 1) {
    const auto& link = tensorParallelLinkOf(hardware, layout);
    const bool interNode = layout.tensorParallel > layout.gpusPerNode;
    for (const PipelineStage& stage : deployment.stages()) {
      const double allReduces = double(parallel.allReducesPerLayer) * stage.layerCount;
      comm.decodeSeconds += linkSeconds(
          allReduces * ringAllReduceBytesPerGpu(decodeTokens * bytesPerToken, layout.tensorParallel), link,
          interNode, efficiency, estimate, estimate.tensorParallelLink);
      comm.prefillSeconds += linkSeconds(
          allReduces * ringAllReduceBytesPerGpu(prefillTokens * bytesPerToken, layout.tensorParallel), link,
          interNode, efficiency, estimate, estimate.tensorParallelLink);
    }
  }
  for (int stage = 0; stage + 1 < layout.pipelineParallel; ++stage) {
    const bool interNode = boundaryCrossesNodes(layout, stage);
    const auto& link = interNode ? hardware.interconnect.interNode : hardware.interconnect.intraNode;
    QString name;
    comm.decodeSeconds +=
        linkSeconds(decodeTokens * bytesPerToken, link, interNode, efficiency, estimate, name);
    comm.prefillSeconds +=
        linkSeconds(prefillTokens * bytesPerToken, link, interNode, efficiency, estimate, name);
    if (!name.isEmpty() && (estimate.pipelineLink.isEmpty() || interNode)) estimate.pipelineLink = name;
  }
  return comm;
}

Bound boundOf(double memorySeconds, double computeSeconds) {
  if (memorySeconds <= 0 && computeSeconds <= 0) return Bound::Unknown;
  return memorySeconds >= computeSeconds ? Bound::Memory : Bound::Compute;
}

}  // namespace

QString boundName(Bound bound) {
  switch (bound) {
    case Bound::Memory:
      return QStringLiteral("memory");
    case Bound::Compute:
      return QStringLiteral("compute");
    case Bound::Communication:
      return QStringLiteral("communication");
    case Bound::Unknown:
      break;
  }
  return QStringLiteral("unknown");
}

double expectedDistinctExperts(int experts, int expertsPerToken, double tokens) {
  if (experts <= 0) return 0;
  const double pickShare = std::clamp(double(expertsPerToken) / experts, 0.0, 1.0);
  return experts * (1.0 - std::pow(1.0 - pickShare, tokens));
}

double causalPairs(qint64 tokens, qint64 window) {
  const double n = double(tokens);
  if (window <= 0 || tokens <= window) return n * (n + 1.0) / 2.0;
  const double w = double(window);
  return w * (w + 1.0) / 2.0 + (n - w) * w;
}

ThroughputEstimate estimateThroughput(const ModelSpec& model, const HardwareSpec& hardware,
                                      const MemoryModel& memory, qint64 contextTokens,
                                      const ThroughputSettings& settings) {
  ThroughputEstimate estimate;
  const MemorySettings& ms = memory.settings();
  const Peaks peaks = hardwarePeaks(hardware, ms.weights.computeDtype, estimate);
  const double bandwidth = peaks.bandwidth * settings.bandwidthEfficiency;
  const double compute = peaks.flops * settings.computeEfficiency;
  const double batch = ms.batch;
  const double matmulParams = double(memory.parameters().activeMatmul(model));

  // Decode: one new token per sequence; reads the weights once and every sequence's KV.
  estimate.decodeBytesPerStep = weightBytesRead(model, memory, batch) + double(memory.kvBytes(contextTokens));
  estimate.decodeFlopsPerStep =
      batch * (2.0 * matmulParams + attentionFlops(model, memory, true, contextTokens));
  const double decodeMemorySeconds = bandwidth > 0 ? estimate.decodeBytesPerStep / bandwidth : 0;
  const double decodeComputeSeconds = compute > 0 ? estimate.decodeFlopsPerStep / compute : 0;
  const double decodeSeconds = std::max(decodeMemorySeconds, decodeComputeSeconds);
  estimate.decodeBound = boundOf(decodeMemorySeconds, decodeComputeSeconds);
  if (decodeSeconds > 0) estimate.decodeTokensPerSecond = batch / decodeSeconds;

  // Prefill: the whole prompt in chunks; each chunk re-reads the weights and, on average, half the KV.
  const double promptTokens = batch * double(contextTokens);
  const double chunkTokens = double(std::max<qint64>(1, ms.prefillChunkTokens));
  const double chunks = std::ceil(promptTokens / chunkTokens);
  estimate.prefillFlops = batch * (2.0 * matmulParams * double(contextTokens) +
                                   attentionFlops(model, memory, false, contextTokens));
  estimate.prefillBytes = chunks * weightBytesRead(model, memory, std::min(chunkTokens, promptTokens)) +
                          double(memory.kvBytes(contextTokens)) * (1.0 + chunks / 2.0);
  const double prefillMemorySeconds = bandwidth > 0 ? estimate.prefillBytes / bandwidth : 0;
  const double prefillComputeSeconds = compute > 0 ? estimate.prefillFlops / compute : 0;
  const double prefillSeconds = std::max(prefillMemorySeconds, prefillComputeSeconds);
  estimate.prefillBound = boundOf(prefillMemorySeconds, prefillComputeSeconds);
  if (prefillSeconds > 0) estimate.prefillTokensPerSecond = promptTokens / prefillSeconds;
  return estimate;
}

double ringAllReduceBytesPerGpu(double bytes, int gpus) {
  return gpus > 1 ? 2.0 * double(gpus - 1) / double(gpus) * bytes : 0.0;
}

ThroughputEstimate estimateDeploymentThroughput(const ModelSpec& model, const HardwareSpec& hardware,
                                                const DeploymentMemory& deployment, qint64 contextTokens,
                                                const ThroughputSettings& settings,
                                                const ParallelAssumptions& parallel) {
  const auto& stages = deployment.perStage();
  if (stages.size() == 1 && deployment.layout().tensorParallel == 1)
    return estimateThroughput(deployment.shares().front(), hardware, stages.front(), contextTokens, settings);
  ThroughputEstimate total;
  const double batch = stages.front().settings().batch;
  const double promptTokens = batch * double(contextTokens);
  double decodeSeconds = 0;
  double prefillSeconds = 0;
  double slowestDecode = -1;
  double slowestPrefill = -1;
  for (size_t s = 0; s < stages.size(); ++s) {
    const ThroughputEstimate stage =
        estimateThroughput(deployment.shares()[s], hardware, stages[s], contextTokens, settings);
    const double decode = stage.decodeTokensPerSecond > 0 ? batch / stage.decodeTokensPerSecond : 0;
    const double prefill = stage.prefillTokensPerSecond > 0 ? promptTokens / stage.prefillTokensPerSecond : 0;
    decodeSeconds += decode;
    prefillSeconds += prefill;
    if (decode > slowestDecode) {
      slowestDecode = decode;
      total.decodeBound = stage.decodeBound;
    }
    if (prefill > slowestPrefill) {
      slowestPrefill = prefill;
      total.prefillBound = stage.prefillBound;
    }
    total.decodeBytesPerStep += stage.decodeBytesPerStep;
    total.decodeFlopsPerStep += stage.decodeFlopsPerStep;
    total.prefillFlops += stage.prefillFlops;
    total.prefillBytes += stage.prefillBytes;
    total.computeDtype = stage.computeDtype;
    for (const QString& missing : stage.missingHardware)
      if (!total.missingHardware.contains(missing)) total.missingHardware << missing;
  }
  const Communication comm = communicationOf(model, hardware, deployment, batch, promptTokens,
                                             settings.bandwidthEfficiency, parallel, total);
  total.decodeCommunicationSeconds = comm.decodeSeconds;
  total.prefillCommunicationSeconds = comm.prefillSeconds;
  if (comm.decodeSeconds > decodeSeconds) total.decodeBound = Bound::Communication;
  if (comm.prefillSeconds > prefillSeconds) total.prefillBound = Bound::Communication;
  if (decodeSeconds + comm.decodeSeconds > 0)
    total.decodeTokensPerSecond = batch / (decodeSeconds + comm.decodeSeconds);
  if (prefillSeconds + comm.prefillSeconds > 0)
    total.prefillTokensPerSecond = promptTokens / (prefillSeconds + comm.prefillSeconds);
  return total;
}

}  // namespace sinkscope
