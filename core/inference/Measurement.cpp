#include "inference/Measurement.h"

#include "catalog/SpecJson.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "common/Provenance.h"

#include <QJsonArray>
#include <cmath>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace sinkscope {

namespace {

KvPolicy policyFor(const MeasureSettings& settings, qint64 trainedContext) {
  KvPolicy policy;
  if (settings.mitigation == Mitigation::WindowOnly) {
    policy.kind = KvPolicy::Kind::Window;
    policy.windowTokens = settings.windowTokens.value_or(trainedContext);
  } else if (settings.mitigation == Mitigation::Streaming) {
    policy.kind = KvPolicy::Kind::SinksAndWindow;
    policy.sinkTokens = settings.sinkTokens;
    policy.windowTokens = settings.windowTokens.value_or(trainedContext - settings.sinkTokens);
  }
  // The value that was given is the one at fault: the default window is what the sinks leave.
  if (policy.kind != KvPolicy::Kind::Full && (policy.windowTokens < 1 || policy.sinkTokens < 0))
    throw Error(ErrorKind::Usage, QString(),
                settings.windowTokens ? QStringLiteral("window_tokens") : QStringLiteral("sink_tokens"),
                settings.windowTokens
                    ? QStringLiteral("the window must hold at least one token")
                    : QStringLiteral("%1 sink tokens leave no window in the trained context of %2 tokens")
                          .arg(settings.sinkTokens)
                          .arg(trainedContext));
  return policy;
}

}  // namespace

std::vector<qint64> defaultHeatmapRows(qint64 tokens, qint64 trainedContext) {
  std::vector<qint64> candidates{63, trainedContext / 2 - 1};
  for (qint64 end = std::max<qint64>(trainedContext, 1); end < tokens; end *= 2)
    candidates.push_back(end - 1);
  candidates.push_back(tokens - 1);
  std::vector<qint64> rows;
  for (qint64 row : candidates)
    if (row >= 0 && row < tokens && (rows.empty() || rows.back() < row)) rows.push_back(row);
  return rows;
}

namespace {

QString kvKindName(KvPolicy::Kind kind) {
  switch (kind) {
    case KvPolicy::Kind::Full:
      return QStringLiteral("full");
    case KvPolicy::Kind::Window:
      return QStringLiteral("window");
    case KvPolicy::Kind::SinksAndWindow:
      return QStringLiteral("sinks_and_window");
  }
  return {};
}

// The in-distribution control: baseline RoPE with every query limited to the last
// trainedContext keys, so no relative distance exceeds what the model was trained on.
bool controlIsTheRun(Mitigation mitigation, const KvPolicy& policy, qint64 tokens, qint64 trainedContext) {
  return (mitigation == Mitigation::WindowOnly && policy.windowTokens == trainedContext) ||
         (mitigation == Mitigation::Baseline && tokens <= trainedContext);
}

std::vector<float> controlLosses(const LlamaModel& model, const Measurement& m,
                                 const MeasureSettings& settings,
                                 const std::function<void(double)>& progress) {
  ForwardOptions options;
  options.schedule =
      computeRopeSchedule(ropeParametersForGguf(m.hyper, m.trainedContext), qint64(m.tokens.size()));
  options.kvPolicy = KvPolicy{KvPolicy::Kind::Window, 0, m.trainedContext};
  options.isCancelled = settings.isCancelled;
  options.progress = progress;
  return runForward(model, m.tokens, options).nll;
}

// settings.progress over `passes` forward passes, as seen from pass `index`.
std::function<void(double)> passProgress(const MeasureSettings& settings, int index, int passes) {
  if (!settings.progress) return {};
  return [&settings, index, passes](double fraction) {
    settings.progress((double(index) + fraction) / double(passes));
  };
}

}  // namespace

Measurement measure(const LlamaModel& model, const QString& ggufPath, const QString& modelName,
                    std::vector<int> tokens, const MeasureSettings& settings) {
  Measurement m;
  m.modelName = modelName;
  m.ggufPath = ggufPath;
  m.hyper = model.hyper();
  if (settings.mitigation == Mitigation::Llama3)
    if (const QString why = whyNotMeasurable(settings.mitigation, model); !why.isEmpty())
      throw Error(ErrorKind::Usage, QString(), kMitigationField, why);
  if (qint64(tokens.size()) < 2)
    throwBadInput(QStringLiteral("text"), QStringLiteral("tokens"),
                  QStringLiteral("needs at least 2 tokens"));
  if (qint64(tokens.size()) > kMaxMeasuredTokens)
    throwBadInput(
        QStringLiteral("text"), QStringLiteral("tokens"),
        QStringLiteral("%1 tokens exceed the limit of %2 for measured mode; measure a shorter context")
            .arg(tokens.size())
            .arg(kMaxMeasuredTokens));
  if (settings.trainedContext) {
    m.trainedContext = *settings.trainedContext;
    m.trainedContextSource = settings.trainedContextSource;
  } else {
    m.trainedContext = m.hyper.contextLength;
    m.trainedContextSource = m.hyper.architecture + QStringLiteral(".context_length");
  }
  m.mitigation = settings.mitigation;
#ifdef _OPENMP
  m.threads = omp_get_max_threads();
#endif
  const qint64 n = qint64(tokens.size());
  m.factor = settings.factor.value_or(std::max(1.0, std::ceil(double(n) / double(m.trainedContext))));
  m.kvPolicy = policyFor(settings, m.trainedContext);
  m.configSlidingWindow = settings.configSlidingWindow.value_or(0);
  const RopeParameters params =
      withMitigation(ropeParametersForGguf(m.hyper, m.trainedContext), settings.mitigation, m.factor);
  m.schedule = computeRopeSchedule(params, n);
  m.tokens = std::move(tokens);

  ForwardOptions options;
  options.schedule = m.schedule;
  options.kvPolicy = m.kvPolicy;
  options.configSlidingWindow = m.configSlidingWindow;
  options.trainedContext = m.trainedContext;
  options.heatmapRows =
      settings.heatmapRows.empty() ? defaultHeatmapRows(n, m.trainedContext) : settings.heatmapRows;
  options.isCancelled = settings.isCancelled;
  const int passes = measurePasses(settings, n, m.trainedContext);
  options.progress = passProgress(settings, 0, passes);
  m.forward = runForward(model, m.tokens, options);
  // A non-finite loss is an error, never a result (docs/limits.md, "Threat model").
  for (size_t p = 0; p < m.forward.nll.size(); ++p)
    if (!std::isfinite(m.forward.nll[p]))
      throwBadInput(
          ggufPath, QStringLiteral("weights"),
          QStringLiteral("the forward pass gives a loss of %1 at position %2; the checkpoint holds NaN or "
                         "infinite values")
              .arg(m.forward.nll[p])
              .arg(p));

  double inside = 0, beyond = 0;
  qint64 insideCount = 0;
  for (size_t p = 0; p < m.forward.nll.size(); ++p) {
    if (qint64(p) < m.trainedContext) {
      inside += m.forward.nll[p];
      ++insideCount;
    } else {
      beyond += m.forward.nll[p];
      ++m.positionsBeyond;
    }
  }
  m.meanNllInside = insideCount > 0 ? inside / double(insideCount) : 0.0;
  m.meanNllBeyond = m.positionsBeyond > 0 ? beyond / double(m.positionsBeyond) : 0.0;
  if (settings.knownControlNll)
    m.controlNll = *settings.knownControlNll;
  else if (passes == 1)
    m.controlNll = m.forward.nll;
  else
    m.controlNll = controlLosses(model, m, settings, passProgress(settings, 1, passes));
  m.lossSpike = detectLossSpike(m.forward.nll, m.controlNll, settings.lossSpike);
  m.contextCap = m.lossSpike.contextCap;
  const qint64 span = m.kvPolicy.kind == KvPolicy::Kind::Full ? n : m.kvPolicy.cacheTokens();
  m.effectiveContext = std::min(m.contextCap, span);
  return m;
}

QString whyNotMeasurable(Mitigation mitigation) {
  if (mitigation == Mitigation::Alibi)
    return QStringLiteral(
        "measured mode runs RoPE schedules a GGUF can describe; the checkpoint uses RoPE, not ALiBi");
  if (mitigation == Mitigation::LongRope)
    return QStringLiteral(
        "measured mode runs RoPE schedules a GGUF can describe; a GGUF carries no LongRoPE factors");
  return QString();
}

QString whyNotMeasurable(Mitigation mitigation, const LlamaModel& model) {
  if (mitigation == Mitigation::Llama3 && !model.ropeFrequencyFactors().empty())
    return QStringLiteral(
        "the file already carries Llama-3 scaling (rope_freqs.weight), which every run applies once, as "
        "llama.cpp does; applying it again would scale twice: measure baseline instead");
  return whyNotMeasurable(mitigation);
}

int measurePasses(const MeasureSettings& settings, qint64 tokens, qint64 trainedContext) {
  if (settings.knownControlNll) return 1;
  return controlIsTheRun(settings.mitigation, policyFor(settings, trainedContext), tokens, trainedContext)
             ? 1
             : 2;
}

MeasuredRuns measureEach(const LlamaModel& model, const QString& ggufPath, const QString& modelName,
                         const std::vector<int>& tokens, const std::vector<Mitigation>& mitigations,
                         const MeasureSettings& settings) {
  MeasuredRuns out;
  std::vector<Mitigation> measurable;
  for (Mitigation mitigation : mitigations) {
    if (const QString why = whyNotMeasurable(mitigation, model); !why.isEmpty())
      out.notMeasured << QStringLiteral("%1: %2").arg(mitigationName(mitigation), why);
    else
      measurable.push_back(mitigation);
  }
  const qint64 trained = settings.trainedContext.value_or(model.hyper().contextLength);
  const int totalPasses = measureEachPasses(settings, measurable, qint64(tokens.size()), trained);
  int passesDone = 0;
  std::shared_ptr<const std::vector<float>> control;  // the first run's, reused by the others
  for (Mitigation mitigation : measurable) {
    stopIfCancelled(settings.isCancelled);
    MeasureSettings run = settings;
    run.mitigation = mitigation;
    run.knownControlNll = control;
    const int passes = measurePasses(run, qint64(tokens.size()), trained);
    run.progress = [&settings, passesDone, passes, totalPasses](double fraction) {
      if (settings.progress)
        settings.progress((double(passesDone) + fraction * double(passes)) / double(totalPasses));
    };
    out.runs.push_back(std::make_shared<const Measurement>(measure(model, ggufPath, modelName, tokens, run)));
    if (!control) control = std::make_shared<const std::vector<float>>(out.runs.back()->controlNll);
    passesDone += passes;
  }
  stopIfCancelled(settings.isCancelled);
  return out;
}

int measureEachPasses(const MeasureSettings& settings, const std::vector<Mitigation>& mitigations,
                      qint64 tokens, qint64 trainedContext) {
  int passes = 0;
  bool controlKnown = false;
  for (Mitigation mitigation : mitigations) {
    if (!whyNotMeasurable(mitigation).isEmpty()) continue;
    MeasureSettings run = settings;
    run.mitigation = mitigation;
    passes += controlKnown ? 1 : measurePasses(run, tokens, trainedContext);
    controlKnown = true;
  }
  return std::max(passes, 1);
}

namespace {

QJsonArray heatmapsToJson(const Measurement& m) {
  QJsonArray heatmaps;
  for (const HeadAttentionMetrics& h : m.forward.heads) {
    QJsonArray rows;
    for (int row = 0; row < h.heatmap.rows(); ++row) {
      QJsonArray mass;
      for (int bin = 0; bin < h.heatmap.bins(); ++bin) mass.append(double(h.heatmap.at(row, bin)));
      rows.append(mass);
    }
    QJsonArray queries, bins;
    for (qint64 q : h.heatmap.queryPositions) queries.append(q);
    for (qint64 b : h.heatmap.binStart) bins.append(b);
    heatmaps.append(QJsonObject{{QStringLiteral("layer"), h.layer},
                                {QStringLiteral("head"), h.head},
                                {QStringLiteral("query_positions"), queries},
                                {QStringLiteral("bin_start"), bins},
                                {QStringLiteral("exact_key_columns"), h.heatmap.exactKeyColumns},
                                {QStringLiteral("mass"), rows}});
  }
  return heatmaps;
}

}  // namespace

QJsonObject slidingWindowJson(const Measurement& m) {
  QJsonArray slidingLayers;
  for (int l = 0; l < m.hyper.layers; ++l)
    if (m.hyper.slides(l)) slidingLayers.append(l);
  return QJsonObject{{QStringLiteral("mode"),
                      m.configSlidingWindow > 0 ? QStringLiteral("config") : QStringLiteral("llama.cpp")},
                     {QStringLiteral("model_window_tokens"),
                      m.hyper.slidingWindow > 0 ? QJsonValue(m.hyper.slidingWindow) : QJsonValue()},
                     {QStringLiteral("model_sliding_layers"), slidingLayers},
                     {QStringLiteral("config_window_tokens"),
                      m.configSlidingWindow > 0 ? QJsonValue(m.configSlidingWindow) : QJsonValue()}};
}

QJsonObject measurementToJson(const Measurement& m, bool includeHeatmaps) {
  QJsonArray perPosition;
  for (size_t p = 0; p < m.tokens.size(); ++p) {
    QJsonObject entry{{QStringLiteral("pos"), qint64(p)},
                      {QStringLiteral("token"), m.tokens[p]},
                      {QStringLiteral("argmax"), m.forward.argmax[p]}};
    entry.insert(QStringLiteral("nll"),
                 p < m.forward.nll.size() ? QJsonValue(double(m.forward.nll[p])) : QJsonValue());
    perPosition.append(entry);
  }
  QJsonArray heads;
  double meanSink1 = 0;
  for (const HeadAttentionMetrics& h : m.forward.heads) {
    meanSink1 += h.meanSinkMass1 / double(m.forward.heads.size());
    heads.append(QJsonObject{{QStringLiteral("layer"), h.layer},
                             {QStringLiteral("head"), h.head},
                             {QStringLiteral("alpha_1"), h.meanSinkMass1},
                             {QStringLiteral("sink_mass_1_mean"), h.meanSinkMass1},
                             {QStringLiteral("sink_mass_4_mean"), h.meanSinkMass4},
                             {QStringLiteral("sink_mass_1_last"), h.lastSinkMass1},
                             {QStringLiteral("sink_mass_4_last"), h.lastSinkMass4},
                             {QStringLiteral("normalized_entropy_mean"), h.meanNormalizedEntropy},
                             {QStringLiteral("sink_mass_1_inside"), h.meanSinkMass1Inside},
                             {QStringLiteral("sink_mass_1_beyond"), h.meanSinkMass1Beyond},
                             {QStringLiteral("normalized_entropy_inside"), h.meanNormalizedEntropyInside},
                             {QStringLiteral("normalized_entropy_beyond"), h.meanNormalizedEntropyBeyond},
                             {QStringLiteral("previous_token_mass_mean"), h.meanPreviousTokenMass}});
  }
  const LossSpike& s = m.lossSpike;
  QJsonObject lossSpike{
      {QStringLiteral("method"), QStringLiteral("cusum_excess_over_window_control")},
      {QStringLiteral("control"), QStringLiteral("baseline rope, window of trained_context keys")},
      {QStringLiteral("allowance_nats"), s.allowanceNats},
      {QStringLiteral("threshold_nats"), s.thresholdNats},
      {QStringLiteral("detected"), s.detected},
      {QStringLiteral("alarm_position"), s.detected ? QJsonValue(s.alarmPosition) : QJsonValue()},
      {QStringLiteral("onset_position"), s.detected ? QJsonValue(s.onsetPosition) : QJsonValue()},
      {QStringLiteral("mean_excess_nll"), s.meanExcess},
      {QStringLiteral("excess_nll_std"), s.excessStd}};
  QJsonObject json{
      {QStringLiteral("source"), provenanceName(Provenance::Measured)},
      {QStringLiteral("model"), m.modelName},
      {QStringLiteral("gguf"), m.ggufPath},
      {QStringLiteral("architecture"), m.hyper.architecture},
      {QStringLiteral("tokens"), qint64(m.tokens.size())},
      {QStringLiteral("trained_context"), m.trainedContext},
      {QStringLiteral("trained_context_source"), m.trainedContextSource},
      {QStringLiteral("gguf_context_length"), m.hyper.contextLength},
      {QStringLiteral("mitigation"), mitigationName(m.mitigation)},
      {QStringLiteral("factor"), m.factor},
      {QStringLiteral("threads"), m.threads},
      {QStringLiteral("kv_cache"), QJsonObject{{QStringLiteral("kind"), kvKindName(m.kvPolicy.kind)},
                                               {QStringLiteral("sink_tokens"), m.kvPolicy.sinkTokens},
                                               {QStringLiteral("window_tokens"), m.kvPolicy.windowTokens}}},
      {QStringLiteral("sliding_window"), slidingWindowJson(m)},
      {QStringLiteral("rope"),
       QJsonObject{{QStringLiteral("rope_type"), m.schedule.ropeType},
                   {QStringLiteral("attention_factor"), m.schedule.attentionFactor},
                   {QStringLiteral("softmax_scale"), m.schedule.softmaxScale},
                   {QStringLiteral("pair_layout"), ropePairLayoutName(m.schedule.layout)}}},
      {QStringLiteral("mean_nll_inside_trained"), m.meanNllInside},
      {QStringLiteral("mean_nll_beyond_trained"),
       m.positionsBeyond > 0 ? QJsonValue(m.meanNllBeyond) : QJsonValue()},
      {QStringLiteral("per_position"), perPosition},
      {QStringLiteral("sink"),
       QJsonObject{{QStringLiteral("source"), provenanceName(Provenance::Measured)},
                   {QStringLiteral("epsilon"), kSinkRateEpsilon},
                   {QStringLiteral("sink_rate"), m.forward.sinkRate(kSinkRateEpsilon)},
                   {QStringLiteral("mean_sink_mass_1"), meanSink1},
                   {QStringLiteral("per_layer_head"), heads}}},
      {QStringLiteral("context_cap"), m.contextCap},
      {QStringLiteral("effective_context"), m.effectiveContext},
      {QStringLiteral("loss_spike"), lossSpike}};
  if (includeHeatmaps) json.insert(QStringLiteral("heatmaps"), heatmapsToJson(m));
  return json;
}

}  // namespace sinkscope
