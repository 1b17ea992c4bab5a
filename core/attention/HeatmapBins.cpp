#include "attention/HeatmapBins.h"

#include <algorithm>

namespace sinkscope {

std::vector<qint64> heatmapBinStarts(qint64 contextTokens, int bins, int exactKeyColumns) {
  std::vector<qint64> starts;
  if (contextTokens < 1 || bins < 1) return starts;
  qint64 exact = std::clamp<qint64>(exactKeyColumns, 0, std::min<qint64>(bins, contextTokens));
  if (exact == bins && contextTokens > bins) --exact;  // keep one bin for the rest
  for (qint64 j = 0; j <= exact; ++j) starts.push_back(j);
  const qint64 rest = contextTokens - exact;
  const qint64 pooled = std::min<qint64>(bins - exact, rest);
  for (qint64 b = 1; b <= pooled; ++b) starts.push_back(exact + (b * rest) / pooled);
  return starts;
}

}  // namespace sinkscope
