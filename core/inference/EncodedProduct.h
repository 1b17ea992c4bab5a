// Matrix products of float activations with encoded weights (EncodedMatrix.h): each thread
// decodes a tile of weight rows into a small float buffer and multiplies it with Eigen. Private
// to core/inference (it speaks Eigen); not a kernel of any one tensor type.
#pragma once

#include "inference/EncodedMatrix.h"

#include <Eigen/Dense>
#include <functional>

namespace sinkscope {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Floats of one thread's decoded tile (4 MiB): big enough that Eigen's blocking runs at full
// speed, small enough to stay near the cache and out of the memory budget (docs/limits.md).
inline constexpr qint64 kDecodedTileFloats = qint64(1) << 20;

// Threads the products use (OpenMP's maximum; 1 without OpenMP).
int productThreadCount();

// y = x · Wᵀ (y += x · Wᵀ when accumulate): x is n x w.cols, y is n x w.rows. Every weight is
// decoded once per call, in tiles spread over the OpenMP threads. isCancelled (may be empty) is
// polled between tiles and between blocks of x rows; a cancelled product stops early and
// returns false, leaving y partly written.
bool multiplyByTransposed(const Eigen::Ref<const RowMatrix>& x, const EncodedMatrix& w,
                          Eigen::Ref<RowMatrix> y, bool accumulate,
                          const std::function<bool()>& isCancelled = {});

}  // namespace sinkscope
