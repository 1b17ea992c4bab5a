// Tiled products with encoded weights: decode a tile of rows through the type table, then GEMM.
#include "inference/EncodedProduct.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace sinkscope {

namespace {

// Rows of x multiplied per step, so that a long text polls for cancellation several times a
// second even on the widest matrices (a 4,096-row step of a 7B projection tile is ~0.1 s).
constexpr qint64 kRowsPerStep = 4096;
// Products smaller than this (multiply-adds) run on one thread: waking the others costs more.
constexpr double kParallelMultiplyAdds = double(1 << 22);

bool isFirstThread() {
#ifdef _OPENMP
  return omp_get_thread_num() == 0;
#else
  return true;
#endif
}

// Weight rows per tile: a multiple of the thread count of tiles, each within kDecodedTileFloats.
qint64 tileRowsFor(const EncodedMatrix& w, int threads) {
  const double floats = double(w.rows) * double(w.cols);
  const qint64 rounds =
      std::max<qint64>(1, qint64(std::ceil(floats / (double(threads) * double(kDecodedTileFloats)))));
  const qint64 tiles = std::min<qint64>(w.rows, rounds * threads);
  return (w.rows + tiles - 1) / tiles;
}

}  // namespace

int productThreadCount() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

bool multiplyByTransposed(const Eigen::Ref<const RowMatrix>& x, const EncodedMatrix& w,
                          Eigen::Ref<RowMatrix> y, bool accumulate,
                          const std::function<bool()>& isCancelled) {
  const qint64 n = x.rows();
  const bool parallel = double(n) * double(w.rows) * double(w.cols) >= kParallelMultiplyAdds;
  const int threads = parallel ? productThreadCount() : 1;
  const qint64 tileRows = tileRowsFor(w, threads);
  const qint64 tiles = (w.rows + tileRows - 1) / tileRows;
  std::atomic<bool> cancelled{false};
  auto pollCancel = [&] {
    if (isCancelled && isFirstThread() && isCancelled()) cancelled = true;
    return cancelled.load(std::memory_order_relaxed);
  };
  if (pollCancel()) return false;  // on the calling thread, whatever tiles it gets below
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
  for (qint64 t = 0; t < tiles; ++t) {
    if (pollCancel()) continue;
    thread_local std::vector<float> decoded;
    const qint64 r0 = t * tileRows;
    const qint64 rows = std::min(tileRows, w.rows - r0);
    decoded.resize(size_t(rows * w.cols));
    w.decodeRows(r0, rows, decoded.data());
    const Eigen::Map<const RowMatrix> tile(decoded.data(), rows, w.cols);
    for (qint64 i0 = 0; i0 < n; i0 += kRowsPerStep) {
      if (i0 > 0 && pollCancel()) break;
      const qint64 count = std::min(kRowsPerStep, n - i0);
      auto out = y.block(i0, r0, count, rows);
      if (accumulate)
        out.noalias() += x.middleRows(i0, count) * tile.transpose();
      else
        out.noalias() = x.middleRows(i0, count) * tile.transpose();
    }
  }
  return !cancelled.load();
}

}  // namespace sinkscope
