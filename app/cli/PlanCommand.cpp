// `sinkscope plan`: memory, fit, throughput, confidence and the mitigation comparison for one
// model on one hardware profile at one context (docs/design.md command-line contract).
#include "catalog/Catalog.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "common/Error.h"
#include "common/NumberFormat.h"
#include "planner/ParameterCount.h"
#include "planner/Plan.h"
#include "planner/PlanJson.h"
#include "planner/PlannerResources.h"

#include <QCommandLineParser>
#include <algorithm>
#include <cmath>

namespace sinkscope::cli {

namespace {

QString gib(qint64 bytes) {
  return gibText(bytes);
}

QString applicableNames(const std::vector<Mitigation>& mitigations) {
  QStringList names;
  for (Mitigation mitigation : mitigations) names << mitigationName(mitigation);
  return names.join(QStringLiteral(", "));
}

// --gpus (per node), --nodes, --tensor-parallel-size, --pipeline-parallel-size: counts, exit 2 naming the
// flag.
void readParallelOptions(const QCommandLineParser& parser, PlanRequest& request) {
  auto count = [&](const QString& name) -> std::optional<int> {
    if (const auto value = optionalCount(parser, name, 1, 65536)) return int(*value);
    return std::nullopt;
  };
  request.parallel.gpusPerNode = count(QStringLiteral("gpus"));
  request.parallel.nodes = count(QStringLiteral("nodes"));
  request.parallel.tensorParallel = count(QStringLiteral("tensor-parallel-size"));
  request.parallel.pipelineParallel = count(QStringLiteral("pipeline-parallel-size"));
}

// A layout the model cannot take is a bad flag value: exit 2 naming the flag.
void checkParallelLayout(const ModelSpec& model, const PlanRequest& request) {
  ParallelLayout layout;
  const auto problem = resolveParallelLayout(model, request.parallel, layout);
  if (!problem) return;
  QString flag = problem->field;
  flag.replace(QLatin1Char('_'), QLatin1Char('-'));
  throwUsage(QStringLiteral("--") + flag, problem->message);
}

PlanRequest requestFrom(const QCommandLineParser& parser) {
  const PlannerResources& resources = plannerResources();
  PlanRequest request;
  request.contextTokens = parseCount(QStringLiteral("--context"),
                                     requireOption(parser, QStringLiteral("context")), 1, kMaxContextTokens);
  if (const auto batch = optionalCount(parser, QStringLiteral("batch"), 1, 1'000'000))
    request.batch = int(*batch);
  if (parser.isSet(QStringLiteral("weights-dtype"))) {
    request.weightsDtype = parser.value(QStringLiteral("weights-dtype"));
    if (!resources.findWeightDtype(request.weightsDtype))
      throwUsage(QStringLiteral("--weights-dtype"),
                 QStringLiteral("unknown dtype '%1' (known: %2)")
                     .arg(request.weightsDtype, resources.weightDtypeNames().join(QStringLiteral(", "))));
  }
  if (parser.isSet(QStringLiteral("kv-dtype"))) {
    request.kvDtype = parser.value(QStringLiteral("kv-dtype"));
    if (!resources.findKvDtype(request.kvDtype))
      throwUsage(QStringLiteral("--kv-dtype"),
                 QStringLiteral("unknown dtype '%1' (known: %2)")
                     .arg(request.kvDtype, resources.kvDtypeNames().join(QStringLiteral(", "))));
  }
  if (parser.isSet(QStringLiteral("mitigation"))) {
    const QString name = parser.value(QStringLiteral("mitigation"));
    const auto mitigation = mitigationFromName(name);
    if (!mitigation || *mitigation == Mitigation::WindowOnly)
      throwUsage(
          QStringLiteral("--mitigation"),
          QStringLiteral("unknown mitigation '%1' (known: baseline, linear, ntk, dynamic-ntk, yarn, llama3, "
                         "longrope, alibi, streaming)")
              .arg(name));
    request.mitigation = *mitigation;
  }
  request.runtime = runtimeOption(parser, request.runtime);
  if (parser.isSet(QStringLiteral("factor"))) {
    request.mitigationFactor =
        parseScalingFactor(QStringLiteral("--factor"), parser.value(QStringLiteral("factor")));
  }
  if (const auto chunk = optionalCount(parser, QStringLiteral("prefill-chunk"), 1, kMaxContextTokens))
    request.prefillChunkTokens = *chunk;
  if (parser.isSet(QStringLiteral("memory-share"))) {
    const double share =
        parsePositiveDouble(QStringLiteral("--memory-share"), parser.value(QStringLiteral("memory-share")));
    if (share > 1) throwUsage(QStringLiteral("--memory-share"), QStringLiteral("must be in (0, 1]"));
    request.usableMemoryShare = share;
  }
  readParallelOptions(parser, request);
  return request;
}

QString kTokens(double value) {
  return tokensShort(value);
}

QString pct(double share) {
  return percentText(share);
}

void printMitigations(const Plan& plan) {
  QTextStream& o = out();
  o << "\nMitigations (modelled, " << runtimeName(plan.runtime)
    << "; effective = longest context that still works, passkey-style; strict = RULER-style;\n"
       "  verdict and quality at the requested context; bands in parentheses)\n";
  o << QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9\n")
           .arg(QStringLiteral("name"), -12)
           .arg(QStringLiteral("factor"), 6)
           .arg(QStringLiteral("cap"), 7)
           .arg(QStringLiteral("effective (band)"), 22)
           .arg(QStringLiteral("strict"), 7)
           .arg(QStringLiteral("verdict"), -10)
           .arg(QStringLiteral("quality (band)"), 18)
           .arg(QStringLiteral("conf"), 5)
           .arg(QStringLiteral("KV"), 10);
  for (const MitigationPlan& row : plan.mitigations) {
    const MitigationEstimate& e = row.estimate;
    // The window's Mitigations tab writes the same bands (NumberFormat's band texts).
    const Band& reach = e.effectiveContext;
    const Band& kept = e.qualityRetention;
    const QString effective =
        e.applicable ? tokensBandText(reach.central, reach.low, reach.high) : notApplicableText();
    const QString quality =
        e.applicable ? percentBandText(kept.central, kept.low, kept.high) : notApplicableText();
    o << QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9\n")
             .arg(mitigationName(row.mitigation) + (e.fineTuned      ? QStringLiteral("*")
                                                    : e.vendorRecipe ? QStringLiteral("+")
                                                                     : QString()),
                  -12)
             .arg(QString::number(row.factor, 'f', 1), 6)
             .arg(row.contextCap > 0 ? kTokens(double(row.contextCap)) : QStringLiteral("none"), 7)
             .arg(effective, 22)
             .arg(e.applicable ? kTokens(double(e.effectiveContextStrict)) : QStringLiteral("n/a"), 7)
             .arg(verdictName(e.verdict.kind) + (e.verdict.extrapolated ? QStringLiteral("~") : QString()),
                  -10)
             .arg(quality, 18)
             .arg(confidenceText(row.confidence.value), 5)
             .arg(gib(row.kvBytes), 10);
  }
  o << "  (* = the model ships this scaling and was trained with it; + = the vendor's documented recipe;\n"
       "   ~ = extrapolated past the published points)\n";
  for (const MitigationPlan& row : plan.mitigations)
    o << "  " << mitigationName(row.mitigation) << ": " << row.estimate.verdict.text << "\n";
}

void printRecommendation(const Plan& plan) {
  QTextStream& o = out();
  const Recommendation& r = plan.recommendation;
  if (!r.best) return;
  o << "\nRecommendation: " << mitigationName(*r.best) << "\n";
  for (const QString& reason : r.reasons) o << "  - " << reason << "\n";
  if (r.runnerUp) {
    o << "Runner-up: " << mitigationName(*r.runnerUp) << "\n";
    for (const QString& reason : r.runnerUpReasons) o << "  - " << reason << "\n";
  }
  if (!r.fineTunedAlternative.isEmpty()) o << "  " << r.fineTunedAlternative << "\n";
  for (const MitigationPlan& row : plan.mitigations)
    if (row.mitigation == *r.best) o << "Why: " << row.estimate.explanation << "\n";
}

void printSourceDocument(const Plan& plan) {
  if (plan.sourceDocument.empty()) return;
  QTextStream& o = out();
  o << "\nThe source document's worked example beside SinkScope\n";
  o << QStringLiteral("  %1 %2 %3 %4 %5\n")
           .arg(QStringLiteral("document row"), -44)
           .arg(QStringLiteral("doc eff"), 8)
           .arg(QStringLiteral("ours (strict)"), 14)
           .arg(QStringLiteral("doc q"), 6)
           .arg(QStringLiteral("ours q"), 7);
  for (const DocumentComparison& row : plan.sourceDocument)
    o << QStringLiteral("  %1 %2 %3 %4 %5\n")
             .arg(row.text.left(44), -44)
             .arg(kTokens(double(row.documentEffective)), 8)
             .arg(QStringLiteral("%1 (%2)").arg(kTokens(double(row.effective)),
                                                kTokens(double(row.effectiveStrict))),
                  14)
             .arg(pct(row.documentQuality), 6)
             .arg(pct(row.quality), 7);
  for (const DocumentComparison& row : plan.sourceDocument)
    o << "  - " << row.mitigation << ": " << row.verdict << "\n";
}

void printLaunchFlags(const Plan& plan) {
  QTextStream& o = out();
  QList<Mitigation> shown{plan.mitigation};
  if (plan.recommendation.best && *plan.recommendation.best != plan.mitigation)
    shown << *plan.recommendation.best;
  for (Mitigation mitigation : shown)
    for (const MitigationPlan& row : plan.mitigations) {
      if (row.mitigation != mitigation) continue;
      const LaunchFlags& f = row.launchFlags;
      o << "\nLaunch flags for " << mitigationName(mitigation) << "\n";
      o << "  vLLM:         " << (f.vllm.isEmpty() ? QStringLiteral("(not available)") : f.vllm) << "\n";
      if (!f.vllmLatest.isEmpty() && f.vllmLatest != f.vllm) o << "  vLLM (newer): " << f.vllmLatest << "\n";
      o << "  llama.cpp:    " << (f.llamaCpp.isEmpty() ? QStringLiteral("(not available)") : f.llamaCpp)
        << "\n";
      o << "  transformers: "
        << (f.transformers.isEmpty() ? QStringLiteral("(not available)") : f.transformers) << "\n";
      if (!f.notes.isEmpty()) o << "  note: " << f.notes << "\n";
    }
}

void printDeployment(const Plan& plan) {
  const ParallelLayout& p = plan.parallel;
  if (p.gpus() <= 1) return;
  QStringList layers;
  for (int count : plan.layersPerStage) layers << QString::number(count);
  const QString nodes = p.nodes == 1 ? QStringLiteral("one node")
                                     : QStringLiteral("%1 nodes x %2").arg(p.nodes).arg(p.gpusPerNode);
  out() << QStringLiteral(
               "Deployment: %1 GPUs (%2), tensor-parallel %3, pipeline-parallel %4 (layers per "
               "stage %5); KV heads per GPU %6, each cached head on %7 GPU(s)\n")
               .arg(p.gpus())
               .arg(nodes)
               .arg(p.tensorParallel)
               .arg(p.pipelineParallel)
               .arg(layers.join(QLatin1Char('/')))
               .arg(plan.attentionKind == AttentionKind::Mla ? QStringLiteral("1 latent")
                                                             : QString::number(plan.kvHeadsPerGpu))
               .arg(plan.kvReplicasPerHead);
  out() << QStringLiteral("  all %1 GPUs together: weights %2, KV cache %3, total %4 of %5 usable\n\n")
               .arg(p.gpus())
               .arg(gib(plan.memoryAllGpus.weightsBytes), gib(plan.memoryAllGpus.kvBytes),
                    gib(plan.memoryAllGpus.totalBytes), gib(plan.memoryAllGpus.capacityBytes));
}

void printFitAdvice(const Plan& plan) {
  if (plan.fits) return;
  QTextStream& o = out();
  const FitAdvice& advice = plan.fitAdvice;
  o << "What would fit (each change alone, in order of cost)";
  if (advice.smallest) o << "; the smallest: " << fitChangeName(advice.options[*advice.smallest].change);
  o << "\n";
  for (const FitOption& option : advice.options)
    o << QStringLiteral("  %1 %2: %3\n")
             .arg(option.works ? QStringLiteral("+") : QStringLiteral("-"), fitChangeName(option.change),
                  option.summary);
  o << "\n";
}

void printThroughput(const Plan& plan) {
  QTextStream& o = out();
  const ThroughputEstimate& t = plan.throughput;
  o << "Throughput (roofline)\n";
  if (!plan.fits) {
    o << "  not estimated: the plan does not fit, so it cannot run\n\n";
    return;
  }
  o << QStringLiteral("  prefill %1 tokens/s (%2-bound), decode %3 tokens/s (%4-bound)\n")
           .arg(QString::number(t.prefillTokensPerSecond, 'f', 0), boundName(t.prefillBound),
                QString::number(t.decodeTokensPerSecond, 'f', 1), boundName(t.decodeBound));
  if (plan.parallel.gpus() > 1) {
    QStringList links{t.tensorParallelLink, t.pipelineLink};
    links.removeAll(QString());
    o << QStringLiteral("  communication: %1 ms per decode step, %2 s of the prefill (%3)\n")
             .arg(QString::number(1000.0 * t.decodeCommunicationSeconds, 'f', 3),
                  QString::number(t.prefillCommunicationSeconds, 'f', 3),
                  links.isEmpty() ? QStringLiteral("no link bandwidth known")
                                  : links.join(QStringLiteral("; ")));
  }
  o << "\n";
}

// Where the parameter count comes from: the checkpoint's safetensors headers (a Hub model whose
// repository has them) or the architecture in the config (docs/catalog.md "Hub import").
QJsonObject parameterCountJson(const Plan& plan, const ModelSpec& model) {
  if (!model.checkpointWeights)
    return {{QStringLiteral("source"), QStringLiteral("config")},
            {QStringLiteral("weights_from"), QStringLiteral("config")},
            {QStringLiteral("parameters"), plan.totalParameters}};
  const CheckpointWeights& weights = *model.checkpointWeights;
  return {{QStringLiteral("source"), QStringLiteral("safetensors")},
          {QStringLiteral("weights_from"), QStringLiteral("safetensors")},
          {QStringLiteral("parameters"), weights.parameters},
          {QStringLiteral("checkpoint_bytes"), weights.bytes},
          {QStringLiteral("checkpoint_dtypes"), weights.dtypes},
          {QStringLiteral("detail"), weights.source},
          {QStringLiteral("config_parameters"), plan.totalParameters}};
}

void printParameterCount(const Plan& plan, const ModelSpec& model) {
  QTextStream& o = out();
  if (!model.checkpointWeights) {
    if (plan.parallel.gpus() > 1)  // the memory above is the fullest GPU's: so is its parameter count
      o << "  parameters: " << plan.totalParameters
        << " on that GPU (replicated parts included) of the model's " << countParameters(model).total()
        << ", computed from the config\n";
    else
      o << "  parameters: " << plan.totalParameters << " computed from the config\n";
    return;
  }
  const CheckpointWeights& weights = *model.checkpointWeights;
  o << "  parameters: " << weights.parameters << " exact, from " << weights.source << "; stored as "
    << weights.dtypes << " in " << weights.bytes << " bytes (" << gib(weights.bytes) << ")\n";
  o << "  (the weights line above uses this exact count at " << plan.weightsDtype
    << "; the config alone gives " << plan.totalParameters << ")\n";
}

void printText(const Plan& plan, const ModelSpec& model) {
  QTextStream& o = out();
  o << "SinkScope plan (modelled): " << plan.modelId << " on " << plan.hardwareId << " at "
    << plan.contextTokens << " tokens (trained " << plan.trainedContextTokens << "), batch " << plan.batch
    << ", weights " << plan.weightsDtype << ", KV " << plan.kvDtype << ", runtime "
    << runtimeName(plan.runtime) << "\n";
  o << "Plan made for: " << mitigationName(plan.mitigation) << " — " << plan.mitigationChoice << "\n";
  if (model.origin != QLatin1String("catalogue")) o << "Origin: " << model.origin << "\n";
  o << "\n";
  printDeployment(plan);
  o << (plan.parallel.gpus() > 1
            ? QStringLiteral("Memory per GPU (the fullest of %1)\n").arg(plan.parallel.gpus())
            : QStringLiteral("Memory\n"));
  o << QStringLiteral("  %1 %2\n").arg(QStringLiteral("weights"), -14).arg(gib(plan.memory.weightsBytes));
  o << QStringLiteral("  %1 %2  (%3 B/token)\n")
           .arg(QStringLiteral("KV cache"), -14)
           .arg(gib(plan.memory.kvBytes))
           .arg(plan.memory.kvBytesPerToken);
  o << QStringLiteral("  %1 %2\n")
           .arg(QStringLiteral("activations"), -14)
           .arg(gib(plan.memory.activationBytes));
  o << QStringLiteral("  %1 %2\n").arg(QStringLiteral("overhead"), -14).arg(gib(plan.memory.overheadBytes));
  o << QStringLiteral("  %1 %2 of %3 usable -> %4\n")
           .arg(QStringLiteral("total"), -14)
           .arg(gib(plan.memory.totalBytes), gib(plan.memory.capacityBytes),
                plan.fits ? QStringLiteral("fits") : QStringLiteral("DOES NOT FIT"));
  o << "  max context that fits: "
    << (plan.fit.unbounded ? QStringLiteral("any (KV stops growing)") : tokensText(plan.fit.maxContextTokens))
    << (!plan.fit.unbounded && plan.fit.maxContextTokens == 0
            ? " (not even 1 token: see shorter_context below)"
            : "")
    << "\n";
  printParameterCount(plan, model);
  o << "\n";
  printFitAdvice(plan);
  printThroughput(plan);
  o << "Confidence " << confidenceText(plan.confidence.value) << ", context_cap " << capText(plan.contextCap)
    << ", effective context " << tokensText(plan.effectiveContext) << "\n";
  for (const ConfidenceReason& reason : plan.confidence.reasons) o << "  - " << reason.text << "\n";
  printMitigations(plan);
  printRecommendation(plan);
  printSourceDocument(plan);
  printLaunchFlags(plan);
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
    parser.setApplicationDescription(
        QStringLiteral("Memory, fit, throughput and confidence for a model on hardware."));
    parser.addOptions({
        {QStringLiteral("model"),
         QStringLiteral("Catalogue id, config.json, .gguf or Hub id org/name[@revision]."),
         QStringLiteral("M")},
        {QStringLiteral("hardware"), QStringLiteral("Catalogue id or hardware JSON."), QStringLiteral("H")},
        {QStringLiteral("context"), QStringLiteral("Context length in tokens (32768 or 32k)."),
         QStringLiteral("N")},
        {QStringLiteral("batch"), QStringLiteral("Sequences held at once (default 1)."), QStringLiteral("B")},
        {QStringLiteral("weights-dtype"), QStringLiteral("Weight dtype (default bf16)."),
         QStringLiteral("T")},
        {QStringLiteral("kv-dtype"), QStringLiteral("KV-cache dtype (default fp16)."), QStringLiteral("T")},
        {QStringLiteral("mitigation"),
         QStringLiteral(
             "Mitigation to plan for (default: the model as shipped or its vendor's recipe inside the "
             "supported range, else the recommendation)."),
         QStringLiteral("X")},
        {QStringLiteral("runtime"),
         QStringLiteral("Engine: llama.cpp (default), vllm or transformers; decides whether a sliding window "
                        "is honoured."),
         QStringLiteral("R")},
        {QStringLiteral("factor"), QStringLiteral("Scaling factor s (default context / trained)."),
         QStringLiteral("S")},
        {QStringLiteral("prefill-chunk"), QStringLiteral("Prefill chunk in tokens (default 2048)."),
         QStringLiteral("C")},
        {QStringLiteral("memory-share"), QStringLiteral("Usable share of device memory (default 0.9)."),
         QStringLiteral("F")},
        {QStringLiteral("gpus"), QStringLiteral("GPUs per node (default 1)."), QStringLiteral("N")},
        {QStringLiteral("nodes"), QStringLiteral("Nodes (default 1); the deployment has nodes x gpus GPUs."),
         QStringLiteral("M")},
        {QStringLiteral("tensor-parallel-size"),
         QStringLiteral("GPUs that split every layer (default: the GPUs of a node)."), QStringLiteral("T")},
        {QStringLiteral("pipeline-parallel-size"),
         QStringLiteral("Stages that split the layers (default: the nodes)."), QStringLiteral("P")},
        {QStringLiteral("json"), QStringLiteral("One JSON object on stdout.")},
    });
    parseOrThrow(parser, QStringLiteral("plan"), args);
    const QString modelArgument = requireOption(parser, QStringLiteral("model"));
    const QString hardwareArgument = requireOption(parser, QStringLiteral("hardware"));
    const PlanRequest request = requestFrom(parser);
    const ModelSpec model = resolveModel(modelArgument);
    const HardwareSpec hardware = resolveHardware(hardwareArgument);
    const auto applicable = mitigationsFor(model.usesRope);
    if (request.mitigation &&
        std::find(applicable.begin(), applicable.end(), *request.mitigation) == applicable.end())
      throwUsage(QStringLiteral("--mitigation"),
                 QStringLiteral("'%1' does not apply to %2 (%3 model; use one of %4)")
                     .arg(mitigationName(*request.mitigation), model.id,
                          model.usesRope ? QStringLiteral("a RoPE") : QStringLiteral("an ALiBi"),
                          applicableNames(applicable)));
    checkParallelLayout(model, request);
    const Plan plan = makePlan(model, hardware, request);
    if (parser.isSet(QStringLiteral("json"))) {
      QJsonObject json = planToJson(plan);
      json.insert(QStringLiteral("model_origin"), model.origin);
      json.insert(QStringLiteral("parameter_count"), parameterCountJson(plan, model));
      printJson(json);
    } else {
      printText(plan, model);
    }
    return 0;
  });
}

}  // namespace sinkscope::cli
