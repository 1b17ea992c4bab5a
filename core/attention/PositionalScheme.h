// The positional treatment one attention head applies at inference (RoPE schedule, ALiBi slope
// or none) and the KV-cache layout (full, or StreamingLLM sinks + window). Not the schedules' maths.
#pragma once

#include "catalog/ModelSpec.h"
#include "positional/RopeSchedule.h"

#include <QtGlobal>
#include <span>

namespace sinkscope {

struct PositionalScheme {
  enum class Kind { None, Rope, Alibi };
  Kind kind = Kind::None;
  RopeSchedule rope;          // kind == Rope: inv_freq, attention factor, pair layout
  double alibiSlope = 0.0;    // kind == Alibi: m_h, logit += -m_h * (query pos - key pos)
  double softmaxScale = 0.0;  // multiplies q.k; 0 means 1/sqrt(headDim)

  // KV cache. windowTokens == 0: every key is kept at its own position. Otherwise the cache
  // holds keys 0..sinkTokens-1 plus the last windowTokens keys (the query's own included), and
  // positions are assigned by slot inside the cache, as StreamingLLM does (docs/references.md s. 4).
  qint64 sinkTokens = 0;
  qint64 windowTokens = 0;

  bool evicts() const { return windowTokens > 0; }
  double logitScale(int headDim) const;  // softmaxScale, or 1/sqrt(headDim)
  // Position of key `key` as seen by query `query` (cache slot when the cache evicts);
  // -1 when the key is not in the query's cache (evicted or in the future).
  qint64 keyPosition(qint64 query, qint64 key) const;
  qint64 queryPosition(qint64 query) const;  // slot of the query itself
};

// Rotates vectors in place by RoPE at the given positions, scaling the rotated part by the
// schedule's attention factor (HF multiplies cos and sin by it). vectors: rows x headDim,
// row-major; positions: one per row. The pass-through dims beyond the rotary dim are untouched.
void applyRope(const RopeSchedule& rope, int headDim, std::span<const qint64> positions, float* vectors);
// The same for `count` consecutive positions first, first+1, ... (a key block): uses an exact
// angle at the block start and a double-precision rotation recurrence inside the block.
void applyRopeConsecutive(const RopeSchedule& rope, int headDim, qint64 first, qint64 count, float* vectors);

}  // namespace sinkscope
