#include "inference/RopeTable.h"

#include "positional/RopeRotation.h"

namespace sinkscope {

RopeTable::RopeTable(const RopeSchedule& schedule, qint64 positions)
    : pairs_(int(schedule.invFreq.size())),
      rotaryDim_(2 * int(schedule.invFreq.size())),
      positions_(positions),
      layout_(schedule.layout) {
  cosines_.resize(size_t(positions) * size_t(pairs_));
  sines_.resize(cosines_.size());
  for (qint64 p = 0; p < positions; ++p) {
    const size_t offset = size_t(p) * size_t(pairs_);
    ropeCosSin(schedule, double(p), std::span<double>(cosines_.data() + offset, size_t(pairs_)),
               std::span<double>(sines_.data() + offset, size_t(pairs_)));
  }
}

void RopeTable::rotate(float* vector, qint64 position) const {
  const size_t offset = size_t(position) * size_t(pairs_);
  rotatePairs(std::span<float>(vector, size_t(rotaryDim_)),
              std::span<const double>(cosines_.data() + offset, size_t(pairs_)),
              std::span<const double>(sines_.data() + offset, size_t(pairs_)), rotaryDim_, layout_);
}

}  // namespace sinkscope
