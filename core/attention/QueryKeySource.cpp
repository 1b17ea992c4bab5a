#include "attention/QueryKeySource.h"

#include "common/Error.h"

#include <algorithm>

namespace sinkscope {

DenseQueryKeySource::DenseQueryKeySource(int headDim, std::vector<float> queries, std::vector<float> keys)
    : headDim_(headDim), tokens_(0), queries_(std::move(queries)), keys_(std::move(keys)) {
  if (headDim_ < 1 || queries_.size() != keys_.size() || queries_.size() % size_t(headDim_) != 0)
    throwBadInput(QStringLiteral("attention source"), QStringLiteral("shape"),
                  QStringLiteral("queries and keys must both be tokens x head_dim"));
  tokens_ = qint64(keys_.size() / size_t(headDim_));
}

void DenseQueryKeySource::keys(qint64 first, qint64 count, float* out) const {
  std::copy_n(keys_.begin() + first * headDim_, count * headDim_, out);
}

void DenseQueryKeySource::queries(std::span<const qint64> positions, float* out) const {
  for (size_t r = 0; r < positions.size(); ++r)
    std::copy_n(queries_.begin() + positions[r] * headDim_, headDim_, out + r * size_t(headDim_));
}

}  // namespace sinkscope
