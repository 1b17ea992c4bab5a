// `sinkscope rope`: a model's RoPE schedule as it ships or under a runtime's mitigation, with the
// critical dimension and the phase coverage at a context (docs/design.md command-line contract).
#include "catalog/Catalog.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "common/Error.h"
#include "positional/PhaseCoverage.h"
#include "positional/PositionalJson.h"
#include "positional/RopeSchedule.h"

#include <QLocale>

namespace sinkscope::cli {

namespace {

struct RopeRequest {
  ModelSpec model;
  Mitigation mitigation = Mitigation::Baseline;
  std::optional<double> factor;   // s, for scaling mitigations
  std::optional<qint64> context;  // N, tokens
  bool json = false;
};

bool scalesFrequencies(Mitigation mitigation) {
  switch (mitigation) {
    case Mitigation::Linear:
    case Mitigation::Ntk:
    case Mitigation::DynamicNtk:
    case Mitigation::Yarn:
    case Mitigation::Llama3:
    case Mitigation::LongRope:
      return true;
    default:
      return false;
  }
}

QString knownMitigations() {
  QStringList names;
  for (Mitigation mitigation : comparedMitigations()) names << mitigationName(mitigation);
  names << mitigationName(Mitigation::WindowOnly);
  return names.join(QStringLiteral(", "));
}

RopeRequest parseRequest(const QStringList& args) {
  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("A model's RoPE frequency schedule (inv_freq, attention factor, softmax scale), its "
                     "critical dimension and "
                     "which rotary dims meet angles at --context that training never produced."));
  parser.addOption({QStringLiteral("model"),
                    QStringLiteral("Catalogue id, config.json, .gguf or Hub id org/name[@revision]."),
                    QStringLiteral("M")});
  parser.addOption(
      {QStringLiteral("mitigation"),
       QStringLiteral("baseline (as shipped), linear, ntk, dynamic-ntk, yarn, llama3, longrope."),
       QStringLiteral("X")});
  parser.addOption({QStringLiteral("factor"),
                    QStringLiteral("Scaling factor s >= 1 (default: context / trained context)."),
                    QStringLiteral("S")});
  parser.addOption({QStringLiteral("context"),
                    QStringLiteral("Sequence length N in tokens (default: the schedule's longest context)."),
                    QStringLiteral("N")});
  parser.addOption({QStringLiteral("json"), QStringLiteral("One JSON object on stdout.")});
  parseOrThrow(parser, QStringLiteral("rope"), args);

  RopeRequest request;
  const QString modelArgument = requireOption(parser, QStringLiteral("model"));
  if (parser.isSet(QStringLiteral("mitigation"))) {
    const QString name = parser.value(QStringLiteral("mitigation"));
    const std::optional<Mitigation> mitigation = mitigationFromName(name);
    if (!mitigation)
      throwUsage(QStringLiteral("--mitigation"),
                 QStringLiteral("unknown '%1' (known: %2)").arg(name, knownMitigations()));
    request.mitigation = *mitigation;
  }
  if (parser.isSet(QStringLiteral("factor"))) {
    if (!scalesFrequencies(request.mitigation))
      throwUsage(
          QStringLiteral("--factor"),
          QStringLiteral("applies only to a frequency-scaling mitigation (linear, ntk, dynamic-ntk, yarn, "
                         "llama3, longrope), not to %1")
              .arg(mitigationName(request.mitigation)));
    request.factor = parseScalingFactor(QStringLiteral("--factor"), parser.value(QStringLiteral("factor")));
  }
  request.context = optionalCount(parser, QStringLiteral("context"), 1, kMaxContextTokens);
  request.json = parser.isSet(QStringLiteral("json"));
  request.model = resolveModel(modelArgument);
  return request;
}

// The model's own factor for longrope, else context / trained; none when neither says.
std::optional<double> defaultFactor(const RopeRequest& request, const RopeParameters& params) {
  if (request.mitigation == Mitigation::LongRope && params.scaling) {
    if (params.scaling->factor > 1.0) return params.scaling->factor;
    const qint64 original = params.scaling->originalMaxPositionEmbeddings.value_or(params.originalContext);
    if (original > 0 && params.maxPositionEmbeddings > original)
      return static_cast<double>(params.maxPositionEmbeddings) / static_cast<double>(original);
  }
  if (request.context && params.originalContext > 0 && *request.context > params.originalContext)
    return static_cast<double>(*request.context) / static_cast<double>(params.originalContext);
  return std::nullopt;
}

RopeParameters parametersInUse(const RopeRequest& request, const RopeParameters& own,
                               std::optional<double>* factorUsed) {
  QString reason;
  if (!mitigationApplies(own, request.mitigation, &reason))
    throwBadInput(request.model.id, mitigationName(request.mitigation), reason);
  if (!scalesFrequencies(request.mitigation)) return withMitigation(own, request.mitigation, 1.0);
  *factorUsed = request.factor ? request.factor : defaultFactor(request, own);
  if (!*factorUsed)
    throwUsage(QStringLiteral("--factor"),
               QStringLiteral(
                   "missing: give --factor S, or a --context beyond the trained context (%1 tokens) to use "
                   "S = context / trained context")
                   .arg(own.originalContext));
  return withMitigation(own, request.mitigation, **factorUsed);
}

void printTable(const QJsonObject& result, const PhaseCoverage& coverage, const RopeSchedule& schedule) {
  const QLocale english(QLocale::English);
  QTextStream& o = out();
  o << "Model             " << result.value(QStringLiteral("model")).toString() << "\n";
  o << "Mitigation        " << result.value(QStringLiteral("mitigation")).toString();
  if (result.value(QStringLiteral("factor")).isDouble())
    o << " (factor " << result.value(QStringLiteral("factor")).toDouble() << ")";
  o << "\nRoPE type         " << schedule.ropeType << "\n";
  o << "Rotary dims       " << schedule.rotaryDim << " of head dim " << schedule.headDim << ", "
    << result.value(QStringLiteral("pair_layout")).toString() << " pairs, base " << schedule.base << "\n";
  o << "Attention factor  " << schedule.attentionFactor << " (logits x"
    << schedule.attentionFactor * schedule.attentionFactor << "), softmax scale " << schedule.softmaxScale
    << "\n";
  o << "Trained context   " << english.toString(coverage.trainedContext) << " tokens; context "
    << english.toString(coverage.context) << " tokens\n";
  o << "Critical dims     " << coverage.criticalDims << " of " << schedule.rotaryDim << "\n";
  o << unseenRotaryDimsSentence(coverage) << ".\n\n";
  o << QStringLiteral("%1  %2  %3  %4  %5\n")
           .arg(QStringLiteral("pair"), 4)
           .arg(QStringLiteral("inv_freq"), 13)
           .arg(QStringLiteral("period"), 12)
           .arg(QStringLiteral("trained period"), 14)
           .arg(QStringLiteral("unseen share"), 12);
  for (const PairPhaseCoverage& pair : coverage.pairs)
    o << QStringLiteral("%1  %2  %3  %4  %5\n")
             .arg(pair.pair, 4)
             .arg(schedule.invFreq[static_cast<size_t>(pair.pair)], 13, 'e', 6)
             .arg(pair.inferencePeriodTokens, 12, 'g', 6)
             .arg(pair.trainedPeriodTokens, 14, 'g', 6)
             .arg(pair.unseenShare, 12, 'f', 4);
  o.flush();
}

int ropeFor(const RopeRequest& request) {
  const RopeParameters own = ropeParametersFor(request.model);
  std::optional<double> factorUsed;
  const RopeParameters params = parametersInUse(request, own, &factorUsed);
  const qint64 trainedContext = own.originalContext > 0 ? own.originalContext : own.maxPositionEmbeddings;
  const qint64 context = request.context.value_or(std::max(params.maxPositionEmbeddings, trainedContext));
  const RopeSchedule schedule = computeRopeSchedule(params, context);
  const PhaseCoverage coverage = phaseCoverageFor(params, context);

  QJsonObject result = ropeScheduleToJson(schedule);
  result.insert(QStringLiteral("model"), request.model.id);
  result.insert(QStringLiteral("mitigation"), mitigationName(request.mitigation));
  result.insert(QStringLiteral("factor"), factorUsed ? QJsonValue(*factorUsed) : QJsonValue());
  result.insert(QStringLiteral("rope_theta"), own.theta);
  result.insert(QStringLiteral("trained_context"), trainedContext);
  result.insert(QStringLiteral("context"), context);
  result.insert(QStringLiteral("critical_dims"), coverage.criticalDims);
  result.insert(QStringLiteral("phase_coverage"), phaseCoverageToJson(coverage));
  result.insert(
      QStringLiteral("basis"),
      QStringLiteral("computed: the model's configuration with the mitigation applied as a runtime would"));
  if (request.json)
    printJson(result);
  else
    printTable(result, coverage, schedule);
  return 0;
}

// Schedule errors name "rope parameters"; the user knows the model by its id or file.
template <typename Body>
auto namingModel(const ModelSpec& model, Body body) {
  try {
    return body();
  } catch (const Error& error) {
    if (error.source() != QLatin1String("rope parameters")) throw;
    const QString name =
        model.origin.isEmpty() || model.origin == QLatin1String("catalogue") ? model.id : model.origin;
    throw error.at(name, error.field());
  }
}

}  // namespace

int runRope(const QStringList& args) {
  const RopeRequest request = parseRequest(args);
  return namingModel(request.model, [&] { return ropeFor(request); });
}

}  // namespace sinkscope::cli
