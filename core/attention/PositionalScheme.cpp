#include "attention/PositionalScheme.h"

#include "positional/RopeRotation.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sinkscope {

double PositionalScheme::logitScale(int headDim) const {
  if (softmaxScale > 0) return softmaxScale;
  return headDim > 0 ? 1.0 / std::sqrt(double(headDim)) : 1.0;
}

void applyRope(const RopeSchedule& rope, int headDim, std::span<const qint64> positions, float* vectors) {
  for (size_t row = 0; row < positions.size(); ++row)
    sinkscope::applyRope(std::span<float>(vectors + row * size_t(headDim), size_t(headDim)), rope,
                         double(positions[row]));
}

void applyRopeConsecutive(const RopeSchedule& rope, int headDim, qint64 first, qint64 count, float* vectors) {
  const size_t pairs = rope.invFreq.size();
  // cos/sin at the block start carry the attention factor; stepping them by an unscaled rotation
  // keeps that factor, so rotatePairs applies it exactly as ropeCosSin would.
  std::vector<double> cosNow(pairs), sinNow(pairs), cosStep(pairs), sinStep(pairs);
  ropeCosSin(rope, double(first), cosNow, sinNow);
  for (size_t p = 0; p < pairs; ++p) {
    cosStep[p] = std::cos(rope.invFreq[p]);
    sinStep[p] = std::sin(rope.invFreq[p]);
  }
  for (qint64 row = 0; row < count; ++row) {
    rotatePairs(std::span<float>(vectors + size_t(row) * size_t(headDim), size_t(headDim)), cosNow, sinNow,
                rope.rotaryDim, rope.layout);
    for (size_t p = 0; p < pairs; ++p) {  // advance every pair by one position
      const double c = cosNow[p], s = sinNow[p];
      cosNow[p] = c * cosStep[p] - s * sinStep[p];
      sinNow[p] = s * cosStep[p] + c * sinStep[p];
    }
  }
}

}  // namespace sinkscope
