// `sinkscope probe`: modelled attention of a catalogue model (docs/design.md), by default the mean
// over the same query heads the window averages (--head picks one): the sink curve over
// --contexts, the pooled heatmap at --context and the per-pair phase coverage.
#include "attention/ModelledAttention.h"
#include "catalog/Catalog.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "common/Error.h"
#include "common/Provenance.h"
#include "planner/LaunchFlags.h"
#include "positional/PhaseCoverage.h"
#include "positional/RopeSchedule.h"
#include "report/ModelledSeries.h"

#include <QJsonArray>
#include <algorithm>
#include <functional>

namespace sinkscope::cli {

namespace {

struct ProbeOptions {
  ModelSpec model;
  qint64 context = 0;
  QList<qint64> contexts;
  ModelledScheme scheme;
  Runtime runtime = Runtime::LlamaCpp;  // the plan's default engine; decides whether a window is honoured
  int layer = 0;
  std::optional<int> head;  // none: the mean over modelledProbeRequest's heads, as the window
  int rows = 64, bins = 128, queries = 64;
  std::optional<quint64> seed;
  std::vector<double> needleDepths{0.1, 0.5, 0.9};
  bool json = false, csv = false;
};

void addOptions(QCommandLineParser& parser) {
  const auto add = [&](const char* name, const char* help, const char* value = nullptr) {
    parser.addOption(value ? QCommandLineOption(QString::fromLatin1(name), QString::fromLatin1(help),
                                                QString::fromLatin1(value))
                           : QCommandLineOption(QString::fromLatin1(name), QString::fromLatin1(help)));
  };
  add("model",
      "Catalogue id, config.json, .gguf or Hub id org/name[@revision] (its architecture; attention is "
      "modelled).",
      "M");
  add("context", "Context N for the heatmap; also sets the mitigation factor max(1, N / trained).", "N");
  add("mitigation",
      "baseline, linear, ntk, dynamic-ntk, yarn, llama3, longrope, alibi, streaming, window-only.", "X");
  add("runtime",
      "Engine: llama.cpp (default), vllm or transformers; decides whether a sliding window is honoured.",
      "R");
  add("factor", "Scaling factor s of the mitigation (default max(1, N / trained context)).", "S");
  add("layer", "Layer (0-based, default the last, as in the window and the report).", "L");
  add("head",
      "Query head (0-based); default: the mean over the 4 query heads the window averages "
      "(docs/modelled-attention.md).",
      "H");
  add("contexts", "Contexts of the sink curve, comma-separated (default: doubling from 1K to N).", "N1,N2");
  add("rows", "Heatmap query rows (default 64).", "R");
  add("bins", "Heatmap key bins, the first 4 exact (default 128).", "B");
  add("queries", "Sampled queries per context on the sink curve (default 64).", "Q");
  add("seed", "Seed of the synthetic query/key generator (default from resources).", "SEED");
  add("json", "One JSON object on stdout.");
  add("csv", "The sink curve as CSV on stdout.");
}

ProbeOptions readOptions(const QStringList& args) {
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "Modelled attention (the mean over 4 query heads, or one head): exact causal softmax rows of synthetic "
      "queries/keys under the model's "
      "own positional maths and the chosen mitigation. The sink curve, a pooled heatmap and RoPE phase "
      "coverage."));
  addOptions(parser);
  parseOrThrow(parser, QStringLiteral("probe"), args);
  ProbeOptions o;
  o.model = resolveModel(requireOption(parser, QStringLiteral("model")));
  o.context = parseCount(QStringLiteral("--context"), requireOption(parser, QStringLiteral("context")), 8,
                         kMaxContextTokens);
  o.json = parser.isSet(QStringLiteral("json"));
  o.csv = parser.isSet(QStringLiteral("csv"));
  if (o.json && o.csv)
    throwUsage(QStringLiteral("--csv"), QStringLiteral("give at most one of --json and --csv"));
  if (parser.isSet(QStringLiteral("mitigation"))) {
    const auto m = mitigationFromName(parser.value(QStringLiteral("mitigation")));
    if (!m)
      throwUsage(QStringLiteral("--mitigation"),
                 QStringLiteral("unknown mitigation '%1'").arg(parser.value(QStringLiteral("mitigation"))));
    o.scheme.mitigation = *m;
  }
  o.scheme.factor =
      parser.isSet(QStringLiteral("factor"))
          ? parseScalingFactor(QStringLiteral("--factor"), parser.value(QStringLiteral("factor")))
          : defaultMitigationFactor(o.model, o.context);
  o.scheme.streaming = StreamingCache::builtin();
  o.runtime = runtimeOption(parser, o.runtime);
  o.scheme.honourWindow = runtimeHonoursWindow(o.model, o.runtime);
  const qint64 layers = std::max(o.model.layers, 1), heads = std::max(o.model.heads, 1);
  // The documented default of modelledProbeRequest: the last layer, the one the output reads.
  o.layer = int(optionalCount(parser, QStringLiteral("layer"), 0, layers - 1)
                    .value_or(modelledProbeRequest(o.model, o.context).layer));
  if (const auto head = optionalCount(parser, QStringLiteral("head"), 0, heads - 1)) o.head = int(*head);
  o.rows = int(optionalCount(parser, QStringLiteral("rows"), 1, 4096).value_or(64));
  o.bins = int(optionalCount(parser, QStringLiteral("bins"), 5, 4096).value_or(128));
  o.queries = int(optionalCount(parser, QStringLiteral("queries"), 1, 4096).value_or(64));
  if (parser.isSet(QStringLiteral("seed")))
    o.seed = quint64(parseCount(QStringLiteral("--seed"), parser.value(QStringLiteral("seed")), 0,
                                std::numeric_limits<qint64>::max()));
  if (parser.isSet(QStringLiteral("contexts"))) {
    o.contexts = parseCountList(QStringLiteral("--contexts"), parser.value(QStringLiteral("contexts")), 8,
                                kMaxContextTokens);
  } else {
    for (qint64 n = 1024; n < o.context; n *= 2) o.contexts << n;
    o.contexts << o.context;
  }
  std::sort(o.contexts.begin(), o.contexts.end());
  o.contexts.erase(std::unique(o.contexts.begin(), o.contexts.end()), o.contexts.end());
  return o;
}

QJsonObject metricsJson(const RowMetrics& m) {
  return QJsonObject{{QStringLiteral("sink_mass_1"), m.sinkMass1},
                     {QStringLiteral("sink_mass_4"), m.sinkMass4},
                     {QStringLiteral("entropy"), m.entropy},
                     {QStringLiteral("normalized_entropy"), m.normalizedEntropy}};
}

QJsonArray needlesJson(const std::vector<NeedleResult>& needles) {
  QJsonArray array;
  for (const NeedleResult& n : needles)
    array.append(QJsonObject{{QStringLiteral("depth"), n.depth},
                             {QStringLiteral("position"), n.keyPosition},
                             {QStringLiteral("in_cache"), n.inCache},
                             {QStringLiteral("weight"), n.weight},
                             {QStringLiteral("rank"), n.rank},
                             {QStringLiteral("retrieved"), n.rank == 1}});
  return array;
}

QJsonArray positionsJson(const std::vector<qint64>& values) {
  QJsonArray array;
  for (qint64 v : values) array.append(v);
  return array;
}

QJsonObject heatmapJson(const PooledHeatmap& map, qint64 context) {
  QJsonArray mass;
  for (int r = 0; r < map.rows(); ++r) {
    QJsonArray row;
    for (int b = 0; b < map.bins(); ++b) row.append(double(map.at(r, b)));
    mass.append(row);
  }
  return QJsonObject{{QStringLiteral("context"), context},
                     {QStringLiteral("query_positions"), positionsJson(map.queryPositions)},
                     {QStringLiteral("bin_start"), positionsJson(map.binStart)},
                     {QStringLiteral("exact_key_columns"), map.exactKeyColumns},
                     {QStringLiteral("mass"), mass}};
}

QJsonValue phaseCoverageJson(const ProbeOptions& o, const PositionalScheme& scheme) {
  if (scheme.kind != PositionalScheme::Kind::Rope) return QJsonValue::Null;
  const TrainedPositions trained = trainedPositionsFor(o.model);
  RopeSchedule trainedSchedule = computeRopeSchedule(ropeParametersFor(o.model), trained.trainedContext);
  const PhaseCoverage c =
      phaseCoverage(trainedSchedule, scheme.rope, trained.trainedContext,
                    scheme.evicts() ? std::min(o.context, scheme.cache.cacheTokens()) : o.context);
  QJsonArray pairs;
  for (const PairPhaseCoverage& p : c.pairs)
    pairs.append(QJsonObject{{QStringLiteral("pair"), p.pair},
                             {QStringLiteral("trained_period_tokens"), p.trainedPeriodTokens},
                             {QStringLiteral("inference_period_tokens"), p.inferencePeriodTokens},
                             {QStringLiteral("full_circle_seen"), p.fullCircleSeen},
                             {QStringLiteral("unseen_share"), p.unseenShare}});
  return QJsonObject{{QStringLiteral("trained_context"), c.trainedContext},
                     {QStringLiteral("context"), c.context},
                     {QStringLiteral("rotary_dim"), c.rotaryDim},
                     {QStringLiteral("critical_dims"), c.criticalDims},
                     {QStringLiteral("unseen_rotary_dims"), c.unseenRotaryDims},
                     {QStringLiteral("mean_unseen_share"), c.meanUnseenShare},
                     {QStringLiteral("summary"), unseenRotaryDimsSentence(c)},
                     {QStringLiteral("pairs"), pairs}};
}

// Each averaged head's generator parameters (each head draws its own, docs/modelled-attention.md).
QJsonArray generatorJson(const ProbeOptions& o, const ModelledProbeRequest& probe) {
  QJsonArray heads;
  for (int head : probe.curveHeads) {
    const SyntheticHeadParameters& g = modelledSource(o.model, o.layer, head, o.seed)->parameters();
    heads.append(QJsonObject{{QStringLiteral("head"), head},
                             {QStringLiteral("sink_logit"), g.sinkLogit},
                             {QStringLiteral("content_logit_std"), g.contentLogitStd},
                             {QStringLiteral("locality"), g.locality}});
  }
  return heads;
}

// ALiBi's slope of each averaged head, in the order of "heads".
QJsonArray alibiSlopesJson(const ProbeOptions& o, const ModelledProbeRequest& probe) {
  QJsonArray slopes;
  for (int head : probe.curveHeads)
    slopes.append(modelledSchemeFor(o.model, o.scheme, o.layer, head, o.context).alibiSlope);
  return slopes;
}

QJsonObject schemeJson(const ProbeOptions& o, const ModelledProbeRequest& probe, const PositionalScheme& s) {
  QJsonObject json{
      {QStringLiteral("kind"), s.kind == PositionalScheme::Kind::Rope    ? QStringLiteral("rope")
                               : s.kind == PositionalScheme::Kind::Alibi ? QStringLiteral("alibi")
                                                                         : QStringLiteral("none")},
      {QStringLiteral("factor"), o.scheme.factor},
      {QStringLiteral("softmax_scale"), s.logitScale(probeHeadDimFor(o.model))}};
  if (s.kind == PositionalScheme::Kind::Rope) {
    json.insert(QStringLiteral("rope_type"), s.rope.ropeType);
    json.insert(QStringLiteral("rotary_dim"), s.rope.rotaryDim);
    json.insert(QStringLiteral("attention_factor"), s.rope.attentionFactor);
  }
  if (s.kind == PositionalScheme::Kind::Alibi) {
    if (probe.curveHeads.size() == 1) json.insert(QStringLiteral("alibi_slope"), s.alibiSlope);
    json.insert(QStringLiteral("alibi_slopes"), alibiSlopesJson(o, probe));
  }
  json.insert(QStringLiteral("cache"),
              s.evicts() ? QJsonValue(QJsonObject{{QStringLiteral("sink_tokens"), s.cache.keptSinkTokens()},
                                                  {QStringLiteral("window_tokens"), s.cache.windowTokens}})
                         : QJsonValue::Null);
  return json;
}

// What the runtime does with the model's own sliding window at the probed layer (empty: the layer
// has none, or the mitigation brings its own cache). docs/mitigations.md, "Runtimes".
QString windowSentence(const ProbeOptions& o) {
  const qint64 window = modelWindowAt(o.model, o.layer);
  if (window <= 0 || o.scheme.mitigation == Mitigation::Streaming ||
      o.scheme.mitigation == Mitigation::WindowOnly)
    return QString();
  if (o.scheme.honourWindow)
    return QStringLiteral(
               "Layer %1 runs with the model's own sliding window under %2: each query sees its last %3 keys "
               "only")
        .arg(o.layer)
        .arg(runtimeName(o.runtime))
        .arg(window);
  return QStringLiteral(
             "Layer %1 attends to every key under %2, which runs this model without its %3-token sliding "
             "window")
      .arg(o.layer)
      .arg(runtimeName(o.runtime))
      .arg(window);
}

// The probed setting's launch flags for every engine, as `plan` computes them (LaunchFlags.h);
// the window-only control has none (no engine offers it).
std::optional<LaunchFlags> probedLaunchFlags(const ProbeOptions& o) {
  if (o.scheme.mitigation == Mitigation::WindowOnly) return std::nullopt;
  LaunchScenario launch;
  launch.contextTokens = o.context;
  launch.factor = o.scheme.factor;
  launch.trainedContextTokens = o.model.trainedContext;
  launch.streamingCacheTokens = o.scheme.streaming.sinkTokens + o.scheme.streaming.windowTokens;
  launch.streamingSinkTokens = int(o.scheme.streaming.sinkTokens);
  return launchFlagsFor(o.model, o.scheme.mitigation, launch);
}

// One engine's flags from the three (empty: that engine cannot turn the setting on).
QString engineFlags(const LaunchFlags& flags, Runtime runtime) {
  switch (runtime) {
    case Runtime::Vllm:
      return flags.vllm;
    case Runtime::LlamaCpp:
      return flags.llamaCpp;
    case Runtime::Transformers:
      return flags.transformers;
  }
  return QString();
}

// The flags of the chosen runtime only, or why there are none.
QString runtimeFlags(const ProbeOptions& o) {
  const auto flags = probedLaunchFlags(o);
  if (!flags) return QStringLiteral("none (the window-only control is not an engine setting)");
  const QString text = engineFlags(*flags, o.runtime);
  return text.isEmpty() ? QStringLiteral("(not available in %1)").arg(runtimeName(o.runtime)) : text;
}

// launch_flags as plan's rows have them (vllm, llama_cpp, transformers, ...), plus `for_runtime`:
// the chosen engine's flags (null when it cannot turn the setting on); null for the window-only control.
QJsonValue launchFlagsJson(const ProbeOptions& o) {
  const auto flags = probedLaunchFlags(o);
  if (!flags) return QJsonValue::Null;
  QJsonObject json = launchFlagsToJson(*flags);
  const QString chosen = engineFlags(*flags, o.runtime);
  json.insert(QStringLiteral("for_runtime"),
              chosen.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(chosen));
  return json;
}

void printCsv(const std::vector<SinkCurvePoint>& curve) {
  out()
      << "context,queries,mean_sink_mass_1,mean_sink_mass_4,mean_entropy,mean_normalized_entropy,"
         "last_sink_mass_1,last_sink_mass_4,last_entropy,last_normalized_entropy,needles_retrieved,needles\n";
  for (const SinkCurvePoint& p : curve) {
    const auto retrieved =
        std::count_if(p.needles.begin(), p.needles.end(), [](const NeedleResult& n) { return n.rank == 1; });
    out() << p.contextTokens << ',' << p.queries << ',' << p.mean.sinkMass1 << ',' << p.mean.sinkMass4 << ','
          << p.mean.entropy << ',' << p.mean.normalizedEntropy << ',' << p.last.sinkMass1 << ','
          << p.last.sinkMass4 << ',' << p.last.entropy << ',' << p.last.normalizedEntropy << ',' << retrieved
          << ',' << p.needles.size() << '\n';
  }
  out().flush();
}

void printText(const ProbeOptions& o, const ModelledProbeRequest& probe,
               const std::vector<SinkCurvePoint>& curve, const QJsonValue& coverage) {
  out() << "Modelled attention (synthetic queries/keys, exact positional maths): " << o.model.id << ", "
        << probeTargetText(o.model, probe.layer, probe.curveHeads) << ", mitigation "
        << mitigationName(o.scheme.mitigation) << " (factor " << o.scheme.factor << "), trained context "
        << o.model.trainedContext << "\n";
  const QString window = windowSentence(o);
  if (!window.isEmpty()) out() << window << "\n";
  out() << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
               .arg(QStringLiteral("context"), 9)
               .arg(QStringLiteral("S1 mean"), 8)
               .arg(QStringLiteral("S4 mean"), 8)
               .arg(QStringLiteral("H/ln mean"), 9)
               .arg(QStringLiteral("S1 last"), 8)
               .arg(QStringLiteral("needles"), 8);
  for (const SinkCurvePoint& p : curve) {
    const auto retrieved =
        std::count_if(p.needles.begin(), p.needles.end(), [](const NeedleResult& n) { return n.rank == 1; });
    out() << QStringLiteral("%1 %2 %3 %4 %5 %6/%7\n")
                 .arg(p.contextTokens, 9)
                 .arg(p.mean.sinkMass1, 8, 'f', 4)
                 .arg(p.mean.sinkMass4, 8, 'f', 4)
                 .arg(p.mean.normalizedEntropy, 9, 'f', 4)
                 .arg(p.last.sinkMass1, 8, 'f', 4)
                 .arg(retrieved, 6)
                 .arg(p.needles.size());
  }
  if (coverage.isObject()) out() << coverage.toObject().value(QStringLiteral("summary")).toString() << "\n";
  out() << "Launch flags (" << runtimeName(o.runtime) << "): " << runtimeFlags(o) << "\n";
  out().flush();
}

// What the probe runs: the window's choice of heads (modelledProbeRequest: the mean over the same
// query heads, or the one --head names) with the command's contexts, queries, rows, bins and seed.
ModelledProbeRequest probeRequestFor(const ProbeOptions& o) {
  ModelledProbeRequest probe =
      modelledProbeRequest(o.model, o.context, o.layer, o.head.value_or(kProbeHeadsAveraged));
  probe.factor = o.scheme.factor;
  probe.curve.contexts.assign(o.contexts.begin(), o.contexts.end());
  probe.curve.queriesPerContext = o.queries;
  probe.curve.trainedContext = o.model.trainedContext;
  probe.curve.needleDepths = o.needleDepths;
  probe.heatmap.contextTokens = o.context;
  probe.heatmap.queryPositions = evenlySpacedQueries(o.context, o.rows, 0);
  probe.heatmap.bins = o.bins;
  probe.heatmap.exactKeyColumns = kHeatmapExactColumns;
  probe.seed = o.seed;
  return probe;
}

QJsonArray headsJson(const std::vector<int>& heads) {
  QJsonArray array;
  for (int head : heads) array.append(head);
  return array;
}

int probe(const QStringList& args) {
  const ProbeOptions o = readOptions(args);
  const ModelledProbeRequest probe = probeRequestFor(o);
  // The scheme of the first averaged head: RoPE's is every head's; ALiBi's slope is per head.
  const PositionalScheme atContext =
      modelledSchemeFor(o.model, o.scheme, o.layer, probe.curveHeads.front(), o.context);
  // Long probes (minutes at 10M tokens, docs/limits.md) show progress on a terminal, and Ctrl+C
  // ends them with exit 130 once the progress line is closed.
  TerminalProgress progress(QStringLiteral("probe"));
  const std::function<bool()> interrupted = stopOnInterrupt();
  ProbeCallbacks curveCallbacks;
  curveCallbacks.isCancelled = interrupted;
  curveCallbacks.progress = [&](double fraction) { progress.update(fraction, QStringLiteral("sink curve")); };
  // Cancelled (Ctrl+C) ends the command through guarded(): exit 130, not an internal error.
  const std::vector<SinkCurvePoint> curve = modelledMeanSinkCurve(o.model, probe, o.scheme, curveCallbacks);
  const QJsonValue coverage = phaseCoverageJson(o, atContext);
  if (!o.json) progress.finish();
  if (o.csv) {
    printCsv(curve);
    return 0;
  }
  if (!o.json) {
    printText(o, probe, curve, coverage);
    return 0;
  }
  ProbeCallbacks heatmapCallbacks;
  heatmapCallbacks.isCancelled = interrupted;
  heatmapCallbacks.progress = [&](double fraction) { progress.update(fraction, QStringLiteral("heatmap")); };
  const PooledHeatmap heatmap = modelledMeanHeatmap(o.model, probe, o.scheme, heatmapCallbacks);
  progress.finish();
  QJsonArray points;
  for (const SinkCurvePoint& p : curve)
    points.append(QJsonObject{{QStringLiteral("context"), p.contextTokens},
                              {QStringLiteral("queries"), p.queries},
                              {QStringLiteral("mean"), metricsJson(p.mean)},
                              {QStringLiteral("last"), metricsJson(p.last)},
                              {QStringLiteral("needles"), needlesJson(p.needles)}});
  printJson(QJsonObject{
      {QStringLiteral("model"), o.model.id},
      {QStringLiteral("source"), provenanceName(Provenance::Modelled)},
      {QStringLiteral("layer"), o.layer},
      {QStringLiteral("head"), o.head ? QJsonValue(*o.head) : QJsonValue(QJsonValue::Null)},
      {QStringLiteral("heads"), headsJson(probe.curveHeads)},
      {QStringLiteral("heads_text"), headsText(o.model, probe.curveHeads)},
      {QStringLiteral("context"), o.context},
      {QStringLiteral("trained_context"), o.model.trainedContext},
      {QStringLiteral("alignment_context"), alignmentContextFor(o.model)},
      {QStringLiteral("mitigation"), mitigationName(o.scheme.mitigation)},
      {QStringLiteral("runtime"), runtimeName(o.runtime)},
      {QStringLiteral("window_honoured"), o.scheme.honourWindow && modelWindowAt(o.model, o.layer) > 0},
      {QStringLiteral("launch_flags"), launchFlagsJson(o)},
      {QStringLiteral("scheme"), schemeJson(o, probe, atContext)},
      {QStringLiteral("generator"),
       QJsonObject{
           {QStringLiteral("seed"), QString::number(o.seed.value_or(SyntheticQKConfig::builtin().seed))},
           {QStringLiteral("per_head"), generatorJson(o, probe)},
           {QStringLiteral("document"), QStringLiteral("docs/modelled-attention.md")}}},
      {QStringLiteral("sink_curve"), points},
      {QStringLiteral("heatmap"), heatmapJson(heatmap, o.context)},
      {QStringLiteral("phase_coverage"), coverage}});
  return 0;
}

}  // namespace

int runProbe(const QStringList& args) {
  return probe(args);
}

}  // namespace sinkscope::cli
