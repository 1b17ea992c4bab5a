#include "attention/ModelledAttention.h"

#include "common/Error.h"
#include "common/JsonRead.h"
#include "positional/Alibi.h"
#include "positional/RopeSchedule.h"

#include <QStringList>
#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

bool usesRope(const ModelSpec& model) {
  return model.usesRope && model.attentionKind != AttentionKind::Alibi;
}

bool shipsStaticScaling(const ModelSpec& model) {
  if (!model.ropeScaling) return false;
  const QString type = model.ropeScaling->type.trimmed().toLower();
  return !type.isEmpty() && type != QLatin1String("default") && type != QLatin1String("none") &&
         type != QLatin1String("dynamic");
}

qint64 trainedContextOf(const ModelSpec& model) {
  if (const qint64 trained = trainedContextOrMaxPositions(model); trained > 0) return trained;
  throwBadInput(model.id, QStringLiteral("trained_context"),
                QStringLiteral("unknown, so attention cannot be modelled"));
}

}  // namespace

const StreamingCache& StreamingCache::builtin() {
  static const StreamingCache cache = [] {
    const QString path = QStringLiteral(":/modelled_attention.json");
    const JsonReader streaming =
        JsonReader(readJsonObjectFile(path), path).requireObject(QStringLiteral("streaming"));
    StreamingCache c;
    c.sinkTokens = streaming.requireInt(QStringLiteral("sink_tokens"), 0, 1 << 20);
    c.windowTokens = streaming.requireInt(QStringLiteral("window_tokens"), 1, 1 << 24);
    return c;
  }();
  return cache;
}

qint64 alignmentContextFor(const ModelSpec& model) {
  const qint64 trained = trainedContextOf(model);
  if (usesRope(model) && shipsStaticScaling(model)) return std::max(trained, model.maxPositionEmbeddings);
  return trained;
}

int probeHeadDimFor(const ModelSpec& model) {
  if (model.mla) return model.mla->qkNopeHeadDim + model.mla->qkRopeHeadDim;
  if (model.headDim > 0) return model.headDim;
  return model.heads > 0 ? int(model.hiddenSize / model.heads) : 0;
}

TrainedPositions trainedPositionsFor(const ModelSpec& model) {
  TrainedPositions trained;
  trained.headDim = probeHeadDimFor(model);
  trained.trainedContext = alignmentContextFor(model);
  if (!usesRope(model)) {
    trained.logitScale = 1.0 / std::sqrt(double(std::max(trained.headDim, 1)));
    return trained;
  }
  const RopeSchedule schedule = computeRopeSchedule(ropeParametersFor(model), trained.trainedContext);
  trained.rotaryDim = schedule.rotaryDim;
  trained.invFreq = schedule.invFreq;
  trained.layout = schedule.layout;
  const double scale =
      schedule.softmaxScale > 0 ? schedule.softmaxScale : 1.0 / std::sqrt(double(trained.headDim));
  trained.logitScale = scale * schedule.attentionFactor * schedule.attentionFactor;
  return trained;
}

double defaultMitigationFactor(const ModelSpec& model, qint64 targetContext) {
  return std::max(1.0, double(targetContext) / double(trainedContextOf(model)));
}

qint64 modelWindowAt(const ModelSpec& model, int layer) {
  return model.layerType(layer) == LayerAttention::Sliding ? model.slidingWindow : 0;
}

PositionalScheme modelledSchemeFor(const ModelSpec& model, const ModelledScheme& choice, int layer, int head,
                                   qint64 sequenceLength) {
  PositionalScheme scheme;
  const Mitigation m = choice.mitigation;
  if (m == Mitigation::Streaming) {
    scheme.cache = KvCache::sinksAndWindow(choice.streaming.sinkTokens, choice.streaming.windowTokens);
  } else if (m == Mitigation::WindowOnly) {  // the control: the same cache size, no sinks
    scheme.cache = KvCache::window(choice.streaming.sinkTokens + choice.streaming.windowTokens);
  } else if (const qint64 window = choice.honourWindow ? modelWindowAt(model, layer) : 0; window > 0) {
    scheme.cache = KvCache::window(window);  // the model's own window: no sinks kept
  }
  if (!usesRope(model)) {
    if (m != Mitigation::Baseline && m != Mitigation::Alibi && m != Mitigation::Streaming &&
        m != Mitigation::WindowOnly)
      throwBadInput(QString(), QStringLiteral("mitigation"),
                    QStringLiteral("'%1' is a RoPE schedule, and %2 does not use RoPE")
                        .arg(mitigationName(m), model.id));
    if (model.attentionKind == AttentionKind::Alibi || m == Mitigation::Alibi) {
      if (model.attentionKind != AttentionKind::Alibi)
        throwBadInput(QString(), QStringLiteral("mitigation"),
                      QStringLiteral("'alibi' needs a model trained with ALiBi; %1 is not").arg(model.id));
      scheme.kind = PositionalScheme::Kind::Alibi;
      const std::vector<double> slopes = alibiSlopes(std::max(model.heads, 1));
      scheme.alibiSlope = slopes[size_t(std::clamp(head, 0, int(slopes.size()) - 1))];
    }
    scheme.softmaxScale = 1.0 / std::sqrt(double(std::max(probeHeadDimFor(model), 1)));
    return scheme;
  }
  const RopeParameters params = withMitigation(ropeParametersFor(model), m, choice.factor);
  scheme.kind = PositionalScheme::Kind::Rope;
  scheme.rope = computeRopeSchedule(params, sequenceLength);
  scheme.softmaxScale = scheme.rope.softmaxScale > 0 ? scheme.rope.softmaxScale
                                                     : 1.0 / std::sqrt(double(probeHeadDimFor(model)));
  return scheme;
}

namespace {

std::vector<int> headsFor(const ModelSpec& model, int head, int maxHeads) {
  if (head >= 0 && head < model.heads) return {head};
  const int heads = std::max(1, model.heads);
  const int count = std::min(heads, maxHeads);
  std::vector<int> chosen;
  for (int i = 0; i < count; ++i) chosen.push_back(i * heads / count);
  return chosen;
}

std::vector<qint64> sinkCurveContextsFor(qint64 contextTokens, qint64 trainedContext) {
  std::vector<qint64> contexts;
  for (qint64 n = kSinkCurveFirstContext; n < contextTokens; n *= 2) contexts.push_back(n);
  contexts.push_back(contextTokens);
  if (trainedContext > kSinkCurveFirstContext && trainedContext < contextTokens)
    contexts.push_back(trainedContext);
  std::sort(contexts.begin(), contexts.end());
  contexts.erase(std::unique(contexts.begin(), contexts.end()), contexts.end());
  return contexts;
}

}  // namespace

ModelledProbeRequest modelledProbeRequest(const ModelSpec& model, qint64 contextTokens, int layer, int head) {
  ModelledProbeRequest r;
  const int lastLayer = std::max(0, model.layers - 1);
  r.layer = layer < 0 || layer > lastLayer ? lastLayer : layer;
  r.lastLayer = r.layer == lastLayer;
  r.curveHeads = headsFor(model, head, kProbeAveragedHeads);
  r.heatmapHeads = r.curveHeads;
  r.factor = defaultMitigationFactor(model, contextTokens);
  r.curve.contexts = sinkCurveContextsFor(contextTokens, model.trainedContext);
  r.curve.queriesPerContext = kSinkCurveQueries;
  r.curve.trainedContext = model.trainedContext;
  r.heatmap.contextTokens = contextTokens;
  r.heatmap.queryPositions = evenlySpacedQueries(contextTokens, kHeatmapRows, 0);
  r.heatmap.bins = kHeatmapBins;
  r.heatmap.exactKeyColumns = kHeatmapExactColumns;
  return r;
}

QString headsText(const ModelSpec& model, const std::vector<int>& heads) {
  if (heads.size() == 1) return QStringLiteral("head %1").arg(heads.front());
  if (int(heads.size()) == model.heads)
    return QStringLiteral("mean over all %1 query heads").arg(heads.size());
  QStringList names;
  for (int h : heads) names << QString::number(h);
  return QStringLiteral("mean over %1 query heads (%2)")
      .arg(heads.size())
      .arg(names.join(QStringLiteral(", ")));
}

QString probeTargetText(const ModelSpec& model, int layer, const std::vector<int>& heads) {
  QString text = QStringLiteral("layer %1").arg(layer);
  if (layer == std::max(0, model.layers - 1)) text += QStringLiteral(" (the last)");
  return text + QStringLiteral(", ") + headsText(model, heads);
}

std::unique_ptr<SyntheticQueryKeySource> modelledSource(const ModelSpec& model, int layer, int head,
                                                        std::optional<quint64> seed) {
  SyntheticQKConfig config = SyntheticQKConfig::builtin();
  if (seed) config.seed = *seed;
  return std::make_unique<SyntheticQueryKeySource>(config, trainedPositionsFor(model), layer, head);
}

}  // namespace sinkscope
