// The sink curve: the probe's metrics (docs/references.md section 5) against context length, one
// probe run per context, for any query/key source. Not the choice of scheme per context: the
// caller passes it (dynamic NTK and LongRoPE change with the sequence length).
#pragma once

#include "attention/AttentionProbe.h"

#include <functional>

namespace sinkscope {

struct SinkCurvePoint {
  qint64 contextTokens = 0;
  int queries = 0;                    // sampled query rows (the last one included)
  RowMetrics mean;                    // each metric averaged over the sampled queries (i >= 4)
  RowMetrics last;                    // the last query, position contextTokens - 1
  std::vector<NeedleResult> needles;  // retrieval by the last query
};

struct SinkCurveRequest {
  std::vector<qint64> contexts;  // ascending is not required
  int queriesPerContext = 64;
  qint64 trainedContext = 0;  // rows are sampled on both sides of it
  std::vector<double> needleDepths;
  qint64 keyBlockTokens = 8192;
};

// schemeAt(context) gives the scheme a runtime would use for a sequence of that length.
// Throws Cancelled when callbacks.isCancelled says stop; progress runs over the whole curve (0..1).
std::vector<SinkCurvePoint> computeSinkCurve(const QueryKeySource& source,
                                             const std::function<PositionalScheme(qint64)>& schemeAt,
                                             const SinkCurveRequest& request,
                                             const ProbeCallbacks& callbacks = {});

// Mean of each metric over rows (sink masses, entropy, normalised entropy).
RowMetrics meanMetrics(const std::vector<RowMetrics>& rows);

}  // namespace sinkscope
