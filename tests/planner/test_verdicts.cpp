// Verdicts (issue 16) and vendor recipes (issue 18 items 1-2): effective context is a length at
// which the setting still works, the verdict at the requested length agrees with the published
// points (docs/references.md sections 6 and 9; RULER README table), confidence and the
// recommendation follow the verdict across the whole catalogue, and the plan is made for what a
// person would run.
#include "PlannerFixtures.h"
#include "VerdictTestSupport.h"
#include "catalog/Catalog.h"
#include "planner/MitigationModel.h"
#include "planner/Plan.h"
#include "planner/PlannerResources.h"
#include "planner/PublishedCurve.h"
#include "planner/ReferencePoints.h"

#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

using test::planFor;
using test::refs;
using test::row;
using test::within;

double valueAt(const QString& id, qint64 context) {
  for (const ReferenceValue& value : refs().find(id)->values)
    if (value.contextTokens == context) return value.value;
  qFatal("no value");
}

// Per-position perplexity of the tokens between two published lengths of a cumulative series:
// exp((L2 ln ppl2 - L1 ln ppl1) / (L2 - L1)), since ln ppl(L) is the mean NLL of the first L tokens.
double binPerplexity(const QString& id, qint64 from, qint64 to) {
  const double total = double(to) * std::log(valueAt(id, to)) - double(from) * std::log(valueAt(id, from));
  return std::exp(total / double(to - from));
}

int rank(VerdictKind kind) {
  return kind == VerdictKind::Works       ? 0
         : kind == VerdictKind::Degraded  ? 1
         : kind == VerdictKind::Collapses ? 2
                                          : 3;
}

// Rows that replace a model's built-in scaling (the recommendation must never pick one inside the
// supported range). A sink + window cache does too: it drops what the scaling lets the model read.
bool replacesBuiltIn(const ModelSpec& model, Mitigation mitigation) {
  const bool documented =
      model.longContextRecipe && model.longContextRecipe->mitigation != QLatin1String("none");
  const bool vendorOwn =
      model.longContextRecipe && model.longContextRecipe->mitigation == mitigationName(mitigation);
  return (model.ropeScaling || documented) && mitigation != Mitigation::Baseline &&
         !shipsWithMitigation(model, mitigation) && !vendorOwn;
}

qint64 supportedContext(const ModelSpec& model) {
  return model.longContextRecipe ? model.longContextRecipe->supportedContext : model.maxPositionEmbeddings;
}

// The plan's runtime can turn the row on (its launch flags for that engine exist).
bool runnable(const MitigationPlan& row, Runtime runtime) {
  if (row.mitigation == Mitigation::Baseline) return true;
  return runtime == Runtime::Vllm       ? !row.launchFlags.vllm.isEmpty()
         : runtime == Runtime::LlamaCpp ? !row.launchFlags.llamaCpp.isEmpty()
                                        : !row.launchFlags.transformers.isEmpty();
}

}  // namespace

class TestVerdicts : public QObject {
  Q_OBJECT
 private slots:
  // docs/references.md section 9, Proof-pile full attention (YaRN paper Table 6): 3.02 at 10,240 against
  // 2.96 at 8,192 works; the bin 10,240-12,288 has per-position perplexity in the hundreds.
  void mistralFullAttentionCollapsesPastTenK() {
    const double bin = binPerplexity(QStringLiteral("mistral-v0.1-proofpile-full-attention"), 10240, 12288);
    QVERIFY(bin > 10 * 2.96);  // independent arithmetic: far past the collapse threshold
    const Plan at10k =
        planFor(QStringLiteral("mistral-7b-v0.1"), 10240, Runtime::LlamaCpp, Mitigation::Baseline);
    QCOMPARE(row(at10k, Mitigation::Baseline).estimate.verdict.kind, VerdictKind::Works);
    const Plan at32k =
        planFor(QStringLiteral("mistral-7b-v0.1"), 32768, Runtime::LlamaCpp, Mitigation::Baseline);
    const MitigationEstimate& e = row(at32k, Mitigation::Baseline).estimate;
    QCOMPARE(e.verdict.kind, VerdictKind::Collapses);
    QCOMPARE(e.verdict.basisId, QStringLiteral("mistral-v0.1-proofpile-full-attention"));
    // "effective ≈ 10K; at 32K: collapses": a length, around the published break (PG19 bins break
    // at 9-10K, Proof-pile between 10,240 and 12,288).
    QVERIFY(e.effectiveContext.central >= 9216 && e.effectiveContext.central <= 12288);
    QVERIFY(within(10240, e.effectiveContext));
    QVERIFY(e.effectiveContext.low >= 8192);
  }

  // attention_sinks PR #5: full KV cache, per-1K-bin perplexity 274 (10-11K) and 1,976 (11-12K)
  // against 5.67 at 8K: both below the collapse threshold, and the model says collapses there.
  void pg19BinsPastTenKCollapse() {
    const VerdictThresholds& t = plannerResources().verdict;
    for (qint64 at : {qint64(10752), qint64(11776)}) {
      const double published = valueAt(QStringLiteral("mistral-v0.1-pg19-full-kv"), 8192) /
                               valueAt(QStringLiteral("mistral-v0.1-pg19-full-kv"), at);
      QVERIFY(published < t.collapseQuality);
      const Plan plan =
          planFor(QStringLiteral("mistral-7b-v0.1"), at + 512, Runtime::LlamaCpp, Mitigation::Baseline);
      QVERIFY(within(published, row(plan, Mitigation::Baseline).estimate.qualityRetention, 0.01) ||
              row(plan, Mitigation::Baseline).estimate.verdict.kind == VerdictKind::Collapses);
    }
  }

  // The window-only control on Mistral (15.96 / 22.23 against 5.58 / 5.67): degraded, not
  // collapsed, by the verdict thresholds (planner.json "verdict").
  void windowOnlyControlIsDegradedNotCollapsed() {
    const VerdictThresholds& t = plannerResources().verdict;
    const double at4k = 5.58 / valueAt(QStringLiteral("mistral-v0.1-pg19-window-only"), 4096);
    const double at8k = 5.67 / valueAt(QStringLiteral("mistral-v0.1-pg19-window-only"), 8191);
    for (double q : {at4k, at8k}) QVERIFY(q >= t.collapseQuality && q < t.worksQuality);
    // StreamingLLM's window-only Llama-2-13B (5.40 vs 5158.07) collapses by the same thresholds.
    QVERIFY(5.40 / 5158.07 < t.collapseQuality);
  }

  // With its window honoured (vLLM), Mistral-7B-v0.1 was trained in that regime: it works at 32K
  // (axolotl: loss 1.9 at 16-32K with the window, 9.98 without), recall spans the 4K window, and
  // past 16K it says it extrapolates and confidence shows it.
  void mistralWithItsWindowWorksAndSaysItExtrapolates() {
    const Plan plan = planFor(QStringLiteral("mistral-7b-v0.1"), 32768, Runtime::Vllm, Mitigation::Baseline);
    const MitigationPlan& baseline = row(plan, Mitigation::Baseline);
    QCOMPARE(baseline.estimate.verdict.kind, VerdictKind::Works);
    QVERIFY(baseline.estimate.verdict.extrapolated);
    QVERIFY(!baseline.estimate.sinkEvicted);
    QCOMPARE(qint64(baseline.estimate.effectiveContext.central), qint64(4096));
    bool anchorReason = false;
    for (const ConfidenceReason& reason : baseline.confidence.reasons)
      anchorReason |= reason.code == QLatin1String("anchor_distance");
    QVERIFY(anchorReason);
    const Plan at16k = planFor(QStringLiteral("mistral-7b-v0.1"), 16384, Runtime::Vllm, Mitigation::Baseline);
    QVERIFY(!row(at16k, Mitigation::Baseline).estimate.verdict.extrapolated);
    QVERIFY(row(at16k, Mitigation::Baseline).confidence.value > baseline.confidence.value);
    // llama.cpp at the same length: the published collapse (loss 9.98 = perplexity > 10^4).
    const Plan cpp =
        planFor(QStringLiteral("mistral-7b-v0.1"), 32768, Runtime::LlamaCpp, Mitigation::Baseline);
    QCOMPARE(row(cpp, Mitigation::Baseline).estimate.verdict.kind, VerdictKind::Collapses);
  }

  // The opening scenario (README): Mistral-7B-v0.1 at 32K under llama.cpp. Baseline collapses
  // (published), NTK x4 keeps a longer effective context: the comparison differs visibly.
  void openingScenarioBaselineAndNtkDiffer() {
    const Plan plan = planFor(QStringLiteral("mistral-7b-v0.1"), 32768, Runtime::LlamaCpp);
    const MitigationEstimate& baseline = row(plan, Mitigation::Baseline).estimate;
    const MitigationEstimate& ntk = row(plan, Mitigation::Ntk).estimate;
    QVERIFY(ntk.effectiveContext.central >= 1.5 * baseline.effectiveContext.central);
    QVERIFY(rank(ntk.verdict.kind) <= rank(baseline.verdict.kind));
    QVERIFY(row(plan, Mitigation::Ntk).confidence.value > row(plan, Mitigation::Baseline).confidence.value);
  }

  // Every curve point about a catalogue model (or borrowed for one) lies inside the band the
  // model gives at that length: RULER scores as score / score(4K), cumulative perplexity as the
  // per-position bin this test computes itself.
  void curvePointsLieInsideTheirBands() {
    int checked = 0;
    for (const ReferencePoint& point : refs().points) {
      if (point.curve == CurveKind::None) continue;
      QStringList models = point.borrowedFor;
      if (!point.modelId.isEmpty()) models << point.modelId;
      for (const QString& id : models) {
        const ModelSpec model = resolveModel(id);
        const Runtime runtime =
            point.runtimeWindow == QLatin1String("ignored") ? Runtime::LlamaCpp : Runtime::Vllm;
        for (std::size_t i = 0; i < point.values.size(); ++i) {
          const ReferenceValue& v = point.values[i];
          if (v.contextTokens <= point.curveReferenceContext) continue;
          double published = 0;
          if (point.curve == CurveKind::PerLength) {
            published = v.value / valueAt(point.id, point.curveReferenceContext);
          } else {
            const ReferenceValue& previous = point.values[i - 1];
            published = std::min(1.0, valueAt(point.id, point.curveReferenceContext) /
                                          binPerplexity(point.id, previous.contextTokens, v.contextTokens));
          }
          const Mitigation mitigation = *mitigationFromName(
              point.mitigation == QLatin1String("llama3") || point.mitigation == QLatin1String("longrope")
                  ? QStringLiteral("baseline")
                  : point.mitigation);
          const Plan plan = planFor(id, v.contextTokens, runtime, mitigation);
          const MitigationEstimate& e = row(plan, mitigation).estimate;
          QVERIFY2(within(published, e.qualityRetention, 1e-6),
                   qPrintable(QStringLiteral("%1 on %2 at %3: published %4, band %5-%6")
                                  .arg(point.id, id)
                                  .arg(v.contextTokens)
                                  .arg(published)
                                  .arg(e.qualityRetention.low)
                                  .arg(e.qualityRetention.high)));
          ++checked;
        }
      }
    }
    QVERIFY(checked >= 25);
  }

  // Vendor recipes (issue 18 item 1), each against its family's published RULER series.
  void vendorRecipesFollowTheirPublishedSeries() {
    const Plan qwen = planFor(QStringLiteral("qwen2.5-7b"), 131072);
    QCOMPARE(qwen.mitigation, Mitigation::Yarn);  // the vendor's recipe, inside its supported 128K
    const MitigationEstimate& yarn = row(qwen, Mitigation::Yarn).estimate;
    QVERIFY(yarn.vendorRecipe);
    QVERIFY(yarn.borrowedSeries);
    QCOMPARE(yarn.verdict.kind, VerdictKind::Degraded);  // Qwen2-72B: 53.7 / 96.9 at 128K
    QVERIFY(within(53.7 / 96.9, yarn.qualityRetention));
    // Never an untuned scaling nor a 32K sink + window cache in place of the vendor's recipe: the
    // plan and the recommendation name the same setting.
    QVERIFY(qwen.recommendation.best);
    QCOMPARE(*qwen.recommendation.best, Mitigation::Yarn);
    const Plan qwenLlamaCpp =
        planFor(QStringLiteral("qwen2.5-7b"), 131072, Runtime::LlamaCpp);  // has a sink cache
    QVERIFY(qwenLlamaCpp.recommendation.best);
    QCOMPARE(*qwenLlamaCpp.recommendation.best, Mitigation::Yarn);
    QVERIFY(yarn.effectiveContext.central > 65536 && yarn.effectiveContext.central < 131072);

    const Plan llama = planFor(QStringLiteral("llama-3.1-8b"), 131072);
    QCOMPARE(llama.mitigation, Mitigation::Baseline);  // as shipped: llama3 built in, 128K supported
    QCOMPARE(row(llama, Mitigation::Baseline).estimate.verdict.kind, VerdictKind::Works);  // 77.0 / 95.5
    QCOMPARE(llama.effectiveContext, qint64(131072));
    QVERIFY(within(77.0 / 95.5, row(llama, Mitigation::Baseline).estimate.qualityRetention));

    const Plan phi = planFor(QStringLiteral("phi-3.5-mini"), 131072, Runtime::LlamaCpp);
    QCOMPARE(phi.mitigation, Mitigation::Baseline);
    // A 4K sink + window cache "works" per position but recalls 4K of 128K: not the recommendation
    // while LongRoPE, built in, supports 128K (effective ~84K, Phi-3 RULER 65.3 / 92.3).
    QVERIFY(phi.recommendation.best);
    QVERIFY(*phi.recommendation.best == Mitigation::Baseline ||
            *phi.recommendation.best == Mitigation::LongRope);
    QVERIFY(within(65.3 / 92.3, row(phi, Mitigation::Baseline).estimate.qualityRetention));

    const Plan deepseek = planFor(QStringLiteral("deepseek-v2"), 131072);
    QCOMPARE(deepseek.mitigation, Mitigation::Baseline);
    QCOMPARE(row(deepseek, Mitigation::Baseline).estimate.verdict.kind, VerdictKind::Works);

    // Mistral and Gemma ship no recipe past their trained context: the plan takes the recommendation.
    const Plan mistral = planFor(QStringLiteral("mistral-7b-v0.1"), 32768, Runtime::LlamaCpp);
    QVERIFY(mistral.recommendation.best);
    QCOMPARE(mistral.mitigation, *mistral.recommendation.best);
    const Plan gemma = planFor(QStringLiteral("gemma-2-9b"), 8192);
    QCOMPARE(gemma.mitigation, Mitigation::Baseline);
  }

  // The whole catalogue, several lengths, every runtime: a setting predicted to collapse never
  // scores above one predicted to work; confidence <= 0.8 past the trained context; the
  // recommendation is never worse by verdict than any other fitting row and never replaces a
  // built-in scaling inside the supported range; effective context is a length at which the
  // setting still works (re-estimating there gives "works"), never more than the request.
  void catalogueSweepKeepsConfidenceRecommendationAndEffectiveConsistent() {
    const double worksQuality = plannerResources().verdict.worksQuality;
    int plans = 0;
    for (const ModelSpec& model : Catalog::builtin().models()) {
      const qint64 trained = model.trainedContext;
      for (qint64 context : {trained / 2, trained, trained * 2, trained * 8, qint64(32768), qint64(131072)}) {
        if (context < 64) continue;
        for (Runtime runtime : {Runtime::Vllm, Runtime::LlamaCpp}) {
          const Plan plan = planFor(model.id, context, runtime);
          ++plans;
          for (const MitigationPlan& a : plan.mitigations) {
            if (context > trained) QVERIFY(a.confidence.value <= 0.8 + 1e-12);
            QVERIFY(a.effectiveContext <= context);
            for (const MitigationPlan& b : plan.mitigations)
              if (a.estimate.verdict.kind == VerdictKind::Collapses &&
                  b.estimate.verdict.kind == VerdictKind::Works)
                QVERIFY2(a.confidence.value < b.confidence.value,
                         qPrintable(QStringLiteral("%1 at %2: %3 collapses with %4, %5 works with %6")
                                        .arg(model.id)
                                        .arg(context)
                                        .arg(mitigationName(a.mitigation))
                                        .arg(a.confidence.value)
                                        .arg(mitigationName(b.mitigation))
                                        .arg(b.confidence.value)));
          }
          if (!plan.recommendation.best) continue;
          const MitigationPlan& best = row(plan, *plan.recommendation.best);
          const bool bestFits = best.totalBytes <= plan.memory.capacityBytes;
          for (const MitigationPlan& other : plan.mitigations)
            if (other.estimate.applicable && runnable(other, runtime) &&
                bestFits == (other.totalBytes <= plan.memory.capacityBytes) &&
                !(replacesBuiltIn(model, other.mitigation) && context <= supportedContext(model)))
              QVERIFY2(
                  rank(best.estimate.verdict.kind) <= rank(other.estimate.verdict.kind),
                  qPrintable(QStringLiteral("%1 at %2: recommended %3 over %4")
                                 .arg(model.id)
                                 .arg(context)
                                 .arg(mitigationName(best.mitigation), mitigationName(other.mitigation))));
          if (context <= supportedContext(model)) QVERIFY(!replacesBuiltIn(model, *plan.recommendation.best));
        }
      }
    }
    QVERIFY(plans > 100);
    // Effective context re-estimated at its own length works (a sample: every model at 4x trained, vLLM).
    for (const ModelSpec& model : Catalog::builtin().models()) {
      const Plan plan = planFor(model.id, model.trainedContext * 4);
      for (const MitigationPlan& r : plan.mitigations) {
        if (!r.estimate.applicable || r.effectiveContext < 64) continue;
        MitigationScenario scenario;
        scenario.contextTokens = r.effectiveContext;
        scenario.factor = r.factor;
        scenario.streamingCacheTokens = plannerStreamingCacheTokens(model, plannerResources());
        scenario.runtime = Runtime::Vllm;
        const MitigationEstimate there =
            estimateMitigation(model, r.mitigation, scenario, plannerResources(), refs());
        QVERIFY2(there.qualityRetention.central >= worksQuality - 0.02,
                 qPrintable(QStringLiteral("%1 %2: effective %3 has quality %4")
                                .arg(model.id, mitigationName(r.mitigation))
                                .arg(r.effectiveContext)
                                .arg(there.qualityRetention.central)));
      }
    }
  }

  // Issue 18: Llama-3.1-8B at 4K is never recommended a setting that replaces its llama3 scaling.
  void recommendationNeverOverridesBuiltInScaling() {
    const Plan plan = planFor(QStringLiteral("llama-3.1-8b"), 4096);
    QVERIFY(plan.recommendation.best);
    QVERIFY(*plan.recommendation.best == Mitigation::Baseline ||
            *plan.recommendation.best == Mitigation::Llama3);
    QCOMPARE(plan.mitigation, Mitigation::Baseline);
  }

  // "baseline" and the scaling a model ships are one setting: the runner-up is never the winner
  // again under another name (Llama 3.1 llama3, DeepSeek-V2 yarn, Phi-3.5 longrope).
  void runnerUpIsAnotherSetting() {
    for (const auto& [id, context] :
         std::vector<std::pair<QString, qint64>>{{QStringLiteral("llama-3.1-8b"), 131072},
                                                 {QStringLiteral("llama-3.1-8b"), 4096},
                                                 {QStringLiteral("deepseek-v2"), 32768},
                                                 {QStringLiteral("phi-3.5-mini"), 131072}}) {
      const Plan plan = planFor(id, context, Runtime::LlamaCpp);
      QVERIFY(plan.recommendation.best);
      if (!plan.recommendation.runnerUp) continue;
      const bool bestShipped = row(plan, *plan.recommendation.best).estimate.fineTuned;
      const bool runnerUpShipped = row(plan, *plan.recommendation.runnerUp).estimate.fineTuned;
      QVERIFY2(!(bestShipped && runnerUpShipped),
               qPrintable(QStringLiteral("%1 at %2: %3 then %4")
                              .arg(id)
                              .arg(context)
                              .arg(mitigationName(*plan.recommendation.best),
                                   mitigationName(*plan.recommendation.runnerUp))));
    }
  }

  // Llama 3.1 was trained with its llama3 scaling up to 128K (references.md: context grown 8K ->
  // 128K in six stages): the confidence reason must not say its angles were never seen in training.
  void shippedScalingAnglesWereSeenInLongContextTraining() {
    const Plan plan = planFor(QStringLiteral("llama-3.1-8b"), 131072);
    QString text;
    for (const ConfidenceReason& reason : plan.confidence.reasons) text += reason.text + QLatin1Char(' ');
    QVERIFY2(!text.contains(QStringLiteral("never seen in training")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("trained with this scaling up to 131072 tokens")),
             qPrintable(text));
    // An untuned setting past its reach still says so.
    const Plan llama2 = planFor(QStringLiteral("llama-2-7b"), 32768);
    QString baseline;
    for (const ConfidenceReason& reason : row(llama2, Mitigation::Baseline).confidence.reasons)
      baseline += reason.text;
    QVERIFY2(baseline.contains(QStringLiteral("never seen in training")), qPrintable(baseline));
  }

  // DeepSeek-V2's config says max_position_embeddings 163,840, its paper and model card 128K (YaRN,
  // 1000 steps at 32K, needle-in-a-haystack to 128K: references.md section 6): the shipped scaling
  // is taken to carry it to 128K, not further; V2-Lite's card says 32K.
  void shippedScalingStopsWhereTheVendorSupportsIt() {
    const Plan deepseek = planFor(QStringLiteral("deepseek-v2"), 131072);
    QCOMPARE(row(deepseek, Mitigation::Baseline).contextCap, qint64(131072));
    QCOMPARE(row(deepseek, Mitigation::Baseline).estimate.reachTokens, qint64(131072));
    QCOMPARE(row(deepseek, Mitigation::Baseline).estimate.verdict.kind, VerdictKind::Works);
    QVERIFY(!row(deepseek, Mitigation::Baseline).estimate.explanation.contains(QStringLiteral("160K")));
    const Plan lite = planFor(QStringLiteral("deepseek-v2-lite"), 32768);
    QCOMPARE(row(lite, Mitigation::Baseline).contextCap, qint64(32768));
  }

  // A verdict whose band reaches a collapse cannot rule it out: its confidence sits at the floor of
  // its own range (works 0.5, degraded 0.25; resources/planner.json), still above every collapse,
  // as the sweep checks. Untuned dynamic NTK on Mistral-7B-v0.1 at 32K under llama.cpp "works"
  // (87 %, resting on the untuned-retention assumption) with a pessimistic band of 0 %: it may not
  // score 0.8. A band reaching "degraded" only keeps its confidence
  // (DeepSeek-V2 at 128K: needle-in-a-haystack to 128K, works, 0.8).
  void bandReachingAWorseVerdictHoldsConfidenceAtTheFloor() {
    const double worksFloor = plannerResources().confidence.worksFloor;
    const double degradedFloor = plannerResources().confidence.degradedFloor;
    const double collapse = plannerResources().verdict.collapseQuality;
    const double works = plannerResources().verdict.worksQuality;
    int checked = 0;
    for (const QString& id :
         {QStringLiteral("mistral-7b-v0.1"), QStringLiteral("gemma-2-9b"), QStringLiteral("qwen2.5-7b")})
      for (qint64 context : {qint64(16384), qint64(32768), qint64(131072)}) {
        const Plan plan = planFor(id, context, Runtime::LlamaCpp);
        for (const MitigationPlan& r : plan.mitigations) {
          if (!r.estimate.applicable) continue;
          const VerdictKind kind = r.estimate.verdict.kind;
          const double low = r.estimate.qualityRetention.low;
          if (kind == VerdictKind::Works && low < collapse) {
            QVERIFY(r.confidence.value <= worksFloor + 1e-12);
            ++checked;
          }
          if (kind == VerdictKind::Degraded && low < collapse) {
            QVERIFY(r.confidence.value <= degradedFloor + 1e-12);
            ++checked;
          }
        }
      }
    QVERIFY(checked >= 3);
    const Plan mistral = planFor(QStringLiteral("mistral-7b-v0.1"), 32768, Runtime::LlamaCpp);
    QCOMPARE(row(mistral, Mitigation::DynamicNtk).estimate.verdict.kind, VerdictKind::Works);
    QCOMPARE(row(mistral, Mitigation::DynamicNtk).confidence.value, worksFloor);
    const Plan deepseek = planFor(QStringLiteral("deepseek-v2"), 131072);
    QVERIFY(row(deepseek, Mitigation::Baseline).estimate.qualityRetention.low < works);
    QCOMPARE(row(deepseek, Mitigation::Baseline).confidence.value, 0.8);
  }

  // Catalogue facts: every recipe names a source; Mistral-7B-v0.1 is trained at 8K (paper Table 1).
  void recipesAreSourcedFacts() {
    int recipes = 0;
    for (const ModelSpec& model : Catalog::builtin().models())
      if (model.longContextRecipe) {
        QVERIFY(!model.longContextRecipe->source.isEmpty());
        QVERIFY(model.longContextRecipe->supportedContext >= model.trainedContext);
        ++recipes;
      }
    QVERIFY(recipes >= 12);
    QCOMPARE(resolveModel(QStringLiteral("mistral-7b-v0.1")).trainedContext, qint64(8192));
    QVERIFY(resolveModel(QStringLiteral("mistral-7b-v0.1")).displayName.contains(QStringLiteral("4K")));
  }
};

QTEST_GUILESS_MAIN(TestVerdicts)
#include "test_verdicts.moc"
