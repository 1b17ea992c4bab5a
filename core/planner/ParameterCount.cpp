#include "planner/ParameterCount.h"

#include <algorithm>

namespace sinkscope {

namespace {

qint64 standardAttention(const ModelSpec& m) {
  const qint64 queryWidth = qint64(m.heads) * m.headDim;
  const qint64 kvWidth = qint64(m.kvHeads) * m.headDim;
  qint64 params = m.hiddenSize * queryWidth                 // q_proj
                  + 2 * m.hiddenSize * kvWidth              // k_proj, v_proj
                  + queryWidth * m.hiddenSize;              // o_proj
  if (m.attentionBias) params += queryWidth + 2 * kvWidth;  // q/k/v biases (Qwen2 convention)
  return params;
}

// DeepSeek-V2 naming: q_a_proj, q_a_layernorm, q_b_proj, kv_a_proj_with_mqa, kv_a_layernorm,
// kv_b_proj, o_proj.
qint64 mlaAttention(const ModelSpec& m, const MlaSpec& mla) {
  const qint64 qkHeadDim = mla.qkNopeHeadDim + mla.qkRopeHeadDim;
  qint64 params = 0;
  if (mla.qLoraRank > 0)
    params += m.hiddenSize * mla.qLoraRank + mla.qLoraRank + qint64(mla.qLoraRank) * m.heads * qkHeadDim;
  else
    params += m.hiddenSize * m.heads * qkHeadDim;
  params += m.hiddenSize * (mla.kvLoraRank + mla.qkRopeHeadDim) + mla.kvLoraRank;
  params += qint64(mla.kvLoraRank) * m.heads * (mla.qkNopeHeadDim + mla.vHeadDim);
  params += qint64(m.heads) * mla.vHeadDim * m.hiddenSize;
  return params;
}

qint64 ffnMatrices(const ModelSpec& m) {
  return m.gatedFfn ? 3 : 2;
}

}  // namespace

qint64 ParameterCount::total() const {
  return embedding + outputHead + attention + denseFfn + expertsTotal + sharedExperts + routers + norms;
}

qint64 ParameterCount::active() const {
  return embedding + outputHead + attention + denseFfn + expertsActive + sharedExperts + routers + norms;
}

qint64 ParameterCount::activeMatmul(const ModelSpec& model) const {
  const qint64 head = model.tiedEmbeddings ? embedding : outputHead;
  return active() - embedding - outputHead + head - norms;
}

ParameterCount countParameters(const ModelSpec& m) {
  ParameterCount count;
  count.embedding = m.vocabSize * m.hiddenSize;
  count.outputHead = m.tiedEmbeddings ? 0 : m.vocabSize * m.hiddenSize;
  const qint64 perLayerAttention = m.mla ? mlaAttention(m, *m.mla) : standardAttention(m);
  count.attention = perLayerAttention * m.layers;
  count.norms = qint64(2) * m.hiddenSize * m.layers + m.hiddenSize;

  const qint64 denseLayerFfn = ffnMatrices(m) * m.hiddenSize * m.intermediateSize;
  if (!m.moe.isMoe()) {
    count.denseFfn = denseLayerFfn * m.layers;
    return count;
  }
  const int denseLayers = std::min(m.moe.denseLayers, m.layers);
  count.moeLayers = m.layers - denseLayers;
  count.denseFfn = denseLayerFfn * denseLayers;
  const qint64 expertWidth =
      m.moe.expertIntermediateSize > 0 ? m.moe.expertIntermediateSize : m.intermediateSize;
  count.oneExpert = ffnMatrices(m) * m.hiddenSize * expertWidth;
  count.expertsTotal = count.oneExpert * m.moe.experts * count.moeLayers;
  count.expertsActive = count.oneExpert * m.moe.expertsPerToken * count.moeLayers;
  count.sharedExperts = count.oneExpert * m.moe.sharedExperts * count.moeLayers;
  count.routers = m.hiddenSize * m.moe.experts * count.moeLayers;
  return count;
}

}  // namespace sinkscope
