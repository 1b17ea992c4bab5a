#include "report/ReportSections.h"

#include "attention/ModelledAttention.h"
#include "planner/PlannerResources.h"

#include <cmath>

namespace sinkscope {

namespace {

QString integerText(qint64 value) {
  return QString::number(value);
}

QString bytesText(qint64 bytes) {
  return QStringLiteral("%1 (%2 B)").arg(gibText(bytes)).arg(bytes);
}

QString ratioText(qint64 context, qint64 trained) {
  if (trained <= 0) return QStringLiteral("unknown");
  return QStringLiteral("%1×").arg(QString::number(double(context) / double(trained), 'f', 1));
}

QString qualityText(const std::optional<double>& quality) {
  return percentText(quality);
}

QString compactNumber(double value) {
  if (value >= 1e12) return QString::number(value / 1e12, 'f', 1) + QStringLiteral(" T");
  if (value >= 1e9) return QString::number(value / 1e9, 'f', 2) + QStringLiteral(" B");
  if (value >= 1e6) return QString::number(value / 1e6, 'f', 1) + QStringLiteral(" M");
  return QString::number(value, 'f', 0);
}

// A row's effective context: "n/a" when the mitigation cannot be estimated for this model.
QString effectiveText(const MitigationPlan& row) {
  return row.estimate.applicable ? tokensFull(row.effectiveContext) : notApplicableText();
}

QString mitigationList(const std::vector<Mitigation>& mitigations) {
  QStringList names;
  for (Mitigation m : mitigations) names << mitigationName(m);
  return names.join(QStringLiteral(", "));
}

const MitigationPlan* chosenRow(const Plan& p) {
  for (const MitigationPlan& row : p.mitigations)
    if (row.mitigation == p.mitigation) return &row;
  return nullptr;
}

QString chosenVerdict(const Plan& p) {
  const MitigationPlan* row = chosenRow(p);
  return row ? row->estimate.verdict.text : QString();
}

// "1 GPU", or "16 (2 nodes x 8), tensor-parallel 8, pipeline-parallel 2; figures per GPU".
QString deploymentText(const Plan& p) {
  const ParallelLayout& l = p.parallel;
  if (l.gpus() == 1) return QStringLiteral("1");
  const QString nodes = l.nodes == 1 ? QStringLiteral("one node")
                                     : QStringLiteral("%1 nodes x %2").arg(l.nodes).arg(l.gpusPerNode);
  return QStringLiteral("%1 (%2), tensor-parallel %3, pipeline-parallel %4; memory figures per GPU")
      .arg(l.gpus())
      .arg(nodes)
      .arg(l.tensorParallel)
      .arg(l.pipelineParallel);
}

// When the plan does not fit: every change tried alone, cheapest first, with its numbers.
void addFitAdvice(const Plan& p, ReportSection& s) {
  if (p.fits) return;
  const auto& smallest = p.fitAdvice.smallest;
  s.paragraphs << (smallest ? QStringLiteral("The smallest change that fits: %1.")
                                  .arg(p.fitAdvice.options[*smallest].summary)
                            : QStringLiteral("None of the changes tried fits."));
  for (const FitOption& option : p.fitAdvice.options)
    s.bullets << QStringLiteral("%1 %2: %3")
                     .arg(option.works ? QStringLiteral("works") : QStringLiteral("not enough"),
                          fitChangeName(option.change), option.summary);
}

ReportSection scenarioSection(const Report& r) {
  ReportSection s{QStringLiteral("scenario"), QStringLiteral("Scenario"), {}, {}, {}, {}, {}};
  const Plan& p = r.plan;
  s.paragraphs << QStringLiteral(
                      "%1 running %2 tokens per sequence on %3. The model was trained at %4 tokens, so "
                      "the request is %5 its trained context. Compared: %6.")
                      .arg(r.charts.memory.modelName)
                      .arg(tokensFull(p.contextTokens))
                      .arg(r.charts.memory.hardwareName)
                      .arg(tokensFull(p.trainedContextTokens))
                      .arg(ratioText(p.contextTokens, p.trainedContextTokens),
                           mitigationList(r.scenario.mitigations));
  s.keyValues = {
      {QStringLiteral("Model"), QStringLiteral("%1 (%2)").arg(r.charts.memory.modelName, r.model.id)},
      {QStringLiteral("Hardware"),
       QStringLiteral("%1 (%2)").arg(r.charts.memory.hardwareName, r.hardware.id)},
      {QStringLiteral("GPUs"), deploymentText(p)},
      {QStringLiteral("Requested context"), tokensText(p.contextTokens)},
      {QStringLiteral("Trained context"), tokensText(p.trainedContextTokens)},
      {QStringLiteral("Compared mitigations"), mitigationList(r.scenario.mitigations)},
      {QStringLiteral("Runtime"), runtimeName(p.runtime)},
      {QStringLiteral("Plan made for"), QStringLiteral("%1 (factor %2): %3")
                                            .arg(mitigationName(p.mitigation))
                                            .arg(QString::number(p.mitigationFactor, 'g', 4))
                                            .arg(p.mitigationChoice)},
      {QStringLiteral("Verdict"), chosenVerdict(p)},
      {QStringLiteral("Batch"), QStringLiteral("%1 sequence(s)").arg(p.batch)},
      {QStringLiteral("Weights / KV cache dtype"), QStringLiteral("%1 / %2").arg(p.weightsDtype, p.kvDtype)},
      {QStringLiteral("Reproduce the numbers"), r.planCommand}};
  return s;
}

ReportTable modelTable(const ModelSpec& m, const Plan& p) {
  ReportTable t{QStringLiteral("Model"), {QStringLiteral("Field"), QStringLiteral("Value")}, {}, {}};
  const auto add = [&](const QString& key, const QString& value) { t.rows.push_back({key, value}); };
  add(QStringLiteral("Architecture"), QStringLiteral("%1 (%2)").arg(m.architecture, m.family));
  add(QStringLiteral("Layers"), integerText(m.layers));
  add(QStringLiteral("Hidden size"), integerText(m.hiddenSize));
  add(QStringLiteral("Query / KV heads"), QStringLiteral("%1 / %2").arg(m.heads).arg(m.kvHeads));
  add(QStringLiteral("Head dim"), integerText(m.headDim));
  add(QStringLiteral("Attention kind"), attentionKindName(m.attentionKind));
  if (m.slidingWindow > 0) add(QStringLiteral("Sliding window"), tokensText(m.slidingWindow));
  add(QStringLiteral("Positional encoding"),
      m.usesRope
          ? QStringLiteral("RoPE, theta %1, rotary dim %2").arg(m.ropeTheta, 0, 'g', 8).arg(m.rotaryDim())
          : QStringLiteral("no RoPE (ALiBi or none)"));
  if (m.ropeScaling)
    add(QStringLiteral("Shipped rope_scaling"),
        QStringLiteral("%1, factor %2").arg(m.ropeScaling->type).arg(m.ropeScaling->factor, 0, 'g', 4));
  add(QStringLiteral("Trained / max position"),
      QStringLiteral("%1 / %2 tokens").arg(m.trainedContext).arg(m.maxPositionEmbeddings));
  add(QStringLiteral("Vocabulary"), integerText(m.vocabSize));
  add(QStringLiteral("Parameters (computed)"),
      QStringLiteral("%1 total, %2 active")
          .arg(compactNumber(double(p.totalParameters)), compactNumber(double(p.activeParameters))));
  if (m.checkpointWeights)  // the weights in the memory table follow this count (docs/catalog.md "Hub
                            // import")
    add(QStringLiteral("Parameters (exact, used for weights)"),
        QStringLiteral("%1 from %2")
            .arg(integerText(m.checkpointWeights->parameters), m.checkpointWeights->source));
  else if (m.publishedParameters > 0)
    add(QStringLiteral("Parameters (published)"), compactNumber(m.publishedParameters));
  if (!m.defaultedFields.isEmpty())
    add(QStringLiteral("Defaulted fields"), m.defaultedFields.join(QStringLiteral(", ")));
  t.note = m.source.isEmpty() ? QString() : QStringLiteral("Source: %1").arg(m.source);
  return t;
}

ReportTable hardwareTable(const HardwareSpec& h) {
  ReportTable t{QStringLiteral("Hardware"), {QStringLiteral("Field"), QStringLiteral("Value")}, {}, {}};
  t.rows.push_back({QStringLiteral("Device"), QStringLiteral("%1 (%2)").arg(h.displayName, h.vendor)});
  t.rows.push_back({QStringLiteral("Memory"), bytesText(h.memoryBytes)});
  t.rows.push_back({QStringLiteral("Memory bandwidth"), QStringLiteral("%1 GB/s").arg(QString::number(
                                                            h.memoryBandwidthBytesPerSecond / 1e9, 'f', 0))});
  for (const QString& dtype : hardwareDtypeKeys())
    if (const auto flops = h.peakFlops(dtype))
      t.rows.push_back({QStringLiteral("Peak %1 (dense)").arg(dtype),
                        QStringLiteral("%1 TFLOP/s").arg(QString::number(*flops / 1e12, 'f', 0))});
  t.note = h.source.isEmpty() ? QString() : QStringLiteral("Source: %1").arg(h.source);
  return t;
}

ReportSection specificationsSection(const Report& r) {
  ReportSection s{QStringLiteral("specifications"), QStringLiteral("Model and hardware"), {}, {}, {}, {}, {}};
  s.tables = {modelTable(r.model, r.plan), hardwareTable(r.hardware)};
  return s;
}

ReportSection memorySection(const Report& r) {
  const Plan& p = r.plan;
  const MemoryBreakdown& m = p.memory;
  ReportSection s{
      QStringLiteral("memory"), QStringLiteral("Memory plan"), {}, {}, {}, {ChartKind::Memory}, {}};
  s.paragraphs << QStringLiteral(
                      "At %1 tokens %7 needs %2 of the %3 usable (%4 of device memory): it %5. "
                      "The largest context that fits is %6.")
                      .arg(tokensFull(p.contextTokens))
                      .arg(gibText(m.totalBytes), gibText(m.capacityBytes))
                      .arg(percentText(p.usableMemoryShare))
                      .arg(p.fits ? QStringLiteral("fits") : QStringLiteral("does not fit"))
                      .arg(p.fit.unbounded ? QStringLiteral("unbounded (the KV cache stops growing)")
                                           : tokensText(p.fit.maxContextTokens),
                           p.parallel.gpus() > 1
                               ? QStringLiteral("the fullest of the %1 GPUs").arg(p.parallel.gpus())
                               : QStringLiteral("the deployment"));
  ReportTable t{QStringLiteral("Memory at the requested context"),
                {QStringLiteral("Component"), QStringLiteral("GiB"), QStringLiteral("Bytes")},
                {},
                {}};
  const auto add = [&](const QString& name, qint64 bytes) {
    t.rows.push_back({name, QString::number(double(bytes) / double(1ll << 30), 'f', 2), integerText(bytes)});
  };
  add(QStringLiteral("Weights"), m.weightsBytes);
  add(QStringLiteral("KV cache"), m.kvBytes);
  add(QStringLiteral("Activations (prefill peak)"), m.activationBytes);
  add(QStringLiteral("Runtime overhead"), m.overheadBytes);
  add(QStringLiteral("Total"), m.totalBytes);
  add(QStringLiteral("Usable capacity"), m.capacityBytes);
  t.note = QStringLiteral("KV cache: %1 B per token (%2, batch %3). Weights in %4.")
               .arg(m.kvBytesPerToken)
               .arg(p.kvDtype)
               .arg(p.batch)
               .arg(p.weightsDtype);
  s.tables.push_back(t);
  if (p.parallel.gpus() > 1) {
    t.title =
        QStringLiteral("Memory per GPU at the requested context (the fullest of %1)").arg(p.parallel.gpus());
    t.note += QStringLiteral(" All %1 GPUs together: %2 of %3.")
                  .arg(p.parallel.gpus())
                  .arg(gibText(p.memoryAllGpus.totalBytes), gibText(p.memoryAllGpus.capacityBytes));
  }
  addFitAdvice(p, s);
  const ThroughputEstimate& th = p.throughput;
  s.keyValues = {{QStringLiteral("Fits"), p.fits ? QStringLiteral("yes") : QStringLiteral("no")},
                 {QStringLiteral("Max context that fits"),
                  p.fit.unbounded ? QStringLiteral("unbounded") : tokensText(p.fit.maxContextTokens)},
                 {QStringLiteral("KV cache per token"), QStringLiteral("%1 B").arg(m.kvBytesPerToken)},
                 {QStringLiteral("Prefill (roofline)"),
                  QStringLiteral("%1 tokens/s, %2-bound")
                      .arg(QString::number(th.prefillTokensPerSecond, 'f', 0), boundName(th.prefillBound))},
                 {QStringLiteral("Decode (roofline)"),
                  QStringLiteral("%1 tokens/s, %2-bound")
                      .arg(QString::number(th.decodeTokensPerSecond, 'f', 1), boundName(th.decodeBound))}};
  if (!p.fits) {
    s.keyValues[3].value = QStringLiteral("not estimated: the plan does not fit, so it cannot run");
    s.keyValues[4].value = s.keyValues[3].value;
  }
  return s;
}

ReportSection confidenceSection(const Report& r) {
  const Plan& p = r.plan;
  ReportSection s{QStringLiteral("confidence"),
                  QStringLiteral("Confidence and context cap"),
                  {},
                  {},
                  {},
                  {ChartKind::Confidence},
                  {}};
  s.paragraphs << QStringLiteral(
                      "The planner's confidence in this plan (%1) is %2. Inference should be limited to "
                      "the context_cap of %3; the model can use an estimated %4 of the %5 requested.")
                      .arg(mitigationName(p.mitigation), confidenceText(p.confidence.value),
                           capText(p.contextCap))
                      .arg(tokensText(p.effectiveContext), tokensFull(p.contextTokens));
  if (p.contextTokens > p.trainedContextTokens && p.trainedContextTokens > 0)
    s.paragraphs << QStringLiteral(
        "The requested context exceeds the trained one, so the confidence is capped at 0.8: "
        "re-run the probe at a smaller context, or measure a real checkpoint.");
  s.keyValues = {{QStringLiteral("Confidence"), confidenceText(p.confidence.value)},
                 {QStringLiteral("context_cap"), capText(p.contextCap)},
                 {QStringLiteral("Effective context"), tokensText(p.effectiveContext)},
                 {QStringLiteral("Quality retention"), qualityText(p.qualityRetention)}};
  for (const ConfidenceReason& reason : p.confidence.reasons)
    s.bullets << (reason.deduction > 0
                      ? QStringLiteral("%1 (−%2)").arg(reason.text, confidenceText(reason.deduction))
                      : reason.text);
  return s;
}

// The compared mitigations, in the compared order, then the plan's own setting when it was not
// compared: the summary's setting always has its row.
std::vector<MitigationPlan> tableRows(const Report& r) {
  std::vector<MitigationPlan> rows = r.charts.mitigations.rows;
  const bool compared = std::any_of(rows.begin(), rows.end(), [&](const MitigationPlan& row) {
    return row.mitigation == r.plan.mitigation;
  });
  if (const MitigationPlan* chosen = chosenRow(r.plan); chosen && !compared) rows.push_back(*chosen);
  return rows;
}

ReportSection mitigationsSection(const Report& r) {
  ReportSection s{QStringLiteral("mitigations"),
                  QStringLiteral("Mitigations compared"),
                  {},
                  {},
                  {},
                  {ChartKind::Mitigations},
                  {}};
  s.paragraphs << QStringLiteral(
                      "Each mitigation at %1 tokens: the context cap the planner assumes, the context the "
                      "model can effectively use, the planner's confidence and the KV cache it needs.")
                      .arg(tokensFull(r.plan.contextTokens));
  ReportTable t{
      QStringLiteral("Mitigation comparison (modelled)"),
      {QStringLiteral("Mitigation"), QStringLiteral("Factor"), QStringLiteral("context_cap (tokens)"),
       QStringLiteral("Effective (tokens)"), QStringLiteral("Verdict at context"), QStringLiteral("Quality"),
       QStringLiteral("Confidence"), QStringLiteral("KV cache")},
      {},
      {}};
  for (const MitigationPlan& row : tableRows(r)) {
    const bool planned = row.mitigation == r.plan.mitigation;
    t.rows.push_back(
        {mitigationName(row.mitigation) + (row.fineTuned ? QStringLiteral(" (shipped)") : QString()) +
             (planned ? QStringLiteral("\n(the plan's setting)") : QString()),
         QString::number(row.factor, 'g', 4), row.contextCap > 0 ? tokensFull(row.contextCap) : noneText(),
         effectiveText(row), verdictName(row.estimate.verdict.kind), qualityText(row.qualityRetention),
         confidenceText(row.confidence.value), gibText(row.kvBytes)});
    const QString name = mitigationName(row.mitigation);
    s.bullets << QStringLiteral("%1: %2").arg(name, row.estimate.verdict.text);
    s.bullets << (row.capBasis.startsWith(name) ? row.capBasis
                                                : QStringLiteral("%1: %2").arg(name, row.capBasis));
  }
  s.tables.push_back(t);
  if (!r.plan.sourceDocument.empty()) {
    ReportTable claims{
        QStringLiteral("The source document's claims beside SinkScope's estimates"),
        {QStringLiteral("Source document"), QStringLiteral("Its effective (tokens)"),
         QStringLiteral("Its quality"), QStringLiteral("SinkScope effective (tokens)"),
         QStringLiteral("SinkScope quality"), QStringLiteral("SinkScope at the context"),
         QStringLiteral("Verdict")},
        {},
        QStringLiteral("The source document gives these figures without sources; SinkScope's "
                       "estimates are anchored on the published reference points (docs/mitigations.md).")};
    for (const DocumentComparison& d : r.plan.sourceDocument)
      claims.rows.push_back({d.text, tokensFull(d.documentEffective), percentText(d.documentQuality),
                             tokensFull(d.effective), percentText(d.quality), d.sinkscopeVerdict, d.verdict});
    s.tables.push_back(claims);
  }
  return s;
}

ReportSection referencesSection(const Report& r) {
  ReportSection s{QStringLiteral("references"),
                  QStringLiteral("Appendix: literature reference points"),
                  {},
                  {},
                  {},
                  {},
                  {}};
  s.paragraphs << QStringLiteral(
      "The published measurements (and the few unmeasured claims) that SinkScope's mitigation "
      "estimates are anchored on or shown beside. Each row names its source and its id in "
      "resources/references.json.");
  s.tables.push_back(referencePointsTable(r));
  return s;
}

ReportSection attentionSection(const Report& r) {
  ReportSection s{QStringLiteral("attention"), QStringLiteral("Where attention goes"), {}, {}, {}, {}, {}};
  if (r.charts.sinkCurve) {
    s.charts.push_back(ChartKind::SinkCurve);
    const SinkCurveChartData& curve = *r.charts.sinkCurve;
    s.paragraphs << QStringLiteral(
                        "The sink curve: the share of attention on the first token (S₁), averaged over "
                        "sampled queries, against "
                        "context length, for %1 (SinkScope's default probe target, as in the window). The "
                        "dashed line marks the "
                        "trained context.")
                        .arg(probeTargetText(r.model, curve.layer, curve.heads));
  }
  if (r.charts.heatmaps) {
    s.charts.push_back(ChartKind::Heatmap);
    const HeatmapChartData& maps = *r.charts.heatmaps;
    s.paragraphs << QStringLiteral(
                        "Attention heatmaps at %1 tokens for %2, side by side on one colour scale: query "
                        "position down, key position across, pooled into bins; the first four key columns "
                        "are exact.")
                        .arg(maps.contextTokens)
                        .arg(probeTargetText(r.model, maps.layer, maps.heads));
  }
  if (s.charts.empty())
    s.paragraphs << QStringLiteral(
        "The modelled attention probe did not run for this model, so no heatmaps or sink "
        "curve are shown.");
  else
    s.paragraphs << QStringLiteral(
        "Modelled: synthetic queries and keys with the model's exact positional maths "
        "(docs/modelled-attention.md), not a run of the real weights.");
  return s;
}

ReportSection methodSection(const Report& r) {
  ReportSection s{QStringLiteral("method"), QStringLiteral("Method notes"), {}, {}, {}, {}, {}};
  s.paragraphs
      << QStringLiteral(
             "Memory is the sum of the weights (parameters counted from the configuration, or the exact "
             "count of the checkpoint's safetensors headers when they were read, times the bits per "
             "weight of the dtype), the KV cache (per layer, honouring grouped-query attention, "
             "sliding windows and latent attention), the transient activation peak of a chunked prefill "
             "and a fixed runtime overhead, against the usable share of device memory (docs/planner.md).")
      << QStringLiteral(
             "Throughput is a roofline: bytes moved per step against memory bandwidth and FLOPs against peak "
             "compute, each scaled by a documented efficiency. It is an estimate, not a measurement.")
      << QStringLiteral(
             "Confidence starts at 1 and loses documented deductions; past the trained context it is never "
             "above 0.8. The context_cap is the trained context times the extension a mitigation is known to "
             "support untuned, or the model's own shipped extension.");
  s.bullets = r.plan.notes;
  if (r.measured && !r.measured->runs.empty())  // the plan is modelled; the runs beside it are not
    for (QString& note : s.bullets)
      if (note.startsWith(QStringLiteral("all figures are modelled")))
        note = QStringLiteral(
                   "the plan's figures are modelled; the Measured results are measured on the CPU from %1")
                   .arg(r.measured->checkpointFile);
  return s;
}

QStringList sourcesOf(const Report& r) {
  QStringList sources;
  const auto add = [&](const QString& text) {
    if (!text.isEmpty() && !sources.contains(text)) sources << text;
  };
  add(QStringLiteral("Model figures: %1").arg(r.model.source));
  add(QStringLiteral("Hardware figures: %1").arg(r.hardware.source));
  const PlannerResources& resources = plannerResources();
  if (const WeightDtype* w = resources.findWeightDtype(r.plan.weightsDtype))
    add(QStringLiteral("Weights dtype %1: %2").arg(w->name, w->source));
  if (const KvDtype* kv = resources.findKvDtype(r.plan.kvDtype))
    add(QStringLiteral("KV dtype %1: %2").arg(kv->name, kv->source));
  for (Mitigation m : r.scenario.mitigations) {
    const auto it = resources.contextExtensionSource.find(m);
    if (it != resources.contextExtensionSource.end())
      add(QStringLiteral("Context extension of %1: %2").arg(mitigationName(m), it->second));
  }
  add(QStringLiteral("KV cache formulas: docs/references.md section 4; attention metrics: section 5"));
  add(
      QStringLiteral("Literature reference points: each row of their table names its source "
                     "(resources/references.json)"));
  return sources;
}

}  // namespace

void layOutSections(Report& report) {
  report.sections = {summarySection(report),     scenarioSection(report),   specificationsSection(report),
                     memorySection(report),      confidenceSection(report), attentionSection(report),
                     mitigationsSection(report), measuredSection(report),   methodSection(report),
                     referencesSection(report)};
  report.sources = sourcesOf(report);
}

}  // namespace sinkscope
