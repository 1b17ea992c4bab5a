// The streamed attention probe: exact causal softmax rows of one head for a few query
// positions, over key blocks with an online softmax (memory O(rows x bins), never O(N^2)),
// giving the pooled heatmap, the row metrics of docs/references.md section 5 and needle retrieval.
// Not where queries/keys come from (QueryKeySource) nor how a mitigation picks the scheme.
#pragma once

#include "attention/AttentionTypes.h"
#include "attention/HeatmapBins.h"
#include "attention/PositionalScheme.h"
#include "attention/QueryKeySource.h"

#include <functional>
#include <vector>

namespace sinkscope {

struct ProbeRequest {
  qint64 contextTokens = 0;            // N: keys 0..N-1; every query position must be < N
  std::vector<qint64> queryPositions;  // rows; sorted and de-duplicated by the probe
  int bins = 0;                        // heatmap bins over the key axis (0: no heatmap)
  int exactKeyColumns = 4;             // leading bins holding one key each
  std::vector<double> needleDepths;    // in [0, 1]: 0 next to the start, 1 next to the last query
  qint64 keyBlockTokens = 8192;        // keys generated, rotated and scored at a time
};

// Retrieval of one needle by the last query: the needle key replaces the filler key at
// keyPosition; weight and rank are exact for that one-needle sequence.
struct NeedleResult {
  double depth = 0;        // as requested
  qint64 keyPosition = 0;  // token position of the needle
  bool inCache = true;     // false when the KV cache has evicted it (weight 0, rank -1)
  double weight = 0;       // attention of the last query on the needle
  qint64 rank = -1;        // 1 + number of keys with a strictly larger logit
};

struct ProbeResult {
  std::vector<qint64> queryPositions;  // ascending, the rows of heatmap and metrics
  PooledHeatmap heatmap;               // empty when bins == 0
  std::vector<RowMetrics> rows;        // one per query position
  std::vector<NeedleResult> needles;   // one per needle depth, for the last query row
};

struct ProbeCallbacks {
  std::function<bool()> isCancelled;              // polled once per key block
  std::function<void(double fraction)> progress;  // 0..1, once per key block
};

// Runs the probe. Throws Cancelled (common/Cancelled.h) when callbacks.isCancelled says stop, and
// Error(BadInput) naming the field when the request is impossible (a query position outside
// [0, N), N beyond the source's keys).
ProbeResult runAttentionProbe(const QueryKeySource& source, const PositionalScheme& scheme,
                              const ProbeRequest& request, const ProbeCallbacks& callbacks = {});

// Query rows evenly spread over [minimum, N-1], always including N-1 (the last query).
std::vector<qint64> evenlySpacedQueries(qint64 contextTokens, int count, qint64 minimum = 4);
// Query rows on both sides of the trained context when N exceeds it (half inside, half past),
// always including N-1; evenly spaced when N <= trained.
std::vector<qint64> queriesAroundTrained(qint64 contextTokens, qint64 trainedContext, int count,
                                         qint64 minimum = 4);

}  // namespace sinkscope
