// Per-position cos/sin tables for rotating many query/key vectors with positional/'s RoPE
// (ropeCosSin + rotatePairs), so the forward pass does not recompute angles. Not a schedule.
#pragma once

#include "positional/RopeSchedule.h"

#include <vector>

namespace sinkscope {

class RopeTable {
 public:
  // Precomputes cos/sin for positions 0..positions-1 (O(positions x pairs) values).
  RopeTable(const RopeSchedule& schedule, qint64 positions);
  // Rotates the first rotaryDim entries of one head's vector in place (a position inside the table).
  void rotate(float* vector, qint64 position) const;
  qint64 positions() const { return positions_; }

 private:
  int pairs_ = 0;
  int rotaryDim_ = 0;
  qint64 positions_ = 0;
  RopePairLayout layout_ = RopePairLayout::Adjacent;
  std::vector<double> cosines_;  // positions x pairs, times attentionFactor
  std::vector<double> sines_;
};

}  // namespace sinkscope
