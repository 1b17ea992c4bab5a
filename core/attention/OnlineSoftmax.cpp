#include "attention/OnlineSoftmax.h"

#include <Eigen/Core>
#include <cmath>

namespace sinkscope {

// When M grows to M' every term gains the factor c = e^(M - M') and (l_j - M') = (l_j - M) + (M - M'),
// so Z' = c Z and W' = c (W + (M - M') Z).
double OnlineSoftmax::raiseMaximum(double maximum) {
  if (!(maximum > maximum_)) return 1.0;
  const double factor = sum_ > 0 ? std::exp(maximum_ - maximum) : 0.0;
  if (sum_ > 0) weighted_ = factor * (weighted_ + (maximum_ - maximum) * sum_);
  sum_ *= factor;
  maximum_ = maximum;
  return factor;
}

void OnlineSoftmax::absorb(std::span<float> logits, std::vector<float>& scratch) {
  if (logits.empty()) return;
  Eigen::Map<Eigen::ArrayXf> values(logits.data(), Eigen::Index(logits.size()));
  if (scratch.size() < logits.size()) scratch.resize(logits.size());
  Eigen::Map<Eigen::ArrayXf> shifted(scratch.data(), Eigen::Index(logits.size()));
  // Z and W without a logarithm per element: e_j = e^(l_j - M), W += sum_j e_j (l_j - M).
  shifted = values - float(maximum_);
  values = shifted.exp();
  weighted_ += double((values * shifted).sum());
  sum_ += double(values.sum());
}

double OnlineSoftmax::absorbBlock(std::span<float> logits, std::vector<float>& scratch) {
  if (logits.empty()) return 1.0;
  const Eigen::Map<const Eigen::ArrayXf> values(logits.data(), Eigen::Index(logits.size()));
  const double factor = raiseMaximum(double(values.maxCoeff()));
  absorb(logits, scratch);
  return factor;
}

double OnlineSoftmax::entropy() const {
  return sum_ > 0 ? std::log(sum_) - weighted_ / sum_ : 0.0;
}

}  // namespace sinkscope
