// Rotating a query or key vector by RoPE at a position, for a given schedule: either pair layout,
// partial rotary dims, the attention factor on cos and sin. Not the schedules (RopeSchedule.h).
#pragma once

#include "positional/RopeSchedule.h"

#include <span>

namespace sinkscope {

// Index of the two components of rotary pair p inside a head: HalfSplit (p, p + d/2),
// Adjacent (2p, 2p + 1).
inline int ropePairFirst(RopePairLayout layout, int /*rotaryDim*/, int pair) {
  return layout == RopePairLayout::HalfSplit ? pair : 2 * pair;
}
inline int ropePairSecond(RopePairLayout layout, int rotaryDim, int pair) {
  return layout == RopePairLayout::HalfSplit ? pair + rotaryDim / 2 : 2 * pair + 1;
}

// How the angle position x inv_freq is formed. Exact: in double. Float32: position and product
// rounded to float32, as transformers and vLLM build their cos/sin tables (past ~2^24 / inv_freq
// tokens their angles lose precision; Float32 reproduces that).
enum class RopeAnglePrecision { Exact, Float32 };

// cos and sin of every pair's angle at `position`, each multiplied by schedule.attentionFactor
// (so q.k logits scale by its square). cos and sin must hold schedule.invFreq.size() values.
void ropeCosSin(const RopeSchedule& schedule, double position, std::span<double> cos, std::span<double> sin,
                RopeAnglePrecision precision = RopeAnglePrecision::Exact);

// Rotates the first rotaryDim entries of `vector` in place with precomputed per-pair cos/sin;
// entries from rotaryDim on pass through. HalfSplit pairs (i, i + d/2), Adjacent (2i, 2i + 1);
// both map (x, y) to (x cos - y sin, y cos + x sin).
void rotatePairs(std::span<float> vector, std::span<const double> cos, std::span<const double> sin,
                 int rotaryDim, RopePairLayout layout);
void rotatePairs(std::span<double> vector, std::span<const double> cos, std::span<const double> sin,
                 int rotaryDim, RopePairLayout layout);

// Convenience: ropeCosSin + rotatePairs. vector.size() must be >= schedule.rotaryDim
// (usually schedule.headDim); throws Error(Internal) otherwise.
void applyRope(std::span<float> vector, const RopeSchedule& schedule, double position,
               RopeAnglePrecision precision = RopeAnglePrecision::Exact);
void applyRope(std::span<double> vector, const RopeSchedule& schedule, double position,
               RopeAnglePrecision precision = RopeAnglePrecision::Exact);

}  // namespace sinkscope
