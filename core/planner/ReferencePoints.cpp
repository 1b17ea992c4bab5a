#include "planner/ReferencePoints.h"

#include "common/Error.h"
#include "common/JsonRead.h"

#include <QJsonArray>
#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

ReferenceValue readValue(const QJsonValue& json, const JsonReader& where) {
  const QJsonArray pair = json.toArray();
  if (pair.size() < 2 || !pair.at(0).isDouble() || !pair.at(1).isDouble())
    where.fail(QStringLiteral("values"), QStringLiteral("expected [context, value] pairs"));
  ReferenceValue value;
  value.contextTokens = static_cast<qint64>(pair.at(0).toDouble());
  value.value = pair.at(1).toDouble();
  value.lowerBound = pair.size() > 2 && pair.at(2).toString() == QLatin1String("lower_bound");
  value.upperBound = pair.size() > 2 && pair.at(2).toString() == QLatin1String("upper_bound");
  return value;
}

void readCurve(const JsonReader& curve, ReferencePoint& point) {
  const QString kind = curve.requireString(QStringLiteral("kind"));
  if (kind == QLatin1String("cumulative"))
    point.curve = CurveKind::Cumulative;
  else if (kind == QLatin1String("per_length"))
    point.curve = CurveKind::PerLength;
  else
    curve.fail(QStringLiteral("kind"), QStringLiteral("'%1'; expected cumulative or per_length").arg(kind));
  point.curveReferenceContext = curve.requireInt(QStringLiteral("reference_context"), 1, 1ll << 30);
  const bool present = std::any_of(point.values.begin(), point.values.end(), [&](const ReferenceValue& v) {
    return v.contextTokens == point.curveReferenceContext && v.value > 0;
  });
  if (!present)
    curve.fail(QStringLiteral("reference_context"), QStringLiteral("no positive value at that length"));
  for (std::size_t i = 1; i < point.values.size(); ++i)
    if (point.values[i].contextTokens <= point.values[i - 1].contextTokens || point.values[i].value <= 0)
      curve.fail(QStringLiteral("kind"),
                 QStringLiteral("a curve needs positive values at increasing lengths"));
}

ReferencePoint readPoint(const JsonReader& entry) {
  ReferencePoint point;
  point.id = entry.requireString(QStringLiteral("id"));
  point.source = entry.requireString(QStringLiteral("source"));
  point.model = entry.requireString(QStringLiteral("model"));
  point.modelId = entry.optionalString(QStringLiteral("model_id")).value_or(QString());
  point.mitigation = entry.requireString(QStringLiteral("mitigation"));
  point.fineTuned = entry.optionalBool(QStringLiteral("fine_tuned")).value_or(false);
  point.trainedContext = entry.requireInt(QStringLiteral("trained_context"), 0, 1ll << 30);
  point.factor = entry.requireDouble(QStringLiteral("factor"), 1, 1024);
  point.metric = entry.requireString(QStringLiteral("metric"));
  point.claimedContext = entry.optionalInt(QStringLiteral("claimed"), 0, 1ll << 30).value_or(0);
  for (const QJsonValue& value : entry.requireArray(QStringLiteral("values")))
    point.values.push_back(readValue(value, entry));
  if (point.values.empty()) entry.fail(QStringLiteral("values"), QStringLiteral("empty"));
  if (entry.has(QStringLiteral("borrowed_for")))
    for (const QJsonValue& id : entry.requireArray(QStringLiteral("borrowed_for"))) {
      if (!id.isString())
        entry.fail(QStringLiteral("borrowed_for"), QStringLiteral("expected catalogue ids"));
      point.borrowedFor << id.toString();
    }
  point.runtimeWindow = entry.optionalString(QStringLiteral("runtime_window")).value_or(QString());
  if (!point.runtimeWindow.isEmpty() && point.runtimeWindow != QLatin1String("ignored") &&
      point.runtimeWindow != QLatin1String("enforced"))
    entry.fail(QStringLiteral("runtime_window"),
               QStringLiteral("'%1'; expected ignored or enforced").arg(point.runtimeWindow));
  if (const auto curve = entry.optionalObject(QStringLiteral("curve"))) readCurve(*curve, point);
  return point;
}

double valueAt(const ReferencePoint& point, qint64 context) {
  for (const ReferenceValue& value : point.values)
    if (value.contextTokens == context) return value.value;
  throwBadInput(QStringLiteral(":/references.json"), point.id, QStringLiteral("no value at %1").arg(context));
}

const ReferencePoint& require(const ReferenceSet& set, const QString& id) {
  const ReferencePoint* point = set.find(id);
  if (!point)
    throwBadInput(QStringLiteral(":/references.json"), id, QStringLiteral("reference point missing"));
  return *point;
}

// YaRN's table: each fine-tuned s=2 model holds to 8K (its reach) and breaks at 10K.
DerivedParameter derivePastReachDecay(const ReferenceSet& set) {
  DerivedParameter p;
  std::vector<double> gammas;
  for (const QString& id : {QStringLiteral("yarn-table-pi-s2"), QStringLiteral("yarn-table-ntk-20k"),
                            QStringLiteral("yarn-table-yarn-s2")}) {
    const ReferencePoint& point = require(set, id);
    const double reach = point.trainedContext * point.factor;
    const double x = 10240.0 / reach;
    gammas.push_back(-std::log(valueAt(point, 8192) / valueAt(point, 10240)) / ((x - 1) * (x - 1)));
    p.anchors << id;
  }
  p.central = (gammas[0] + gammas[1] + gammas[2]) / 3.0;
  p.low = *std::min_element(gammas.begin(), gammas.end());
  p.high = *std::max_element(gammas.begin(), gammas.end());
  p.derivation = QStringLiteral(
      "gamma_i = -ln(ppl(8K)/ppl(10K)) / (10K/8K - 1)^2 for the three fine-tuned s=2 rows of "
      "YaRN's table (reach 8K); central = mean, band = min..max");
  return p;
}

DerivedParameter deriveFineTunedRetention(const ReferenceSet& set) {
  DerivedParameter p;
  const ReferencePoint& phi = require(set, QStringLiteral("longrope-phi3-ruler"));
  p.central = std::pow(valueAt(phi, 32768) / valueAt(phi, 4096), 1.0 / 3.0);
  p.low = std::pow(valueAt(phi, 131072) / valueAt(phi, 4096), 1.0 / 5.0);
  p.high = 1.0;
  p.anchors << phi.id << QStringLiteral("yarn-7b-s32");
  p.derivation = QStringLiteral(
      "per doubling past the trained context: Phi-3-mini-128K RULER 4K->32K "
      "(score ratio)^(1/3) central, 4K->128K ^(1/5) low; YaRN-7B s=32 keeps perplexity "
      "falling to 128K, so high = 1");
  return p;
}

DerivedParameter deriveUntunedRetention(const DerivedParameter& fineTuned) {
  DerivedParameter p;
  p.central = fineTuned.low;
  p.low = fineTuned.low * fineTuned.low;
  p.high = fineTuned.central;
  p.anchors = fineTuned.anchors;
  p.derivation = QStringLiteral(
      "assumption: without fine-tuning a doubling costs at least what the worst "
      "fine-tuned rate costs (central = fine-tuned low, low = its square, high = "
      "fine-tuned central); no published untuned quality series exists in the references");
  return p;
}

}  // namespace

double ReferencePoint::ratioLow() const {
  if (trainedContext <= 0) return 0;
  qint64 lowest = values.front().contextTokens > 0 ? values.front().contextTokens : values.front().value;
  for (const ReferenceValue& v : values)
    lowest = std::min<qint64>(lowest, v.contextTokens > 0 ? v.contextTokens : qint64(v.value));
  return double(lowest) / double(trainedContext);
}

double ReferencePoint::ratioHigh() const {
  if (trainedContext <= 0) return 0;
  qint64 highest = 0;
  for (const ReferenceValue& v : values)
    highest = std::max<qint64>(highest, v.contextTokens > 0 ? v.contextTokens : qint64(v.value));
  return double(highest) / double(trainedContext);
}

QString ReferenceSet::metricDefinition(const QString& metric) const {
  for (const auto& [name, definition] : metricDefinitions_)
    if (name == metric) return definition;
  return QString();
}

const ReferencePoint* ReferenceSet::find(const QString& id) const {
  for (const ReferencePoint& point : points)
    if (point.id == id) return &point;
  return nullptr;
}

ReferenceSet loadReferenceSet(const QString& path) {
  const JsonReader root(readJsonObjectFile(path), path);
  ReferenceSet set;
  const JsonReader metrics = root.requireObject(QStringLiteral("metrics"));
  for (auto it = metrics.object().begin(); it != metrics.object().end(); ++it)
    set.metricDefinitions_.emplace_back(it.key(), it.value().toString());
  const QJsonArray points = root.requireArray(QStringLiteral("points"));
  for (int index = 0; index < points.size(); ++index) {
    const JsonReader entry(points.at(index).toObject(), path, QStringLiteral("points[%1]").arg(index));
    ReferencePoint point = readPoint(entry);
    if (set.metricDefinition(point.metric).isEmpty())
      entry.fail(QStringLiteral("metric"), QStringLiteral("undefined metric"));
    if (point.id == QLatin1String("streamingllm-initial-tokens-7b")) {
      // by_sink_tokens: [[sinks, perplexity], ...]; 4 sinks is the default, 8 the best published.
      const QJsonArray bySinks = entry.requireArray(QStringLiteral("by_sink_tokens"));
      std::vector<ReferenceValue> sinks;
      for (const QJsonValue& value : bySinks) sinks.push_back(readValue(value, entry));
      auto at = [&](int count) {
        for (const ReferenceValue& v : sinks)
          if (v.contextTokens == count) return v.value;
        entry.fail(QStringLiteral("by_sink_tokens"), QStringLiteral("needs %1 sinks").arg(count));
      };
      set.streamingRetention.central = at(8) / at(4);
      set.streamingRetention.low = at(8) / at(1);
      set.streamingRetention.high = 1.0;
    }
    if (point.id == QLatin1String("streamingllm-sinks-13b")) {
      const JsonReader control = entry.requireObject(QStringLiteral("control"));
      const double windowOnly = control.requireDouble(QStringLiteral("window_only_perplexity"), 1, 1e9);
      set.windowOnlyRetention.central = point.values.front().value / windowOnly;
      set.windowOnlyRetention.low = set.windowOnlyRetention.central;
      set.windowOnlyRetention.high = set.windowOnlyRetention.central;
    }
    if (point.id ==
        QLatin1String("streamingllm-initial-tokens-7b")) {  // 0 initial tokens kept: the same control
      const QJsonArray bySinks = entry.requireArray(QStringLiteral("by_sink_tokens"));
      double none = 0, four = 0;
      for (const QJsonValue& value : bySinks) {
        const ReferenceValue v = readValue(value, entry);
        if (v.contextTokens == 0) none = v.value;
        if (v.contextTokens == 4) four = v.value;
      }
      if (none > 0 && four > 0)
        set.windowOnlyRetention.high = std::max(set.windowOnlyRetention.high, four / none);
    }
    set.points.push_back(point);
  }
  const JsonReader document = root.requireObject(QStringLiteral("source_document"));
  set.sourceDocumentSource = document.requireString(QStringLiteral("source"));
  const QJsonArray rows = document.requireArray(QStringLiteral("rows"));
  for (int index = 0; index < rows.size(); ++index) {
    const JsonReader row(rows.at(index).toObject(), path,
                         QStringLiteral("source_document.rows[%1]").arg(index));
    set.sourceDocument.push_back(
        {row.requireString(QStringLiteral("model_id")), row.requireString(QStringLiteral("mitigation")),
         row.requireInt(QStringLiteral("trained_context"), 1, 1ll << 30),
         row.requireInt(QStringLiteral("context"), 1, 1ll << 30),
         row.requireInt(QStringLiteral("effective_context"), 1, 1ll << 30),
         row.requireDouble(QStringLiteral("quality"), 0, 1), row.requireString(QStringLiteral("text"))});
  }
  for (const QJsonValue& claim : document.requireArray(QStringLiteral("claims")))
    set.sourceDocumentClaims << claim.toString();

  set.pastReachDecay = derivePastReachDecay(set);
  set.fineTunedRetention = deriveFineTunedRetention(set);
  set.untunedRetention = deriveUntunedRetention(set.fineTunedRetention);
  set.streamingRetention.anchors = {QStringLiteral("streamingllm-initial-tokens-7b"),
                                    QStringLiteral("streamingllm-sinks-13b")};
  set.streamingRetention.derivation = QStringLiteral(
      "perplexity with 8 sinks / with 4 sinks (Llama-2-7B, 400K tokens) "
      "central, 8 / 1 sink low, 1 high");
  set.windowOnlyRetention.anchors = {QStringLiteral("streamingllm-sinks-13b"),
                                     QStringLiteral("streamingllm-initial-tokens-7b")};
  set.windowOnlyRetention.derivation = QStringLiteral(
      "perplexity with 4 sinks / window only: Llama-2-13B at 65K (central "
      "and low), Llama-2-7B at 400K with 0 initial tokens (high)");
  std::vector<double> ratios;
  for (const ReferencePoint& point : set.points)
    if (point.metric == QLatin1String("ruler_effective_length") && point.claimedContext > 0) {
      ratios.push_back(point.values.front().value / double(point.claimedContext));
      set.rulerStrictness.anchors << point.id;
    }
  std::sort(ratios.begin(), ratios.end());
  if (ratios.size() < 3)
    throwBadInput(path, QStringLiteral("points"), QStringLiteral("needs at least 3 RULER points"));
  const size_t n = ratios.size();
  set.rulerStrictness.central = n % 2 ? ratios[n / 2] : 0.5 * (ratios[n / 2 - 1] + ratios[n / 2]);
  set.rulerStrictness.low = ratios[1];
  set.rulerStrictness.high = ratios[n - 2];
  set.rulerStrictness.derivation = QStringLiteral(
      "RULER effective / claimed length over the published models: median "
      "central, second-lowest and second-highest as the band");
  return set;
}

bool reportsEffectiveContext(const QString& metric) {
  return metric == QLatin1String("passkey_context") || metric == QLatin1String("ruler_effective_length") ||
         metric == QLatin1String("claim");
}

std::vector<EffectiveContextReference> effectiveContextReferences(const ReferenceSet& set) {
  std::vector<EffectiveContextReference> references;
  for (const ReferencePoint& point : set.points) {
    if (!reportsEffectiveContext(point.metric)) continue;
    for (const ReferenceValue& value : point.values) {
      EffectiveContextReference r{point.id,         point.source, point.model,    point.modelId,
                                  point.mitigation, point.metric, point.fineTuned};
      // A passkey length stands alone ([0, length]): the model retrieves at that very length.
      r.contextTokens = value.contextTokens > 0 ? value.contextTokens : qint64(std::llround(value.value));
      r.effectiveTokens = value.value;
      r.lowerBound = value.lowerBound;
      r.upperBound = value.upperBound;
      references.push_back(r);
    }
  }
  for (size_t i = 0; i < set.sourceDocument.size(); ++i) {
    const SourceDocumentRow& row = set.sourceDocument[i];
    EffectiveContextReference r;
    r.id = QStringLiteral("source-document-%1").arg(i + 1);
    r.source = set.sourceDocumentSource + QStringLiteral(": \"") + row.text + QLatin1Char('"');
    r.model = row.modelId;
    r.modelId = row.modelId;
    r.mitigation = row.mitigation;
    r.metric = QStringLiteral("claim");
    r.contextTokens = row.contextTokens;
    r.effectiveTokens = double(row.effectiveContext);
    references.push_back(r);
  }
  return references;
}

const ReferenceSet& referenceSet() {
  static const ReferenceSet set = loadReferenceSet(QStringLiteral(":/references.json"));
  return set;
}

}  // namespace sinkscope
