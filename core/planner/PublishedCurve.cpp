#include "planner/PublishedCurve.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace sinkscope {

namespace {

bool isPerplexity(const ReferencePoint& point) {
  return point.metric.startsWith(QLatin1String("perplexity"));
}

double referenceValue(const ReferencePoint& point) {
  for (const ReferenceValue& value : point.values)
    if (value.contextTokens == point.curveReferenceContext) return value.value;
  return point.values.front().value;
}

// Quality at each published length: per-position (cumulative perplexity) or per-length (scores).
std::vector<double> qualities(const ReferencePoint& point) {
  const double reference = referenceValue(point);
  std::vector<double> out;
  for (std::size_t i = 0; i < point.values.size(); ++i) {
    const ReferenceValue& v = point.values[i];
    double quality = 0;
    if (!isPerplexity(point)) {
      quality = v.value / reference;
    } else if (point.curve == CurveKind::Cumulative && i > 0) {
      const ReferenceValue& previous = point.values[i - 1];
      const double totalNll = double(v.contextTokens) * std::log(v.value) -
                              double(previous.contextTokens) * std::log(previous.value);
      const double binNll = totalNll / double(v.contextTokens - previous.contextTokens);
      quality = reference / std::exp(std::min(binNll, 700.0));
    } else {
      quality = reference / v.value;
    }
    out.push_back(std::clamp(quality, 0.0, 1.0));
  }
  return out;
}

}  // namespace

const ReferencePoint* publishedCurveFor(const ReferenceSet& references, const QString& modelId,
                                        const QString& settingName, bool modelHasWindow,
                                        bool windowHonoured) {
  const ReferencePoint* borrowed = nullptr;
  for (const ReferencePoint& point : references.points) {
    if (point.curve == CurveKind::None || point.mitigation != settingName) continue;
    if (modelHasWindow && !point.runtimeWindow.isEmpty() &&
        (point.runtimeWindow == QLatin1String("enforced")) != windowHonoured)
      continue;
    if (point.modelId == modelId) return &point;
    if (!borrowed && point.borrowedFor.contains(modelId)) borrowed = &point;
  }
  return borrowed;
}

CurveReading readCurve(const ReferencePoint& curve, qint64 context) {
  const std::vector<double> q = qualities(curve);
  const std::vector<ReferenceValue>& v = curve.values;
  CurveReading reading;
  std::size_t i = 0;
  while (i < v.size() && v[i].contextTokens < context) ++i;  // first published length >= context
  if (i == v.size()) {  // past the last length: hold the last bin, widen the band by its trend
    const std::size_t last = v.size() - 1;
    const double trend = last > 0 && q[last - 1] > 0 ? std::min(1.0, q[last] / q[last - 1]) : 1.0;
    reading.quality = {q[last], q[last] * trend, q[last]};
    reading.extrapolated = true;
    reading.nearestContext = v[last].contextTokens;
    reading.nearestValue = v[last].value;
    return reading;
  }
  reading.nearestContext = v[i].contextTokens;
  reading.nearestValue = v[i].value;
  if (i == 0) {
    reading.quality = {q[0], q[0], q.size() > 1 ? std::max(q[0], q[1]) : q[0]};
    if (context <= curve.curveReferenceContext) reading.quality = {1.0, q[0], 1.0};
    return reading;
  }
  double central = q[i];
  if (curve.curve == CurveKind::PerLength && q[i - 1] > 0 && q[i] > 0) {
    const double t = std::log(double(context) / double(v[i - 1].contextTokens)) /
                     std::log(double(v[i].contextTokens) / double(v[i - 1].contextTokens));
    central = std::exp(std::log(q[i - 1]) + t * (std::log(q[i]) - std::log(q[i - 1])));
    if (context - v[i - 1].contextTokens < v[i].contextTokens - context) {
      reading.nearestContext = v[i - 1].contextTokens;
      reading.nearestValue = v[i - 1].value;
    }
  }
  double low = std::min(q[i - 1], q[i]);
  double high = std::max(q[i - 1], q[i]);
  if (curve.curve == CurveKind::Cumulative && i + 1 < v.size()) low = std::min(low, q[i + 1]);
  reading.quality = {central, std::min(low, central), std::max(high, central)};
  return reading;
}

}  // namespace sinkscope
