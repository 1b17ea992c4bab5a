#include "planner/Memory.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sinkscope {

namespace {

// Byte counts saturate at 2^60 (1 EiB, docs/limits.md): a double beyond qint64 would be undefined
// behaviour to convert, and four saturated terms still add up without overflow.
constexpr double kMaxBytes = double(qint64(1) << 60);
qint64 ceilBytes(double bytes) {
  return static_cast<qint64>(std::ceil(std::min(bytes, kMaxBytes) - 1e-6));
}

// Elements one token keeps alive at the widest point of a layer during prefill: the residual
// stream and its normed copy, q/k/v (MLA: decompressed K and V), the attention output, and the
// two feed-forward up-projections (gate and up) of the active experts.
qint64 activationElementsPerToken(const ModelSpec& m) {
  qint64 qkv = 0;
  if (m.mla) {
    const MlaSpec& mla = *m.mla;
    qkv = qint64(m.heads) * (mla.qkNopeHeadDim + mla.qkRopeHeadDim) + mla.kvLoraRank + mla.qkRopeHeadDim +
          qint64(m.heads) * (mla.qkNopeHeadDim + mla.vHeadDim);
  } else {
    qkv = qint64(m.heads + 2 * m.kvHeads) * m.headDim;
  }
  qint64 ffnWidth = m.intermediateSize;
  if (m.moe.isMoe()) {
    const qint64 expertWidth =
        m.moe.expertIntermediateSize > 0 ? m.moe.expertIntermediateSize : m.intermediateSize;
    ffnWidth = std::max(ffnWidth, expertWidth * (m.moe.expertsPerToken + m.moe.sharedExperts));
  }
  const qint64 ffnLive = (m.gatedFfn ? 2 : 1) * ffnWidth;
  return 2 * m.hiddenSize + std::max(qkv + m.hiddenSize, ffnLive);
}

}  // namespace

double kvBytesPerTokenPerLayer(const ModelSpec& m, double kvBitsPerElement) {
  const double bytesPerElement = kvBitsPerElement / 8.0;
  if (m.mla) return double(m.mla->kvLoraRank + m.mla->qkRopeHeadDim) * bytesPerElement;  // one latent, no V
  return 2.0 * m.kvHeads * m.headDim * bytesPerElement;                                  // K and V
}

std::vector<KvLayerGroup> kvLayerGroups(const ModelSpec& m, double kvBitsPerElement,
                                        std::optional<qint64> streamingCacheTokens) {
  const double perLayer = kvBytesPerTokenPerLayer(m, kvBitsPerElement);
  std::vector<KvLayerGroup> groups;
  for (int layer = 0; layer < m.layers; ++layer) {
    KvLayerGroup group;
    group.layers = 1;
    switch (m.layerType(layer)) {
      case LayerAttention::Full:
        group.bytesPerTokenPerLayer = perLayer;
        break;
      case LayerAttention::Sliding:
        group.bytesPerTokenPerLayer = perLayer;
        group.capTokens = m.slidingWindow;
        break;
      case LayerAttention::Recurrent:
        group.recurrent = true;
        break;
    }
    if (streamingCacheTokens && !group.recurrent)
      group.capTokens =
          group.capTokens > 0 ? std::min(group.capTokens, *streamingCacheTokens) : *streamingCacheTokens;
    auto same = std::find_if(groups.begin(), groups.end(), [&](const KvLayerGroup& g) {
      return g.capTokens == group.capTokens && g.recurrent == group.recurrent &&
             g.bytesPerTokenPerLayer == group.bytesPerTokenPerLayer;
    });
    if (same != groups.end())
      ++same->layers;
    else
      groups.push_back(group);
  }
  return groups;
}

double checkpointScale(const ModelSpec& model) {
  if (!model.checkpointWeights || model.checkpointWeights->parameters <= 0) return 1.0;
  const qint64 computed = countParameters(model).total();
  return computed > 0 ? double(model.checkpointWeights->parameters) / double(computed) : 1.0;
}

qint64 weightBytes(const ParameterCount& parameters, const WeightDtype& dtype) {
  const qint64 total = parameters.total();
  if (dtype.quantizesEmbeddings) return ceilBytes(double(total) * dtype.bitsPerWeight / 8.0);
  const qint64 sixteenBit = parameters.embedding + parameters.outputHead;
  return ceilBytes(double(total - sixteenBit) * dtype.bitsPerWeight / 8.0) + sixteenBit * 2;
}

MemoryModel::MemoryModel(const ModelSpec& model, const HardwareSpec& hardware, const MemorySettings& settings)
    : settings_(settings), parameters_(countParameters(model)) {
  if (!settings.firstStage) parameters_.embedding = 0;
  if (!settings.lastStage) parameters_.outputHead = 0;
  groups_ = kvLayerGroups(model, settings.kv.bitsPerElement, settings.streamingCacheTokens);
  const double scale = checkpointScale(model);
  weightsBytes_ = ceilBytes(double(weightBytes(parameters_, settings.weights)) * scale);
  routedExpertBytes_ =
      ceilBytes(double(parameters_.expertsTotal) * settings.weights.bitsPerWeight / 8.0 * scale);
  capacityBytes_ = static_cast<qint64>(std::floor(double(hardware.memoryBytes) * settings.usableMemoryShare));
  activationBytesPerToken_ =
      ceilBytes(double(activationElementsPerToken(model)) * settings.activationBytesPerElement);
  logitsBytesPerToken_ =
      settings.lastStage ? ceilBytes(double(model.vocabSize) * settings.logitsBytesPerElement) : 0;
}

double MemoryModel::kvBytesPerToken() const {
  double bytes = 0;
  for (const KvLayerGroup& group : groups_) bytes += group.layers * group.bytesPerTokenPerLayer;
  return bytes;
}

qint64 MemoryModel::kvBytes(qint64 contextTokens) const {
  double bytes = 0;
  for (const KvLayerGroup& group : groups_) {
    const qint64 held = group.capTokens > 0 ? std::min(contextTokens, group.capTokens) : contextTokens;
    bytes += double(group.layers) * group.bytesPerTokenPerLayer * double(held);
  }
  return ceilBytes(bytes * settings_.batch);
}

qint64 MemoryModel::kvCachedTokensMax(qint64 contextTokens) const {
  qint64 held = 0;
  for (const KvLayerGroup& group : groups_) {
    if (group.recurrent) continue;
    held = std::max(held, group.capTokens > 0 ? std::min(contextTokens, group.capTokens) : contextTokens);
  }
  return held;
}

qint64 MemoryModel::activationBytes(qint64 contextTokens) const {
  const qint64 inFlight = std::min<qint64>(settings_.prefillChunkTokens, contextTokens * settings_.batch);
  return inFlight * (activationBytesPerToken_ + logitsBytesPerToken_);
}

MemoryBreakdown MemoryModel::at(qint64 contextTokens) const {
  MemoryBreakdown memory;
  memory.weightsBytes = weightsBytes_;
  memory.kvBytes = kvBytes(contextTokens);
  memory.kvBytesPerToken = ceilBytes(kvBytesPerToken());
  memory.activationBytes = activationBytes(contextTokens);
  memory.overheadBytes = settings_.overheadBytes;
  memory.totalBytes = memory.weightsBytes + memory.kvBytes + memory.activationBytes + memory.overheadBytes;
  memory.capacityBytes = capacityBytes_;
  return memory;
}

qint64 MemoryModel::totalBytes(qint64 contextTokens) const {
  return weightsBytes_ + kvBytes(contextTokens) + activationBytes(contextTokens) + settings_.overheadBytes;
}

std::optional<qint64> MemoryModel::kvStopsGrowingAt() const {
  qint64 stop = 0;
  for (const KvLayerGroup& group : groups_) {
    if (group.recurrent || group.bytesPerTokenPerLayer == 0) continue;
    if (group.capTokens == 0) return std::nullopt;
    stop = std::max(stop, group.capTokens);
  }
  return stop;
}

FitLimit MemoryModel::maxContextThatFits() const {
  FitLimit limit;
  limit.kvStopsGrowingAt = kvStopsGrowingAt();
  if (totalBytes(1) > capacityBytes_) return limit;
  // Past the KV plateau and the prefill chunk nothing grows: fits there means fits everywhere.
  if (limit.kvStopsGrowingAt) {
    const qint64 plateau = std::max(*limit.kvStopsGrowingAt, settings_.prefillChunkTokens);
    if (totalBytes(plateau) <= capacityBytes_) {
      limit.unbounded = true;
      limit.maxContextTokens = std::numeric_limits<qint64>::max();
      return limit;
    }
  }
  qint64 low = 1;                                     // fits
  qint64 high = 2;                                    // grows until it does not fit
  constexpr qint64 kSearchCeiling = qint64(1) << 50;  // tokens; far beyond any memory
  while (totalBytes(high) <= capacityBytes_) {
    low = high;
    if (high >= kSearchCeiling) {
      limit.unbounded = true;
      limit.maxContextTokens = std::numeric_limits<qint64>::max();
      return limit;
    }
    high *= 2;
  }
  while (high - low > 1) {
    const qint64 middle = low + (high - low) / 2;
    (totalBytes(middle) <= capacityBytes_ ? low : high) = middle;
  }
  limit.maxContextTokens = low;
  return limit;
}

std::vector<MemoryPoint> memoryCurve(const MemoryModel& memory, const std::vector<qint64>& contexts) {
  std::vector<MemoryPoint> points;
  points.reserve(contexts.size());
  for (qint64 context : contexts) points.push_back({context, memory.at(context)});
  return points;
}

std::vector<qint64> contextGrid(qint64 first, qint64 last, int count, bool logScale) {
  std::vector<qint64> contexts;
  if (count <= 0 || first <= 0 || last < first) return contexts;
  contexts.reserve(static_cast<size_t>(count));
  for (int index = 0; index < count; ++index) {
    const double t = count == 1 ? 1.0 : double(index) / double(count - 1);
    const double value =
        logScale ? std::exp(std::log(double(first)) + t * (std::log(double(last)) - std::log(double(first))))
                 : double(first) + t * double(last - first);
    contexts.push_back(std::clamp<qint64>(std::llround(value), first, last));
  }
  return contexts;
}

}  // namespace sinkscope
