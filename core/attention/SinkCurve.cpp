#include "attention/SinkCurve.h"

namespace sinkscope {

RowMetrics meanMetrics(const std::vector<RowMetrics>& rows) {
  RowMetrics mean;
  if (rows.empty()) return mean;
  for (const RowMetrics& row : rows) {
    mean.sinkMass1 += row.sinkMass1;
    mean.sinkMass4 += row.sinkMass4;
    mean.entropy += row.entropy;
    mean.normalizedEntropy += row.normalizedEntropy;
  }
  const double n = double(rows.size());
  mean.sinkMass1 /= n;
  mean.sinkMass4 /= n;
  mean.entropy /= n;
  mean.normalizedEntropy /= n;
  return mean;
}

std::vector<SinkCurvePoint> computeSinkCurve(const QueryKeySource& source,
                                             const std::function<PositionalScheme(qint64)>& schemeAt,
                                             const SinkCurveRequest& request,
                                             const ProbeCallbacks& callbacks) {
  std::vector<SinkCurvePoint> points;
  double totalKeys = 0, doneKeys = 0;
  for (qint64 context : request.contexts) totalKeys += double(context);
  for (qint64 context : request.contexts) {
    ProbeRequest probe;
    probe.contextTokens = context;
    probe.queryPositions = queriesAroundTrained(context, request.trainedContext, request.queriesPerContext);
    probe.needleDepths = request.needleDepths;
    probe.keyBlockTokens = request.keyBlockTokens;
    ProbeCallbacks inner{callbacks.isCancelled, nullptr};
    if (callbacks.progress)
      inner.progress = [&](double fraction) {
        callbacks.progress((doneKeys + fraction * double(context)) / totalKeys);
      };
    const ProbeResult result = runAttentionProbe(source, schemeAt(context), probe, inner);
    doneKeys += double(context);
    SinkCurvePoint point;
    point.contextTokens = context;
    point.queries = int(result.rows.size());
    point.mean = meanMetrics(result.rows);
    point.last = result.rows.back();
    point.needles = result.needles;
    points.push_back(std::move(point));
  }
  return points;
}

}  // namespace sinkscope
