// Rotates query/key vectors by a RopeSchedule's angles (position x inv_freq, scaled by the
// attention factor), in either pair layout. Not a schedule: the frequencies come from positional/.
#pragma once

#include "positional/RopeSchedule.h"

#include <vector>

namespace sinkscope {

class RopeTable {
 public:
  // Precomputes cos/sin for positions 0..positions-1 (O(positions x pairs) floats).
  RopeTable(const RopeSchedule& schedule, qint64 positions);
  // Rotates the first rotaryDim entries of one head's vector in place (a position inside the table).
  void rotate(float* vector, qint64 position) const;
  qint64 positions() const { return positions_; }

 private:
  int pairs_ = 0;
  qint64 positions_ = 0;
  RopePairLayout layout_ = RopePairLayout::Adjacent;
  std::vector<float> cosines_;  // positions x pairs, times attentionFactor
  std::vector<float> sines_;
};

}  // namespace sinkscope
