#include "cli/ScenarioOptions.h"

#include "cli/CliSupport.h"
#include "common/Error.h"

namespace sinkscope::cli {

void addScenarioOptions(QCommandLineParser& parser) {
  parser.addOptions({
      {QStringLiteral("model"),
       QStringLiteral("Catalogue id, config.json, .gguf or Hub id org/name[@revision]."),
       QStringLiteral("M")},
      {QStringLiteral("hardware"), QStringLiteral("Catalogue id or hardware JSON."), QStringLiteral("H")},
      {QStringLiteral("context"), QStringLiteral("Context length in tokens (32768 or 32k)."),
       QStringLiteral("N")},
      {QStringLiteral("mitigations"),
       QStringLiteral(
           "Mitigations to compare, comma-separated (default baseline,ntk): baseline, linear, ntk, "
           "dynamic-ntk, yarn, llama3, longrope, alibi, streaming."),
       QStringLiteral("X,Y")},
      {QStringLiteral("runtime"),
       QStringLiteral("Engine: llama.cpp (default), vllm or transformers; decides whether a sliding window "
                      "is honoured."),
       QStringLiteral("R")},
      {QStringLiteral("gpus"), QStringLiteral("GPUs per node (default 1)."), QStringLiteral("N")},
      {QStringLiteral("nodes"), QStringLiteral("Nodes (default 1)."), QStringLiteral("M")},
      {QStringLiteral("out"), QStringLiteral("The file to write; its extension picks the format."),
       QStringLiteral("FILE")},
      {QStringLiteral("force"), QStringLiteral("Replace FILE when it exists.")},
  });
}

std::vector<Mitigation> parseMitigationList(const QString& text) {
  std::vector<Mitigation> mitigations;
  for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
    const QString name = part.trimmed();
    const auto mitigation = mitigationFromName(name);
    if (!mitigation || *mitigation == Mitigation::WindowOnly)
      throwUsage(
          QStringLiteral("--mitigations"),
          QStringLiteral("unknown mitigation '%1' (known: baseline, linear, ntk, dynamic-ntk, yarn, llama3, "
                         "longrope, alibi, streaming)")
              .arg(name));
    if (std::find(mitigations.begin(), mitigations.end(), *mitigation) == mitigations.end())
      mitigations.push_back(*mitigation);
  }
  if (mitigations.empty())
    throwUsage(QStringLiteral("--mitigations"), QStringLiteral("name at least one mitigation"));
  return mitigations;
}

ReportScenario readScenario(const QCommandLineParser& parser, bool hardwareRequired) {
  ReportScenario scenario;
  scenario.model = requireOption(parser, QStringLiteral("model"));
  if (hardwareRequired || parser.isSet(QStringLiteral("hardware")))
    scenario.hardware = requireOption(parser, QStringLiteral("hardware"));
  scenario.contextTokens = parseCount(QStringLiteral("--context"),
                                      requireOption(parser, QStringLiteral("context")), 8, kMaxContextTokens);
  if (const auto gpus = optionalCount(parser, QStringLiteral("gpus"), 1, 65536))
    scenario.gpusPerNode = int(*gpus);
  if (const auto nodes = optionalCount(parser, QStringLiteral("nodes"), 1, 65536))
    scenario.nodes = int(*nodes);
  if (parser.isSet(QStringLiteral("mitigations")))
    scenario.mitigations = parseMitigationList(parser.value(QStringLiteral("mitigations")));
  else
    scenario.mitigationsDefaulted = true;
  scenario.runtime = runtimeOption(parser, scenario.runtime);
  requireOption(parser, QStringLiteral("out"));
  return scenario;
}

}  // namespace sinkscope::cli
