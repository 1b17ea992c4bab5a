#include "positional/RopeRotation.h"

#include "common/Error.h"

#include <cmath>
#include <vector>

namespace sinkscope {

namespace {

template <typename Scalar>
void rotate(std::span<Scalar> vector, std::span<const double> cos, std::span<const double> sin, int rotaryDim,
            RopePairLayout layout) {
  const size_t pairs = static_cast<size_t>(rotaryDim / 2);
  if (rotaryDim < 0 || vector.size() < static_cast<size_t>(rotaryDim) || cos.size() < pairs ||
      sin.size() < pairs)
    throw Error(ErrorKind::Internal, QStringLiteral("rope rotation"), QStringLiteral("sizes"),
                QStringLiteral("vector of %1, rotary dim %2, %3 cos values: sizes do not match")
                    .arg(vector.size())
                    .arg(rotaryDim)
                    .arg(cos.size()));
  for (size_t i = 0; i < pairs; ++i) {
    const size_t first = size_t(ropePairFirst(layout, rotaryDim, int(i)));
    const size_t second = size_t(ropePairSecond(layout, rotaryDim, int(i)));
    const double x = static_cast<double>(vector[first]);
    const double y = static_cast<double>(vector[second]);
    vector[first] = static_cast<Scalar>(x * cos[i] - y * sin[i]);
    vector[second] = static_cast<Scalar>(y * cos[i] + x * sin[i]);
  }
}

template <typename Scalar>
void apply(std::span<Scalar> vector, const RopeSchedule& schedule, double position,
           RopeAnglePrecision precision) {
  std::vector<double> cos(schedule.invFreq.size());
  std::vector<double> sin(schedule.invFreq.size());
  ropeCosSin(schedule, position, cos, sin, precision);
  rotate<Scalar>(vector, cos, sin, schedule.rotaryDim, schedule.layout);
}

}  // namespace

void ropeCosSin(const RopeSchedule& schedule, double position, std::span<double> cos, std::span<double> sin,
                RopeAnglePrecision precision) {
  const size_t pairs = schedule.invFreq.size();
  if (cos.size() < pairs || sin.size() < pairs)
    throw Error(ErrorKind::Internal, QStringLiteral("rope rotation"), QStringLiteral("cos/sin"),
                QStringLiteral("need %1 values, got %2").arg(pairs).arg(cos.size()));
  for (size_t i = 0; i < pairs; ++i) {
    double angle = position * schedule.invFreq[i];
    if (precision == RopeAnglePrecision::Float32)
      angle = static_cast<double>(static_cast<float>(position) * static_cast<float>(schedule.invFreq[i]));
    cos[i] = std::cos(angle) * schedule.attentionFactor;
    sin[i] = std::sin(angle) * schedule.attentionFactor;
  }
}

void rotatePairs(std::span<float> vector, std::span<const double> cos, std::span<const double> sin,
                 int rotaryDim, RopePairLayout layout) {
  rotate<float>(vector, cos, sin, rotaryDim, layout);
}

void rotatePairs(std::span<double> vector, std::span<const double> cos, std::span<const double> sin,
                 int rotaryDim, RopePairLayout layout) {
  rotate<double>(vector, cos, sin, rotaryDim, layout);
}

void applyRope(std::span<float> vector, const RopeSchedule& schedule, double position,
               RopeAnglePrecision precision) {
  apply<float>(vector, schedule, position, precision);
}

void applyRope(std::span<double> vector, const RopeSchedule& schedule, double position,
               RopeAnglePrecision precision) {
  apply<double>(vector, schedule, position, precision);
}

}  // namespace sinkscope
