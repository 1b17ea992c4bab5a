// The report's first page: the question (model, hardware, context), the answer (fits or what
// would, the plan's setting with its verdict, effective context, quality, confidence and its top
// reasons) and the launch flags to copy, in the words of the sections that follow.
#include "report/ReportSections.h"

#include "inference/Measurement.h"

#include <algorithm>

namespace sinkscope {

namespace {

constexpr int kTopReasons = 3;  // a manager reads three reasons; the Confidence section lists all

const MitigationPlan* planRowOf(const Plan& plan) {
  for (const MitigationPlan& row : plan.mitigations)
    if (row.mitigation == plan.mitigation) return &row;
  return nullptr;
}

QString deploymentWords(const Report& r) {
  const int gpus = r.plan.parallel.gpus();
  return gpus > 1 ? QStringLiteral("%1 × %2").arg(gpus).arg(r.charts.memory.hardwareName)
                  : r.charts.memory.hardwareName;
}

QString questionText(const Report& r) {
  const Plan& p = r.plan;
  return QStringLiteral("Question: can %1 serve %2 (%3) per sequence on %4 under %5? It was trained at %6.")
      .arg(r.charts.memory.modelName, tokensText(p.contextTokens), tokensShort(double(p.contextTokens)),
           deploymentWords(r), runtimeName(p.runtime), tokensText(p.trainedContextTokens));
}

QString largestFitText(const Plan& p) {
  if (p.fit.unbounded) return QStringLiteral("any context fits (the KV cache stops growing)");
  return QStringLiteral("the largest context that fits is %1").arg(tokensText(p.fit.maxContextTokens));
}

QString answerText(const Report& r) {
  const Plan& p = r.plan;
  const QString need = QStringLiteral("%1 of the %2 usable")
                           .arg(gibText(p.memory.totalBytes), gibText(p.memory.capacityBytes));
  if (p.fits) return QStringLiteral("Answer: yes, it fits: %1; %2.").arg(need, largestFitText(p));
  const auto& smallest = p.fitAdvice.smallest;
  const QString would =
      smallest ? QStringLiteral("What would fit: %1.").arg(p.fitAdvice.options[*smallest].summary)
               : QStringLiteral(
                     "None of the changes tried (a lower KV dtype, more GPUs, larger "
                     "hardware, a shorter context) fits.");
  return QStringLiteral("Answer: no, it does not fit: it needs %1; %2. %3")
      .arg(need, largestFitText(p), would);
}

std::vector<ReportKeyValue> answerFigures(const Report& r, const MitigationPlan& row) {
  const Plan& p = r.plan;
  std::vector<ReportKeyValue> figures{
      {QStringLiteral("Setting"), QStringLiteral("%1, factor %2: %3")
                                      .arg(mitigationName(p.mitigation),
                                           QString::number(p.mitigationFactor, 'g', 4), p.mitigationChoice)},
      {QStringLiteral("Verdict"), row.estimate.verdict.text},
      {QStringLiteral("Effective context"),
       QStringLiteral("%1 of the %2 requested (context_cap %3)")
           .arg(row.estimate.applicable ? tokensText(p.effectiveContext) : notApplicableText(),
                tokensFull(p.contextTokens), capText(p.contextCap))},
      {QStringLiteral("Quality retained"), percentText(p.qualityRetention)},
      {QStringLiteral("Confidence"),
       QStringLiteral("%1 of 1 (modelled; never above 0.80 past the trained context)")
           .arg(confidenceText(p.confidence.value))}};
  const Recommendation& best = p.recommendation;
  if (best.best && *best.best != p.mitigation)
    figures.push_back(
        {QStringLiteral("SinkScope recommends"),
         QStringLiteral("%1 (%2 at the requested context)%3")
             .arg(mitigationName(*best.best), verdictName(best.bestVerdict),
                  best.reasons.isEmpty() ? QString() : QStringLiteral(": ") + best.reasons.front())});
  return figures;
}

// The confidence's largest deductions, largest first; the rule-1 cap (no deduction) when it is all there is.
QStringList topReasons(const Confidence& confidence) {
  std::vector<ConfidenceReason> reasons = confidence.reasons;
  std::stable_sort(reasons.begin(), reasons.end(), [](const ConfidenceReason& a, const ConfidenceReason& b) {
    return a.deduction > b.deduction;
  });
  QStringList texts;
  for (const ConfidenceReason& reason : reasons) {
    if (texts.size() == kTopReasons) break;
    texts << (reason.deduction > 0
                  ? QStringLiteral("%1 (−%2)").arg(reason.text, confidenceText(reason.deduction))
                  : reason.text);
  }
  return texts;
}

ReportTable launchFlagsTable(const MitigationPlan& row) {
  const LaunchFlags& f = row.launchFlags;
  const auto orNone = [](const QString& flags) {
    return flags.isEmpty() ? QStringLiteral("(not available)") : flags;
  };
  ReportTable t{QStringLiteral("Launch flags for %1, to copy").arg(mitigationName(row.mitigation)),
                {QStringLiteral("Engine"), QStringLiteral("Flags")},
                {},
                f.notes};
  t.rows.push_back({QStringLiteral("vLLM"), orNone(f.vllm)});
  if (!f.vllmLatest.isEmpty())
    t.rows.push_back({QStringLiteral("vLLM (reads rope_parameters)"), f.vllmLatest});
  t.rows.push_back({QStringLiteral("llama.cpp"), orNone(f.llamaCpp)});
  t.rows.push_back({QStringLiteral("transformers"), orNone(f.transformers)});
  return t;
}

// One sentence per measured run: what the real checkpoint showed on the CPU.
QString measuredText(const ReportMeasured& measured) {
  QStringList runs;
  for (const auto& run : measured.runs)
    runs << QStringLiteral("%1: context_cap %2, effective context %3 (trained %4)")
                .arg(mitigationName(run->mitigation), tokensText(run->contextCap),
                     tokensText(run->effectiveContext), tokensText(run->trainedContext));
  return QStringLiteral("Measured on the CPU with %1 over %2: %3. The measured section has the details.")
      .arg(measured.checkpointFile, measured.textName, runs.join(QStringLiteral("; ")));
}

}  // namespace

ReportSection summarySection(const Report& r) {
  ReportSection s{QStringLiteral("summary"), QStringLiteral("Summary"), {}, {}, {}, {}, {}};
  s.paragraphs << questionText(r) << answerText(r);
  const MitigationPlan* row = planRowOf(r.plan);
  if (!row) return s;
  s.keyValues = answerFigures(r, *row);
  const QStringList reasons = topReasons(r.plan.confidence);
  if (!reasons.isEmpty())
    s.keyValues.push_back(
        {QStringLiteral("Top reasons"), QStringLiteral("– ") + reasons.join(QStringLiteral("\n– "))});
  s.tables.push_back(launchFlagsTable(*row));
  if (r.measured && !r.measured->runs.empty()) s.paragraphs << measuredText(*r.measured);
  return s;
}

}  // namespace sinkscope
