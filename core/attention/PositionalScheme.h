// The positional treatment one attention head applies at inference (RoPE schedule, ALiBi slope
// or none) over its KV cache (KvCache). Not the schedules' maths, nor the cache's rules.
#pragma once

#include "attention/KvCache.h"
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

  KvCache cache;  // which keys each query sees, and at which positions (cache slots)

  bool evicts() const { return cache.evicts(); }
  double logitScale(int headDim) const;  // softmaxScale, or 1/sqrt(headDim)
  // Position of key `key` as seen by query `query` (cache slot when the cache evicts);
  // -1 when the key is not in the query's cache (evicted or in the future).
  qint64 keyPosition(qint64 query, qint64 key) const { return cache.keySlot(query, key); }
  qint64 queryPosition(qint64 query) const { return cache.querySlot(query); }  // slot of the query itself
};

// Rotates vectors in place by RoPE at the given positions, scaling the rotated part by the
// schedule's attention factor (HF multiplies cos and sin by it). vectors: rows x headDim,
// row-major; positions: one per row. The pass-through dims beyond the rotary dim are untouched.
void applyRope(const RopeSchedule& rope, int headDim, std::span<const qint64> positions, float* vectors);
// The same for `count` consecutive positions first, first+1, ... (a key block): uses an exact
// angle at the block start and a double-precision rotation recurrence inside the block.
void applyRopeConsecutive(const RopeSchedule& rope, int headDim, qint64 first, qint64 count, float* vectors);

}  // namespace sinkscope
