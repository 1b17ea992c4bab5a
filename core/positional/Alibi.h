// ALiBi's per-head slopes for any head count (Press et al. 2022; docs/references.md section 2) and the
// bias they add to a logit. Not attention itself: the probe adds the bias while scoring.
#pragma once

#include <QtGlobal>
#include <vector>

namespace sinkscope {

// Slopes m_1..m_n for n heads, in head order: for n a power of two m_k = 2^(-8k/n); otherwise the
// n' = 2^floor(log2 n) slopes of that rule, then 2^(-4(2j-1)/n') for j = 1..n-n' appended (the
// official implementation's order, which HF BLOOM and MPT follow). Throws Error(BadInput) for n < 1.
std::vector<double> alibiSlopes(int heads);

// The bias head h adds to the logit of query i for key j <= i: -m_h (i - j).
inline double alibiBias(double slope, qint64 queryPosition, qint64 keyPosition) {
  return -slope * static_cast<double>(queryPosition - keyPosition);
}

}  // namespace sinkscope
