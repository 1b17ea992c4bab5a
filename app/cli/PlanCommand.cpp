// `sinkscope plan`: memory, fit, throughput, confidence and the mitigation comparison for one
// model on one hardware profile at one context (DESIGN.md command-line contract).
#include "catalog/Catalog.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "common/Error.h"
#include "planner/Plan.h"
#include "planner/PlanJson.h"
#include "planner/PlannerResources.h"

#include <QCommandLineParser>
#include <algorithm>

namespace sinkscope::cli {

namespace {

QString gib(qint64 bytes) { return QString::number(double(bytes) / double(1ll << 30), 'f', 2) + QStringLiteral(" GiB"); }

QString tokensText(qint64 tokens) { return tokens > 0 ? QString::number(tokens) : QStringLiteral("no cap"); }

QString applicableNames(const std::vector<Mitigation>& mitigations) {
  QStringList names;
  for (Mitigation mitigation : mitigations) names << mitigationName(mitigation);
  return names.join(QStringLiteral(", "));
}

PlanRequest requestFrom(const QCommandLineParser& parser) {
  const PlannerResources& resources = plannerResources();
  PlanRequest request;
  request.contextTokens = parseCount(QStringLiteral("--context"), requireOption(parser, QStringLiteral("context")), 1,
                                     kMaxContextTokens);
  if (const auto batch = optionalCount(parser, QStringLiteral("batch"), 1, 1'000'000)) request.batch = int(*batch);
  if (parser.isSet(QStringLiteral("weights-dtype"))) {
    request.weightsDtype = parser.value(QStringLiteral("weights-dtype"));
    if (!resources.findWeightDtype(request.weightsDtype))
      throwUsage(QStringLiteral("--weights-dtype"), QStringLiteral("unknown dtype '%1' (known: %2)")
                                                        .arg(request.weightsDtype, resources.weightDtypeNames().join(QStringLiteral(", "))));
  }
  if (parser.isSet(QStringLiteral("kv-dtype"))) {
    request.kvDtype = parser.value(QStringLiteral("kv-dtype"));
    if (!resources.findKvDtype(request.kvDtype))
      throwUsage(QStringLiteral("--kv-dtype"), QStringLiteral("unknown dtype '%1' (known: %2)")
                                                   .arg(request.kvDtype, resources.kvDtypeNames().join(QStringLiteral(", "))));
  }
  if (parser.isSet(QStringLiteral("mitigation"))) {
    const QString name = parser.value(QStringLiteral("mitigation"));
    const auto mitigation = mitigationFromName(name);
    if (!mitigation || *mitigation == Mitigation::WindowOnly)
      throwUsage(QStringLiteral("--mitigation"),
                 QStringLiteral("unknown mitigation '%1' (known: baseline, linear, ntk, dynamic-ntk, yarn, llama3, "
                                "longrope, alibi, streaming)").arg(name));
    request.mitigation = *mitigation;
  }
  if (parser.isSet(QStringLiteral("factor"))) {
    request.mitigationFactor = parsePositiveDouble(QStringLiteral("--factor"), parser.value(QStringLiteral("factor")));
    if (*request.mitigationFactor < 1) throwUsage(QStringLiteral("--factor"), QStringLiteral("must be at least 1"));
  }
  if (const auto chunk = optionalCount(parser, QStringLiteral("prefill-chunk"), 1, kMaxContextTokens))
    request.prefillChunkTokens = *chunk;
  if (parser.isSet(QStringLiteral("memory-share"))) {
    const double share = parsePositiveDouble(QStringLiteral("--memory-share"), parser.value(QStringLiteral("memory-share")));
    if (share > 1) throwUsage(QStringLiteral("--memory-share"), QStringLiteral("must be in (0, 1]"));
    request.usableMemoryShare = share;
  }
  return request;
}

void printText(const Plan& plan) {
  QTextStream& o = out();
  o << "SinkScope plan (modelled): " << plan.modelId << " on " << plan.hardwareId << " at " << plan.contextTokens
    << " tokens (trained " << plan.trainedContextTokens << "), batch " << plan.batch << ", weights "
    << plan.weightsDtype << ", KV " << plan.kvDtype << ", mitigation " << mitigationName(plan.mitigation) << "\n\n";
  o << "Memory\n";
  o << QStringLiteral("  %1 %2\n").arg(QStringLiteral("weights"), -14).arg(gib(plan.memory.weightsBytes));
  o << QStringLiteral("  %1 %2  (%3 B/token)\n").arg(QStringLiteral("KV cache"), -14).arg(gib(plan.memory.kvBytes)).arg(plan.memory.kvBytesPerToken);
  o << QStringLiteral("  %1 %2\n").arg(QStringLiteral("activations"), -14).arg(gib(plan.memory.activationBytes));
  o << QStringLiteral("  %1 %2\n").arg(QStringLiteral("overhead"), -14).arg(gib(plan.memory.overheadBytes));
  o << QStringLiteral("  %1 %2 of %3 usable -> %4\n")
           .arg(QStringLiteral("total"), -14)
           .arg(gib(plan.memory.totalBytes), gib(plan.memory.capacityBytes),
                plan.fits ? QStringLiteral("fits") : QStringLiteral("DOES NOT FIT"));
  o << "  max context that fits: "
    << (plan.fit.unbounded ? QStringLiteral("any (KV stops growing)") : QString::number(plan.fit.maxContextTokens)) << "\n\n";
  o << "Throughput (roofline)\n";
  o << QStringLiteral("  prefill %1 tokens/s (%2-bound), decode %3 tokens/s (%4-bound)\n\n")
           .arg(QString::number(plan.throughput.prefillTokensPerSecond, 'f', 0), boundName(plan.throughput.prefillBound),
                QString::number(plan.throughput.decodeTokensPerSecond, 'f', 1), boundName(plan.throughput.decodeBound));
  o << "Confidence " << QString::number(plan.confidence.value, 'f', 2) << ", context_cap "
    << tokensText(plan.contextCap) << ", effective context " << plan.effectiveContext << "\n";
  for (const ConfidenceReason& reason : plan.confidence.reasons) o << "  - " << reason.text << "\n";
  o << "\nMitigations\n";
  o << QStringLiteral("  %1 %2 %3 %4 %5 %6\n")
           .arg(QStringLiteral("name"), -12).arg(QStringLiteral("factor"), 7).arg(QStringLiteral("cap"), 10)
           .arg(QStringLiteral("effective"), 10).arg(QStringLiteral("confidence"), 11).arg(QStringLiteral("KV"), 12);
  for (const MitigationPlan& row : plan.mitigations)
    o << QStringLiteral("  %1 %2 %3 %4 %5 %6\n")
             .arg(mitigationName(row.mitigation), -12)
             .arg(QString::number(row.factor, 'f', 2), 7)
             .arg(tokensText(row.contextCap), 10)
             .arg(row.effectiveContext, 10)
             .arg(QString::number(row.confidence.value, 'f', 2), 11)
             .arg(gib(row.kvBytes), 12);
  if (!plan.notes.isEmpty()) {
    o << "\nNotes\n";
    for (const QString& note : plan.notes) o << "  - " << note << "\n";
  }
  o.flush();
}

}  // namespace

int runPlan(const QStringList& args) {
  return guarded([&] {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Memory, fit, throughput and confidence for a model on hardware."));
    parser.addOptions({
        {QStringLiteral("model"), QStringLiteral("Catalogue id, config.json or .gguf."), QStringLiteral("M")},
        {QStringLiteral("hardware"), QStringLiteral("Catalogue id or hardware JSON."), QStringLiteral("H")},
        {QStringLiteral("context"), QStringLiteral("Context length in tokens (32768 or 32k)."), QStringLiteral("N")},
        {QStringLiteral("batch"), QStringLiteral("Sequences held at once (default 1)."), QStringLiteral("B")},
        {QStringLiteral("weights-dtype"), QStringLiteral("Weight dtype (default bf16)."), QStringLiteral("T")},
        {QStringLiteral("kv-dtype"), QStringLiteral("KV-cache dtype (default fp16)."), QStringLiteral("T")},
        {QStringLiteral("mitigation"), QStringLiteral("Mitigation to plan for (default baseline)."), QStringLiteral("X")},
        {QStringLiteral("factor"), QStringLiteral("Scaling factor s (default context / trained)."), QStringLiteral("S")},
        {QStringLiteral("prefill-chunk"), QStringLiteral("Prefill chunk in tokens (default 2048)."), QStringLiteral("C")},
        {QStringLiteral("memory-share"), QStringLiteral("Usable share of device memory (default 0.9)."), QStringLiteral("F")},
        {QStringLiteral("json"), QStringLiteral("One JSON object on stdout.")},
    });
    parseOrThrow(parser, QStringLiteral("plan"), args);
    const QString modelArgument = requireOption(parser, QStringLiteral("model"));
    const QString hardwareArgument = requireOption(parser, QStringLiteral("hardware"));
    const PlanRequest request = requestFrom(parser);
    const ModelSpec model = resolveModel(modelArgument);
    const HardwareSpec hardware = resolveHardware(hardwareArgument);
    const auto applicable = mitigationsFor(model.usesRope);
    if (std::find(applicable.begin(), applicable.end(), request.mitigation) == applicable.end())
      throwUsage(QStringLiteral("--mitigation"),
                 QStringLiteral("'%1' does not apply to %2 (%3 model; use one of %4)")
                     .arg(mitigationName(request.mitigation), model.id,
                          model.usesRope ? QStringLiteral("a RoPE") : QStringLiteral("an ALiBi"),
                          applicableNames(applicable)));
    const Plan plan = makePlan(model, hardware, request);
    if (parser.isSet(QStringLiteral("json")))
      printJson(planToJson(plan));
    else
      printText(plan);
    return 0;
  });
}

}  // namespace sinkscope::cli
