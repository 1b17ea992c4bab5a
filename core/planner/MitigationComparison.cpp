#include "planner/MitigationComparison.h"

#include "common/NumberFormat.h"
#include "planner/Confidence.h"

#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

// Usable, quality-weighted context: what the row lets a user actually work with.
double score(const MitigationPlan& row) {
  if (!row.estimate.applicable) return -1;
  return row.estimate.effectiveContext.central * row.estimate.qualityRetention.central;
}

QStringList reasonsFor(const MitigationPlan& row, const Plan& plan) {
  QStringList reasons;
  const MitigationEstimate& e = row.estimate;
  reasons << e.verdict.text;
  reasons << QStringLiteral("effective context ≈ %1 of the requested %2 (band %3–%4)")
                 .arg(tokensShort(e.effectiveContext.central), tokensShort(double(plan.contextTokens)),
                      tokensShort(e.effectiveContext.low), tokensShort(e.effectiveContext.high));
  reasons << QStringLiteral("quality ≈ %1 of in-distribution (band %2–%3)")
                 .arg(percentText(e.qualityRetention.central), percentText(e.qualityRetention.low),
                      percentText(e.qualityRetention.high));
  // When the plan does not fit, say that the whole plan does not (DeepSeek-V2's weights, not its
  // 2 GiB cache, exceed one H100).
  reasons << (row.totalBytes <= plan.memory.capacityBytes
                  ? QStringLiteral("KV cache %1, fits in %2 usable")
                        .arg(gibText(row.kvBytes), gibText(plan.memory.capacityBytes))
                  : QStringLiteral(
                        "KV cache %1; with weights, activations and overhead %2: does NOT fit in %3 usable")
                        .arg(gibText(row.kvBytes), gibText(row.totalBytes),
                             gibText(plan.memory.capacityBytes)));
  reasons << (e.fineTuned      ? QStringLiteral("the model was trained with it: nothing to fine-tune")
              : e.vendorRecipe ? QStringLiteral("the vendor's documented recipe: nothing to fine-tune")
                               : QStringLiteral("needs no fine-tuning"));
  reasons << QStringLiteral("confidence %1").arg(QString::number(row.confidence.value, 'f', 2));
  return reasons;
}

int verdictRank(const MitigationPlan& row) {
  switch (row.estimate.verdict.kind) {
    case VerdictKind::Works:
      return 0;
    case VerdictKind::Degraded:
      return 1;
    case VerdictKind::Collapses:
      return 2;
    case VerdictKind::Unknown:
      return 3;
  }
  return 3;
}

// A row that would replace the vendor's own scaling while the context is inside the range the
// vendor supports: a built-in one (linear x1 over Llama 3.1's llama3 at 4K), or the documented
// recipe (an untuned dynamic NTK instead of Qwen's YaRN x4 at 128K). A sink + window cache
// replaces it too: it keeps the model inside its trained positions and drops everything older
// than the cache, so Phi-3.5-mini at 128K would recall 4K of what LongRoPE lets it read.
bool overridesBuiltInScaling(const MitigationPlan& row, const ModelSpec& model, qint64 contextTokens) {
  if (row.mitigation == Mitigation::Baseline) return false;
  if (row.estimate.fineTuned || row.estimate.vendorRecipe) return false;
  const auto& recipe = model.longContextRecipe;
  const bool builtIn = model.ropeScaling && !model.ropeScaling->type.isEmpty();
  const bool documented = recipe && recipe->mitigation != QLatin1String("none");
  if (!builtIn && !documented) return false;
  const qint64 supported =
      recipe ? recipe->supportedContext : std::max(model.trainedContext, model.maxPositionEmbeddings);
  return contextTokens <= supported;
}

// The runtime can turn the row on (vLLM has no sink cache, llama.cpp no dynamic NTK, ...).
bool runtimeCanRun(const MitigationPlan& row, Runtime runtime) {
  if (row.mitigation == Mitigation::Baseline) return true;
  const LaunchFlags& f = row.launchFlags;
  switch (runtime) {
    case Runtime::Vllm:
      return !f.vllm.isEmpty();
    case Runtime::LlamaCpp:
      return !f.llamaCpp.isEmpty();
    case Runtime::Transformers:
      return !f.transformers.isEmpty();
  }
  return true;
}

}  // namespace

Recommendation recommendMitigation(const Plan& plan, const ModelSpec& model) {
  Recommendation recommendation;
  std::vector<const MitigationPlan*> ranked;
  for (const MitigationPlan& row : plan.mitigations)
    if (row.estimate.applicable && !overridesBuiltInScaling(row, model, plan.contextTokens) &&
        runtimeCanRun(row, plan.runtime))
      ranked.push_back(&row);
  // Fitting rows first, then the verdict, then usable quality-weighted context, then confidence, then less
  // KV.
  std::stable_sort(ranked.begin(), ranked.end(), [&](const MitigationPlan* a, const MitigationPlan* b) {
    const bool fitsA = a->totalBytes <= plan.memory.capacityBytes;
    const bool fitsB = b->totalBytes <= plan.memory.capacityBytes;
    if (fitsA != fitsB) return fitsA;
    if (verdictRank(*a) != verdictRank(*b)) return verdictRank(*a) < verdictRank(*b);
    const double scoreA = std::round(score(*a));
    const double scoreB = std::round(score(*b));
    if (scoreA != scoreB) return scoreA > scoreB;
    if (a->confidence.value != b->confidence.value) return a->confidence.value > b->confidence.value;
    return a->kvBytes < b->kvBytes;
  });
  if (ranked.empty()) return recommendation;
  recommendation.best = ranked.front()->mitigation;
  recommendation.bestVerdict = ranked.front()->estimate.verdict.kind;
  recommendation.reasons = reasonsFor(*ranked.front(), plan);
  // The runner-up is another setting: "baseline" and the scaling the model ships (Llama 3.1's
  // llama3, DeepSeek's yarn) are the same model run the same way.
  const auto sameSetting = [](const MitigationPlan& a, const MitigationPlan& b) {
    return a.estimate.fineTuned && b.estimate.fineTuned;
  };
  const auto runnerUp = std::find_if(ranked.begin() + 1, ranked.end(), [&](const MitigationPlan* row) {
    return !sameSetting(*row, *ranked.front());
  });
  if (runnerUp != ranked.end()) {
    recommendation.runnerUp = (*runnerUp)->mitigation;
    recommendation.runnerUpReasons = reasonsFor(**runnerUp, plan);
  }
  // Fine-tuning is worth naming when it would reach at least twice the best untuned context.
  const MitigationPlan* tuned = nullptr;
  for (const MitigationPlan& row : plan.mitigations)
    if (row.estimate.fineTunedEffectiveContext &&
        (!tuned ||
         row.estimate.fineTunedEffectiveContext->central * row.estimate.fineTunedQualityRetention->central >
             tuned->estimate.fineTunedEffectiveContext->central *
                 tuned->estimate.fineTunedQualityRetention->central))
      tuned = &row;
  if (tuned && tuned->estimate.fineTunedEffectiveContext->central >=
                   2 * ranked.front()->estimate.effectiveContext.central)
    recommendation.fineTunedAlternative =
        QStringLiteral("if you can fine-tune: %1 ×%2 fine-tuned would reach ≈ %3 at ≈ %4 quality (%5)")
            .arg(mitigationName(tuned->mitigation), QString::number(tuned->factor, 'g', 3),
                 tokensShort(tuned->estimate.fineTunedEffectiveContext->central),
                 percentText(tuned->estimate.fineTunedQualityRetention->central),
                 tuned->estimate.fineTuningCost);
  return recommendation;
}

std::vector<DocumentComparison> compareWithSourceDocument(const ModelSpec& model, const Plan& plan,
                                                          const ReferenceSet& references) {
  std::vector<DocumentComparison> rows;
  for (const SourceDocumentRow& documentRow : references.sourceDocument) {
    if (documentRow.modelId != model.id || documentRow.contextTokens != plan.contextTokens) continue;
    const auto found = std::find_if(
        plan.mitigations.begin(), plan.mitigations.end(),
        [&](const MitigationPlan& row) { return mitigationName(row.mitigation) == documentRow.mitigation; });
    if (found == plan.mitigations.end()) continue;
    DocumentComparison comparison;
    comparison.text = documentRow.text;
    comparison.mitigation = documentRow.mitigation;
    comparison.documentEffective = documentRow.effectiveContext;
    comparison.documentQuality = documentRow.quality;
    comparison.effective = found->effectiveContext;
    comparison.sinkscopeVerdict = found->estimate.verdict.text;
    comparison.effectiveStrict = found->estimate.effectiveContextStrict;
    comparison.quality = found->estimate.qualityRetention.central;
    const Band& e = found->estimate.effectiveContext;
    const Band& q = found->estimate.qualityRetention;
    const bool effectiveAgrees =
        documentRow.effectiveContext >= e.low * 0.9 && documentRow.effectiveContext <= e.high * 1.1;
    const bool qualityAgrees = documentRow.quality >= q.low - 0.05 && documentRow.quality <= q.high + 0.05;
    QString verdict = effectiveAgrees && qualityAgrees ? QStringLiteral("agrees within SinkScope's band")
                                                       : QStringLiteral("differs");
    verdict += QStringLiteral(": the document says %1 / %2, SinkScope %3 (RULER-style %4) / %5. ")
                   .arg(tokensShort(double(documentRow.effectiveContext)), percentText(documentRow.quality),
                        tokensShort(double(comparison.effective)),
                        tokensShort(double(comparison.effectiveStrict)), percentText(comparison.quality));
    if (documentRow.effectiveContext > comparison.effectiveStrict &&
        documentRow.effectiveContext < comparison.effective)
      verdict += QStringLiteral(
          "The document's figure lies between SinkScope's passkey-style effective context and the "
          "stricter RULER-style one: the sources define 'effective' differently "
          "(docs/mitigations.md). ");
    if (documentRow.trainedContext != plan.trainedContextTokens)
      verdict += documentRow.trainedContext < plan.trainedContextTokens
                     ? QStringLiteral(
                           "The document calls the trained context %1; the checkpoint was trained at %2 "
                           "(its own paper): the document's figure is an error, SinkScope uses %2. ")
                           .arg(tokensShort(double(documentRow.trainedContext)),
                                tokensShort(double(plan.trainedContextTokens)))
                     : QStringLiteral(
                           "The document calls the trained context %1; SinkScope uses %2 (pre-training), so "
                           "the extension counts as fine-tuned. ")
                           .arg(tokensShort(double(documentRow.trainedContext)),
                                tokensShort(double(plan.trainedContextTokens)));
    verdict += QStringLiteral("Why: ") + found->estimate.explanation;
    comparison.verdict = verdict;
    rows.push_back(comparison);
  }
  return rows;
}

}  // namespace sinkscope
