// `sinkscope measure`: runs a real GGUF checkpoint on the CPU over a text (or token ids) and
// reports per-position loss, attention sink metrics and the measured context_cap.
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "common/Error.h"
#include "inference/Measurement.h"
#include "inference/Tokenizer.h"
#include "measure/MeasureSession.h"

namespace sinkscope::cli {

namespace {

MeasureInput measureInput(const QCommandLineParser& parser, const QString& ggufPath,
                          std::optional<qint64> context) {
  const bool hasText = parser.isSet(QStringLiteral("text"));
  const bool hasTokens = parser.isSet(QStringLiteral("tokens"));
  if (hasText == hasTokens)
    throwUsage(QStringLiteral("--text"), QStringLiteral("give exactly one of --text FILE or --tokens FILE"));
  if (hasTokens && parser.isSet(QStringLiteral("parse-special")))
    throwUsage(QStringLiteral("--parse-special"),
               QStringLiteral("applies to --text only (token ids are not parsed)"));
  MeasureInput input;
  input.ggufPath = ggufPath;
  input.textPath = hasText ? parser.value(QStringLiteral("text")) : QString();
  input.tokensPath = hasTokens ? parser.value(QStringLiteral("tokens")) : QString();
  input.parseSpecial = parser.isSet(QStringLiteral("parse-special"));
  input.contextTokens = context;
  input.trainedContext = optionalCount(parser, QStringLiteral("trained-context"), 16, kMaxContextTokens);
  input.trainedContextSource = QStringLiteral("--trained-context");
  return input;
}

void printSummary(const Measurement& m) {
  QTextStream& o = out();
  o << "model             " << m.modelName << " (" << m.ggufPath << ")\n";
  o << "source            measured (real forward pass on the CPU)\n";
  o << "tokens            " << m.tokens.size() << "\n";
  o << "trained context   " << m.trainedContext << " (from " << m.trainedContextSource << ")\n";
  o << "mitigation        " << mitigationName(m.mitigation) << " (factor " << m.factor << ", rope "
    << m.schedule.ropeType << ", attention factor " << m.schedule.attentionFactor << ")\n";
  o << "mean NLL inside   " << QString::number(m.meanNllInside, 'f', 4) << " nats\n";
  if (m.positionsBeyond > 0)
    o << "mean NLL beyond   " << QString::number(m.meanNllBeyond, 'f', 4) << " nats\n";
  o << "context_cap       " << m.contextCap
    << (m.lossSpike.detected ? " (loss spike)" : " (no sustained loss spike)") << "\n";
  o << "effective_context " << m.effectiveContext << "\n";
  double meanSink = 0;
  for (const auto& head : m.forward.heads) meanSink += head.meanSinkMass1 / double(m.forward.heads.size());
  o << "sink rate         " << m.forward.sinkRate() << " (share of layer/head with alpha_1 > "
    << kSinkRateEpsilon << ")\n";
  o << "mean A_i0         " << QString::number(meanSink, 'f', 4) << "\n";
  o.flush();
}

}  // namespace

int runMeasure(const QStringList& args) {
  QCommandLineParser parser;
  parser.addOption({QStringLiteral("gguf"), QStringLiteral("GGUF model file."), QStringLiteral("FILE")});
  parser.addOption({QStringLiteral("text"),
                    QStringLiteral("UTF-8 text to measure (:/texts/simple-stories.txt is built in)."),
                    QStringLiteral("FILE")});
  parser.addOption({QStringLiteral("tokens"), QStringLiteral("Token ids, whitespace or comma separated."),
                    QStringLiteral("FILE")});
  parser.addOption({QStringLiteral("parse-special"),
                    QStringLiteral("Control tokens written in the --text (e.g. <|eot_id|>) become those "
                                   "tokens; by default they are plain text.")});
  parser.addOption(
      {QStringLiteral("context"), QStringLiteral("Measure the first N tokens."), QStringLiteral("N")});
  parser.addOption(
      {QStringLiteral("mitigation"),
       QStringLiteral("baseline, linear, ntk, dynamic-ntk, yarn, llama3, streaming, window-only."),
       QStringLiteral("X")});
  parser.addOption({QStringLiteral("factor"),
                    QStringLiteral("Scaling factor s (default: ceil(tokens / trained context))."),
                    QStringLiteral("S")});
  parser.addOption({QStringLiteral("trained-context"),
                    QStringLiteral("Trained context, overriding the GGUF metadata."), QStringLiteral("N")});
  parser.addOption({QStringLiteral("sinks"), QStringLiteral("Sink tokens kept by streaming (default 4)."),
                    QStringLiteral("N")});
  parser.addOption({QStringLiteral("window"),
                    QStringLiteral("Window tokens (default: trained context, minus sinks for streaming)."),
                    QStringLiteral("N")});
  parser.addOption(
      {QStringLiteral("sliding-window"),
       QStringLiteral(
           "Attend inside the last N tokens on every layer without a window of its own, as vLLM honours a "
           "config's sliding_window (default: as llama.cpp runs the file)."),
       QStringLiteral("N")});
  parser.addOption({QStringLiteral("heatmap-rows"),
                    QStringLiteral("Query positions whose pooled attention goes into the JSON."),
                    QStringLiteral("P1,P2,...")});
  parser.addOption({QStringLiteral("json"), QStringLiteral("One JSON object on stdout.")});
  parseOrThrow(parser, QStringLiteral("measure"), args);

  const QString ggufPath = requireOption(parser, QStringLiteral("gguf"));
  const FlagNames flags{{measure_field::kContext, QStringLiteral("--context")},
                        {measure_field::kWindow, QStringLiteral("--window")},
                        {measure_field::kSinks, QStringLiteral("--sinks")},
                        {kMitigationField, QStringLiteral("--mitigation")},
                        {kTokenIdsField, QStringLiteral("--tokens")}};
  MeasureSettings settings;
  if (parser.isSet(QStringLiteral("mitigation"))) {
    const auto mitigation = mitigationFromName(parser.value(QStringLiteral("mitigation")));
    if (!mitigation)
      throwUsage(QStringLiteral("--mitigation"),
                 QStringLiteral("unknown mitigation '%1'").arg(parser.value(QStringLiteral("mitigation"))));
    settings.mitigation = *mitigation;
  }
  if (parser.isSet(QStringLiteral("factor")))
    settings.factor = parseScalingFactor(QStringLiteral("--factor"), parser.value(QStringLiteral("factor")));
  if (const auto sinks = optionalCount(parser, QStringLiteral("sinks"), 0, 1024))
    settings.sinkTokens = int(*sinks);
  settings.windowTokens = optionalCount(parser, QStringLiteral("window"), 1, kMaxMeasuredTokens);
  settings.configSlidingWindow =
      optionalCount(parser, QStringLiteral("sliding-window"), 1, kMaxMeasuredTokens);
  const auto context = optionalCount(parser, QStringLiteral("context"), 2, kMaxMeasuredTokens);
  const bool heatmaps = parser.isSet(QStringLiteral("heatmap-rows"));
  if (heatmaps)
    for (qint64 row : parseCountList(QStringLiteral("--heatmap-rows"),
                                     parser.value(QStringLiteral("heatmap-rows")), 0, kMaxMeasuredTokens - 1))
      settings.heatmapRows.push_back(row);

  const MeasureSession session =
      namingFlags(flags, [&] { return MeasureSession(measureInput(parser, ggufPath, context)); });
  TerminalProgress progress(QStringLiteral("measure"));
  settings.isCancelled = stopOnInterrupt();
  const Measurement measurement = namingFlags(flags, [&] {
    return session.run(settings, [&progress](const MeasureProgress& p) {
      progress.update(p.fraction, QStringLiteral("forward pass"), p.text());
    });
  });
  progress.finish();
  if (parser.isSet(QStringLiteral("json")))
    printJson(measurementToJson(measurement, heatmaps));
  else
    printSummary(measurement);
  return 0;
}

}  // namespace sinkscope::cli
