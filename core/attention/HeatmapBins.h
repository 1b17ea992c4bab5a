// The key bins of every pooled heatmap (PooledHeatmap), modelled or measured: where each bin
// starts. Not the pooling itself, which each producer does as it computes its weights.
#pragma once

#include <QtGlobal>
#include <vector>

namespace sinkscope {

// Bin edges of a pooled heatmap over N keys: exactKeyColumns single-key bins, then the rest
// of [exactKeyColumns, N) split as evenly as whole tokens allow (bin sizes differ by at most one
// token). Fewer bins when N is small; starts.back() == N.
std::vector<qint64> heatmapBinStarts(qint64 contextTokens, int bins, int exactKeyColumns);

}  // namespace sinkscope
