#include "inference/RopeTable.h"

#include <cmath>

namespace sinkscope {

RopeTable::RopeTable(const RopeSchedule& schedule, qint64 positions)
    : pairs_(int(schedule.invFreq.size())), positions_(positions), layout_(schedule.layout) {
  cosines_.resize(size_t(positions) * size_t(pairs_));
  sines_.resize(cosines_.size());
  for (qint64 p = 0; p < positions; ++p)
    for (int i = 0; i < pairs_; ++i) {
      const double angle = double(p) * schedule.invFreq[size_t(i)];
      cosines_[size_t(p) * size_t(pairs_) + size_t(i)] = float(std::cos(angle) * schedule.attentionFactor);
      sines_[size_t(p) * size_t(pairs_) + size_t(i)] = float(std::sin(angle) * schedule.attentionFactor);
    }
}

void RopeTable::rotate(float* vector, qint64 position) const {
  const float* c = cosines_.data() + size_t(position) * size_t(pairs_);
  const float* s = sines_.data() + size_t(position) * size_t(pairs_);
  const bool adjacent = layout_ == RopePairLayout::Adjacent;
  for (int i = 0; i < pairs_; ++i) {
    float& a = vector[adjacent ? 2 * i : i];
    float& b = vector[adjacent ? 2 * i + 1 : i + pairs_];
    const float x = a;
    const float y = b;
    a = x * c[i] - y * s[i];
    b = x * s[i] + y * c[i];
  }
}

}  // namespace sinkscope
