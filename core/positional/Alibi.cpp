#include "positional/Alibi.h"

#include "common/Error.h"

#include <bit>
#include <cmath>

namespace sinkscope {

std::vector<double> alibiSlopes(int heads) {
  if (heads < 1)
    throwBadInput(QStringLiteral("alibi"), QStringLiteral("num_attention_heads"),
                  QStringLiteral("must be at least 1 (got %1)").arg(heads));
  const int powerOfTwo = static_cast<int>(std::bit_floor(static_cast<unsigned>(heads)));
  std::vector<double> slopes;
  slopes.reserve(static_cast<size_t>(heads));
  for (int k = 1; k <= powerOfTwo; ++k) slopes.push_back(std::exp2(-8.0 * k / powerOfTwo));
  // The odd-numbered slopes of the 2n' rule: 2^(-8(2j-1)/(2n')) = 2^(-4(2j-1)/n').
  for (int j = 1; j <= heads - powerOfTwo; ++j) slopes.push_back(std::exp2(-4.0 * (2 * j - 1) / powerOfTwo));
  return slopes;
}

}  // namespace sinkscope
