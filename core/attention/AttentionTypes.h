// Data types shared by the modelled probe, measured mode and the views: a pooled heatmap and the
// per-row metrics of docs/references.md section 5. Not the code that fills them.
#pragma once

#include <QtGlobal>
#include <span>
#include <vector>

namespace sinkscope {

// Attention of a few query rows over all keys, pooled into bins so that long contexts stay
// readable and memory stays O(rows x bins). The first exactKeyColumns bins hold one key each
// (where sinks live); the rest cover [binStart[b], binStart[b+1]) key positions.
struct PooledHeatmap {
  std::vector<qint64> queryPositions;  // rows, 0-based token positions
  std::vector<qint64> binStart;        // bins + 1 key positions; binStart.back() = context
  int exactKeyColumns = 0;
  std::vector<float> mass;  // rows x bins, row-major: attention mass in each bin
  int rows() const { return int(queryPositions.size()); }
  int bins() const { return binStart.empty() ? 0 : int(binStart.size()) - 1; }
  float at(int row, int bin) const { return mass[size_t(row) * size_t(bins()) + size_t(bin)]; }
};

// Metrics of one causal attention row A_i· (query i over keys 0..i).
struct RowMetrics {
  double sinkMass1 = 0;          // S_1(i) = A_i0
  double sinkMass4 = 0;          // S_4(i) = sum_{j<4} A_ij
  double entropy = 0;            // H_i = -sum_j A_ij ln A_ij (nats)
  double normalizedEntropy = 0;  // H_i / ln(i + 1); 0 for i = 0
};

// Computes RowMetrics for a row of weights over keys 0..i (weights.size() == i + 1, sums to 1).
RowMetrics rowMetrics(std::span<const float> weights);
RowMetrics rowMetrics(std::span<const double> weights);

}  // namespace sinkscope
