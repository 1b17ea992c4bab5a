#include "attention/PositionalScheme.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sinkscope {

double PositionalScheme::logitScale(int headDim) const {
  if (softmaxScale > 0) return softmaxScale;
  return headDim > 0 ? 1.0 / std::sqrt(double(headDim)) : 1.0;
}

qint64 PositionalScheme::queryPosition(qint64 query) const {
  if (!evicts() || query < sinkTokens + windowTokens) return query;
  return sinkTokens + windowTokens - 1;
}

qint64 PositionalScheme::keyPosition(qint64 query, qint64 key) const {
  if (key < 0 || key > query) return -1;
  if (!evicts() || query < sinkTokens + windowTokens) return key;
  if (key < sinkTokens) return key;
  const qint64 windowStart = query - windowTokens + 1;  // first key of the window
  if (key < windowStart) return -1;
  return sinkTokens + (key - windowStart);
}

namespace {

// Rotates pair (a, b) of one vector by angle (cos c, sin s), then scales by factor.
inline void rotatePair(float* vector, int a, int b, double c, double s, double factor) {
  const double x = vector[a];
  const double y = vector[b];
  vector[a] = float(factor * (x * c - y * s));
  vector[b] = float(factor * (y * c + x * s));
}

}  // namespace

void applyRope(const RopeSchedule& rope, int headDim, std::span<const qint64> positions, float* vectors) {
  const int pairs = rope.rotaryDim / 2;
  for (size_t row = 0; row < positions.size(); ++row) {
    float* vector = vectors + row * size_t(headDim);
    const double position = double(positions[row]);
    for (int p = 0; p < pairs; ++p) {
      const double angle = position * rope.invFreq[size_t(p)];
      rotatePair(vector, ropePairFirst(rope.layout, rope.rotaryDim, p), ropePairSecond(rope.layout, rope.rotaryDim, p),
                 std::cos(angle), std::sin(angle), rope.attentionFactor);
    }
  }
}

void applyRopeConsecutive(const RopeSchedule& rope, int headDim, qint64 first, qint64 count, float* vectors) {
  const int pairs = rope.rotaryDim / 2;
  const size_t pairCount = size_t(std::max(pairs, 0));
  std::vector<double> cosNow(pairCount), sinNow(pairCount), cosStep(pairCount), sinStep(pairCount);
  for (int p = 0; p < pairs; ++p) {
    const double theta = rope.invFreq[size_t(p)];
    cosNow[size_t(p)] = std::cos(double(first) * theta);
    sinNow[size_t(p)] = std::sin(double(first) * theta);
    cosStep[size_t(p)] = std::cos(theta);
    sinStep[size_t(p)] = std::sin(theta);
  }
  for (qint64 row = 0; row < count; ++row) {
    float* vector = vectors + size_t(row) * size_t(headDim);
    for (int p = 0; p < pairs; ++p)
      rotatePair(vector, ropePairFirst(rope.layout, rope.rotaryDim, p), ropePairSecond(rope.layout, rope.rotaryDim, p),
                 cosNow[size_t(p)], sinNow[size_t(p)], rope.attentionFactor);
    for (int p = 0; p < pairs; ++p) {  // advance every pair by one position
      const double c = cosNow[size_t(p)], s = sinNow[size_t(p)];
      cosNow[size_t(p)] = c * cosStep[size_t(p)] - s * sinStep[size_t(p)];
      sinNow[size_t(p)] = s * cosStep[size_t(p)] + c * sinStep[size_t(p)];
    }
  }
}

}  // namespace sinkscope
