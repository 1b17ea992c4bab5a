// What separates two modelled heatmaps (A | B) at the requested context, in numbers and words: the
// last query's sink mass and entropy, the largest per-bin differences, and why the maps are alike
// when they are. Not the drawing (ui/charts) and not the planner's verdicts (MitigationModel.h).
#pragma once

#include "report/ChartData.h"

#include <QString>

namespace sinkscope {

struct HeatmapContrast {
  RowMetrics a, b;                        // the last query (position N - 1), mean of the heads
  double sinkColumnsDifference = 0;       // largest |B - A| over the single-key columns, every row
  double pooledBinsDifference = 0;        // largest |B - A| over the pooled key bins, every row
  qint64 largestSinkGapQuery = -1;        // the query row where attention on token 0 differs most
  double sinkAtGapA = 0, sinkAtGapB = 0;  // that row's attention on token 0 (exact: bin 0 is key 0)
  bool lastQueryAlike = false;  // S1 and H / ln N of the last query differ by less than kAlikeThreshold
  bool alike = false;           // the last query alike, and no cell differs by kAlikeThreshold or more
};

// A stated choice, not a published figure (docs/modelled-attention.md): two settings whose last
// query differs by less than this in attention share on token 0 and in H / ln N, and whose maps
// differ by less than this in every cell, are called alike.
inline constexpr double kAlikeThreshold = 0.05;

// nullopt without two panels of the same shape and their lastQueryMetrics.
std::optional<HeatmapContrast> contrastHeatmaps(const HeatmapChartData& data);

// One paragraph for the Compare view: the numbers of both settings at the requested context, and
// either where they differ or why they are alike (the model's window under this runtime, the
// context inside the trained one, or angles too close to move the attention). Empty when
// contrastHeatmaps has nothing to say.
QString heatmapContrastText(const HeatmapChartData& data);

}  // namespace sinkscope
