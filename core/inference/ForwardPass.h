// Teacher-forced batched forward pass of a Llama-family model with attention capture: per-token
// loss and argmax, per layer/head sink and entropy metrics, pooled heatmaps for chosen rows.
// Memory stays O(N x width + chunk x keys): the N x N attention matrix is never formed.
#pragma once

#include "attention/AttentionTypes.h"
#include "attention/KvCache.h"
#include "inference/LlamaModel.h"
#include "positional/RopeSchedule.h"

#include <functional>
#include <span>
#include <vector>

namespace sinkscope {

// Which keys a query sees: the one cache model of the modelled probe (attention/KvCache.h).
using KvPolicy = KvCache;

// RopeParameters for a GGUF llama model: adjacent pairs, its own base and scaling, and L0 =
// trainedContext (which may override the file's context_length).
RopeParameters ropeParametersForGguf(const LlamaHyperparameters& hyper, qint64 trainedContext);

// Floats of the per-chunk buffers as wide as the feed-forward (gate and up together) or the
// vocabulary (logits): rows go through those layers in chunks of this many floats (64 MiB), and
// each chunk decodes those weights once (docs/limits.md counts them).
inline constexpr qint64 kForwardWideChunkFloats = qint64(16) << 20;
// Rows per such chunk for a layer `width` floats wide over `tokens` tokens (at least 64, at most
// the tokens).
qint64 forwardWideChunkRows(qint64 width, qint64 tokens);

struct ForwardOptions {
  RopeSchedule schedule;  // frequencies, attention factor, softmax scale
  KvPolicy kvPolicy;
  // > 0: every layer that has no sliding window of its own attends inside this many keys, as vLLM
  // honours a config's sliding_window (Mistral-7B-v0.1: 4096) where llama.cpp runs full attention.
  qint64 configSlidingWindow = 0;
  qint64 trainedContext = 0;        // splits metrics into inside / beyond (tokens)
  std::vector<qint64> heatmapRows;  // query positions whose attention is pooled
  int heatmapBins = 64;             // bins per heatmap row, the first 4 one key each
  int chunkTokens = 64;             // queries per attention block (keeps a block in cache)
  // Polled between attention blocks and between weight tiles (a few times a second on a 7B
  // model); a cancelled run throws Cancelled (common/Cancelled.h). Called from the calling thread only.
  std::function<bool()> isCancelled;
  // The share of the pass's work done, 0..1, reported after every projection and attention
  // block. Work is counted in multiply-adds (projections, attention, output head), so the
  // share grows in proportion to time: fraction x tokens is the tokens' worth done, and the
  // rate and time left extrapolate linearly. Called from the calling thread only.
  std::function<void(double)> progress;
};

// docs/references.md section 5, for one (layer, head). Means run over queries i >= k for S_k.
struct HeadAttentionMetrics {
  int layer = 0;
  int head = 0;
  double meanSinkMass1 = 0;  // alpha_1: mean over i >= 1 of A_i0
  double meanSinkMass4 = 0;  // mean over i >= 4 of sum_{j<4} A_ij
  double lastSinkMass1 = 0;  // the last query's A_i0
  double lastSinkMass4 = 0;
  double meanNormalizedEntropy = 0;  // mean over i >= 1 of H_i / ln(keys seen by i)
  double meanSinkMass1Inside = 0;    // queries 1 <= i < trainedContext
  double meanSinkMass1Beyond = 0;    // queries i >= trainedContext (0 when none)
  double meanNormalizedEntropyInside = 0;
  double meanNormalizedEntropyBeyond = 0;
  double meanPreviousTokenMass = 0;  // mean over i >= 1 of A_{i,i-1} (locality)
  PooledHeatmap heatmap;             // rows = ForwardOptions::heatmapRows inside the text
};

// Gu et al. 2024's threshold on alpha_1 for counting a head as a sink head (docs/references.md section 5).
inline constexpr double kSinkRateEpsilon = 0.3;

struct ForwardResult {
  std::vector<float> nll;   // nll[p] = -ln P(token[p+1] | tokens[0..p]), p = 0..N-2 (nats)
  std::vector<int> argmax;  // argmax[p] = the most likely next token after position p, p = 0..N-1
  std::vector<HeadAttentionMetrics> heads;  // layer-major, layers x heads
  // Gu et al.'s sink rate: the share of (layer, head) with alpha_1 > epsilon.
  double sinkRate(double epsilon = kSinkRateEpsilon) const;
};

ForwardResult runForward(const LlamaModel& model, std::span<const int> tokens, const ForwardOptions& options);

// ---- How the architecture's traits shape attention, shared with the reference decoder ----

// The keys layer `layer` sees: `asked`, inside the layer's sliding window when it slides (llama.cpp's
// mask: key j is seen by query i when i - j < window), or inside configSlidingWindow (> 0) when it
// has none of its own; a Full policy becomes that Window.
KvPolicy layerKvPolicy(const LlamaHyperparameters& hyper, int layer, const KvPolicy& asked,
                       qint64 configSlidingWindow = 0);
// The schedule as the model's file adjusts it for a run over `tokens` tokens: its RoPE divisors
// (LlamaModel::ropeFactorsFor; ggml's freq_factors: frequency i / factor i) and its
// rope.scaling.attn_factor on cos and sin.
RopeSchedule withModelRopeFactors(RopeSchedule schedule, const LlamaModel& model, qint64 tokens);
// Sliding layers' schedule: base hyper.localRopeTheta, unscaled (llama.cpp's rope_freq_scale_train_swa is 1).
RopeSchedule localRopeSchedule(const LlamaHyperparameters& hyper, qint64 trainedContext);
// The scale of q.k: the schedule's (1/sqrt(headDim) times any mitigation's factor), with the
// architecture's own query scale in place of 1/sqrt(headDim) where it has one.
double attentionScale(const LlamaHyperparameters& hyper, const RopeSchedule& schedule);

}  // namespace sinkscope
