#include "attention/AttentionTypes.h"

#include <cmath>

namespace sinkscope {

template <typename T>
static RowMetrics computeRowMetrics(std::span<const T> weights) {
  RowMetrics metrics;
  if (weights.empty()) return metrics;
  metrics.sinkMass1 = double(weights[0]);
  for (size_t j = 0; j < weights.size(); ++j) {
    const double a = double(weights[j]);
    if (j < 4) metrics.sinkMass4 += a;
    if (a > 0) metrics.entropy -= a * std::log(a);
  }
  const double maximum = std::log(double(weights.size()));
  metrics.normalizedEntropy = maximum > 0 ? metrics.entropy / maximum : 0.0;
  return metrics;
}

RowMetrics rowMetrics(std::span<const float> weights) {
  return computeRowMetrics(weights);
}
RowMetrics rowMetrics(std::span<const double> weights) {
  return computeRowMetrics(weights);
}

}  // namespace sinkscope
