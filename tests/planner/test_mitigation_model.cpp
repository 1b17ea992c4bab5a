// The mitigation model (issue 6) against the published reference points of
// resources/references.json (docs/references.md sections 6-7), its monotonic behaviour, the source
// document's worked example, and the launch flags of a YaRN x8 and a linear x4 scenario.
#include "PlannerFixtures.h"
#include "TestSupport.h"
#include "catalog/Catalog.h"
#include "planner/LaunchFlags.h"
#include "planner/MitigationModel.h"
#include "planner/Plan.h"
#include "planner/PlannerResources.h"
#include "planner/ReferencePoints.h"

#include <QJsonDocument>
#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

using test::refs;
using test::row;
using test::within;

MitigationEstimate estimate(const ModelSpec& model, Mitigation mitigation, qint64 context, double factor,
                            qint64 streamingCache = 4096) {
  MitigationScenario scenario;
  scenario.contextTokens = context;
  scenario.factor = factor;
  scenario.streamingCacheTokens = streamingCache;
  return estimateMitigation(model, mitigation, scenario, plannerResources(), refs());
}

// Llama-2-7B fine-tuned with a shipped scaling of factor s (reach 4096 x s), as the YaRN-paper models were.
ModelSpec fineTunedLlama2(const QString& type, double factor) {
  ModelSpec model = test::llama2_7b();
  RopeScaling scaling;
  scaling.type = type;
  scaling.factor = factor;
  scaling.originalMaxPositionEmbeddings = 4096;
  model.ropeScaling = scaling;
  model.maxPositionEmbeddings = qint64(4096 * factor);
  return model;
}

double ppl(const QString& id, qint64 context) {
  for (const ReferenceValue& value : refs().find(id)->values)
    if (value.contextTokens == context) return value.value;
  qFatal("no value");
}

Plan planFor(const QString& model, qint64 context, Mitigation mitigation = Mitigation::Baseline,
             double factor = 0) {
  PlanRequest request;
  request.contextTokens = context;
  request.mitigation = mitigation;
  if (factor > 0) request.mitigationFactor = factor;
  return makePlan(resolveModel(model), resolveHardware(QStringLiteral("h100-sxm-80gb")), request);
}

}  // namespace

class TestMitigationModel : public QObject {
  Q_OBJECT
 private slots:
  // The derived parameters follow from the table values by the documented formulas.
  void derivedParametersFollowFromTheReferencePoints() {
    const double x2 = (10240.0 / 8192.0 - 1) * (10240.0 / 8192.0 - 1);
    const double pi = -std::log(3.34 / 8.07) / x2, ntk = -std::log(3.59 / 6.24) / x2,
                 yarn = -std::log(3.35 / 6.04) / x2;
    SINKSCOPE_COMPARE_NEAR(refs().pastReachDecay.central, (pi + ntk + yarn) / 3, 1e-9);
    SINKSCOPE_COMPARE_NEAR(refs().pastReachDecay.high, pi, 1e-9);
    SINKSCOPE_COMPARE_NEAR(refs().fineTunedRetention.central, std::pow(87.7 / 92.3, 1.0 / 3), 1e-9);
    SINKSCOPE_COMPARE_NEAR(refs().windowOnlyRetention.central, 5.40 / 5158.07, 1e-12);
    QCOMPARE(refs().rulerStrictness.central, 0.25);  // median of the eight RULER effective/claimed ratios
    for (const ReferencePoint& point : refs().points) {
      QVERIFY2(!point.source.isEmpty() && !refs().metricDefinition(point.metric).isEmpty(),
               qPrintable(point.id));
    }
  }

  // YaRN's table: fine-tuned s=2 models (reach 8K) keep ppl(8K)/ppl(10K) of their quality at 10K.
  void yarnTablePastReachRatiosLieInTheBand() {
    for (const QString& id : {QStringLiteral("yarn-table-pi-s2"), QStringLiteral("yarn-table-ntk-20k"),
                              QStringLiteral("yarn-table-yarn-s2")}) {
      const MitigationEstimate e =
          estimate(fineTunedLlama2(QStringLiteral("linear"), 2), Mitigation::Linear, 10240, 2);
      QVERIFY(e.fineTuned);
      QCOMPARE(e.reachTokens, qint64(8192));
      const double published = ppl(id, 8192) / ppl(id, 10240);
      QVERIFY2(within(published, e.qualityRetention), qPrintable(QStringLiteral("%1: %2 outside [%3, %4]")
                                                                     .arg(id)
                                                                     .arg(published)
                                                                     .arg(e.qualityRetention.low)
                                                                     .arg(e.qualityRetention.high)));
      // Within the reach (8K) nothing collapses.
      QVERIFY(estimate(fineTunedLlama2(QStringLiteral("linear"), 2), Mitigation::Linear, 8192, 2)
                  .qualityRetention.central > 0.9);
    }
  }

  // Together-7B-32K (PI s=8): perplexity > 100 at 64K, i.e. quality < 2.64/100; passkey holds to 32K.
  void togetherPiCollapsesAtTwiceItsReach() {
    const ModelSpec together = fineTunedLlama2(QStringLiteral("linear"), 8);
    QVERIFY(estimate(together, Mitigation::Linear, 65536, 8).qualityRetention.central <
            ppl(QStringLiteral("together-7b-32k"), 32768) / 100);
    QCOMPARE(qint64(estimate(together, Mitigation::Linear, 32768, 8).effectiveContext.central),
             qint64(32768));
  }

  // YaRN-7B s=16: passkey 64K, perplexity > 10 at 98K; s=32: passkey 128K and flat perplexity to 128K.
  void yarnFineTunesMatchPasskeyAndPerplexity() {
    const ModelSpec s16 = fineTunedLlama2(QStringLiteral("yarn"), 16);
    QCOMPARE(qint64(estimate(s16, Mitigation::Yarn, 65536, 16).effectiveContext.central), qint64(65536));
    QVERIFY(estimate(s16, Mitigation::Yarn, 100352, 16).qualityRetention.central <
            ppl(QStringLiteral("yarn-7b-s16"), 65536) / 10);
    const ModelSpec s32 = fineTunedLlama2(QStringLiteral("yarn"), 32);
    const MitigationEstimate at128k = estimate(s32, Mitigation::Yarn, 131072, 32);
    QCOMPARE(qint64(at128k.effectiveContext.central), qint64(131072));
    QVERIFY(at128k.qualityRetention.high >= 0.99);  // perplexity still falling at 128K
  }

  // StreamingLLM: 4 sinks ~ 8 sinks in quality; recall 61.6 % at 2300 back, 0 at 4600 (cache 4096).
  void streamingMatchesStreamingLlm() {
    const MitigationEstimate e = estimate(test::llama2_7b(), Mitigation::Streaming, 409600, 1, 4096);
    QVERIFY(within(9.54 / 9.59, e.qualityRetention));
    QVERIFY(e.effectiveContext.central >= 2300 && e.effectiveContext.central < 4600);
  }

  // RULER: Llama-3.1-8B claimed 128K, effective 32K; DeepSeek-V2's needle holds to 128K; Phi-3
  // LongRoPE keeps 87.7/92.3 at 32K and 65.3/92.3 at 128K.
  void catalogueModelsMatchRulerNeedleAndLongRope() {
    const Plan llama = planFor(QStringLiteral("llama-3.1-8b"), 131072);
    QCOMPARE(row(llama, Mitigation::Baseline).estimate.effectiveContextStrict, qint64(32768));
    QCOMPARE(row(llama, Mitigation::Baseline).effectiveContext, qint64(131072));
    const Plan deepseek = planFor(QStringLiteral("deepseek-v2"), 131072);
    QCOMPARE(row(deepseek, Mitigation::Baseline).effectiveContext, qint64(131072));
    const ModelSpec phi = resolveModel(QStringLiteral("phi-3.5-mini"));
    QVERIFY(within(87.7 / 92.3, estimate(phi, Mitigation::LongRope, 32768, 32).qualityRetention));
    QVERIFY(within(65.3 / 92.3, estimate(phi, Mitigation::LongRope, 131072, 32).qualityRetention));
  }

  // Issue 6: baseline at 8x the trained context keeps an effective context near the trained one.
  // Effective context is the longest length that still works (issue 16): published baselines break
  // within 1.25-1.5x (YaRN's s=2 rows keep 0.41-0.58 of their quality at 1.25x their reach;
  // Mistral-7B-v0.1 full attention works at 10,240 and collapses by 12,288, docs/references.md section 9).
  void baselineAtEightTimesStaysWithinTrained() {
    for (const ModelSpec& model : Catalog::builtin().models()) {
      if (model.ropeScaling || !model.usesRope)
        continue;  // shipped scalings are fine-tuned, not baseline RoPE
      const qint64 trained = trainedContextOrMaxPositions(model);
      if (model.id == QLatin1String("codellama-7b")) {
        // The published exception: Code Llama's rope base 1e6, fine-tuned at 16K, holds perplexity
        // 2.71 at 128K against 3.71 at 8K (YaRN's long-context table, resources/references.json
        // codellama-7b-as-shipped; docs/references.md): at 8x it still works.
        const MitigationEstimate e = estimate(model, Mitigation::Baseline, trained * 8, 1);
        QCOMPARE(e.verdict.kind, VerdictKind::Works);
        QCOMPARE(e.verdict.basisId, QStringLiteral("codellama-7b-as-shipped"));
        continue;
      }
      const MitigationEstimate e = estimate(model, Mitigation::Baseline, trained * 8, 1);
      QVERIFY2(e.effectiveContext.high <= 1.5 * double(trained), qPrintable(model.id));
      QVERIFY2(e.verdict.kind == VerdictKind::Collapses, qPrintable(model.id));
    }
  }

  // Effective context never exceeds the request; for a fixed mitigation and factor, quality never
  // rises as the context (the extrapolation) grows.
  void monotonicInTheContext() {
    for (const ModelSpec& model : Catalog::builtin().models()) {
      const qint64 trained = trainedContextOrMaxPositions(model);
      for (Mitigation mitigation : mitigationsFor(model.usesRope)) {
        double previous = 2.0;
        for (double multiple : {0.5, 1.0, 1.5, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0}) {
          const qint64 context = qint64(double(trained) * multiple);
          const MitigationEstimate e = estimate(model, mitigation, context, 8, trained);
          if (!e.applicable || !e.series.isEmpty()) continue;  // a published series is read as published
          QVERIFY(e.effectiveContext.high <= double(context));
          QVERIFY(e.effectiveContext.low <= e.effectiveContext.central &&
                  e.effectiveContext.central <= e.effectiveContext.high);
          QVERIFY2(e.qualityRetention.central <= previous + 1e-12,
                   qPrintable(
                       QStringLiteral("%1 %2 at %3").arg(model.id, mitigationName(mitigation)).arg(context)));
          previous = e.qualityRetention.central;
        }
      }
    }
  }

  // The source document's worked example: each row appears beside SinkScope's estimate with a verdict.
  void workedExampleRowsAreComparedAndExplained() {
    const Plan mistral = planFor(QStringLiteral("mistral-7b-v0.1"), 32768, Mitigation::Ntk);
    QCOMPARE(int(mistral.sourceDocument.size()), 2);
    // llama.cpp (full attention): the published Proof-pile break, ~10K (docs/references.md section 9).
    QVERIFY(row(mistral, Mitigation::Baseline).effectiveContext >= 9216);
    QVERIFY(row(mistral, Mitigation::Baseline).effectiveContext <= 12288);
    for (const DocumentComparison& comparison : mistral.sourceDocument) {
      QVERIFY(comparison.verdict.startsWith(QStringLiteral("differs")));
      QVERIFY(comparison.verdict.contains(QStringLiteral("Why:")));
    }
    const Plan llama = planFor(QStringLiteral("llama-3.1-8b"), 131072);
    QCOMPARE(int(llama.sourceDocument.size()), 1);
    QVERIFY(llama.sourceDocument.front().verdict.contains(QStringLiteral("RULER")));
    const Plan deepseek = planFor(QStringLiteral("deepseek-v2"), 131072);
    QCOMPARE(int(deepseek.sourceDocument.size()), 1);
    QVERIFY(deepseek.sourceDocument.front().verdict.startsWith(QStringLiteral("agrees")));
    // Rule 1 holds for every row of every worked example.
    for (const Plan* plan : {&mistral, &llama, &deepseek})
      for (const MitigationPlan& r : plan->mitigations) QVERIFY(r.confidence.value <= 0.8);
  }

  void recommendationNamesAWinnerARunnerUpAndReasons() {
    const Plan mistral = planFor(QStringLiteral("mistral-7b-v0.1"), 32768, Mitigation::Ntk);
    QVERIFY(mistral.recommendation.best.has_value());
    QCOMPARE(*mistral.recommendation.best, Mitigation::Streaming);
    QVERIFY(mistral.recommendation.runnerUp.has_value());
    QVERIFY(mistral.recommendation.reasons.join(QLatin1Char(' ')).contains(QStringLiteral("fine-tuning")));
    const Plan llama = planFor(QStringLiteral("llama-3.1-8b"), 131072);
    QVERIFY(*llama.recommendation.best == Mitigation::Baseline ||
            *llama.recommendation.best == Mitigation::Llama3);
    const Plan llama2 = planFor(QStringLiteral("llama-2-7b"), 32768);
    QVERIFY(llama2.recommendation.fineTunedAlternative.contains(QStringLiteral("fine-tuned")));
  }

  // SinkScope's own measurement of stories260K (docs/references.md section 8: loss rises past 512, no
  // sink) is in the references and outranks the model in the explanation.
  void measuredStoriesPointsAreShownBesideTheModel() {
    const ReferencePoint* baseline = refs().find(QStringLiteral("stories260k-measured-baseline"));
    const ReferencePoint* windowOnly = refs().find(QStringLiteral("stories260k-measured-window-only"));
    QVERIFY(baseline && windowOnly);
    QVERIFY(baseline->values.back().value > baseline->values.front().value);  // worse past 512
    SINKSCOPE_COMPARE_NEAR(windowOnly->values.back().value / windowOnly->values.front().value, 1,
                           0.02);  // no sink to lose
    const Plan plan = planFor(QStringLiteral("stories260k"), 1024);
    QVERIFY(row(plan, Mitigation::Baseline)
                .estimate.explanation.contains(QStringLiteral("measured on this checkpoint")));
  }

  // YaRN x8 on Llama-2-7B at 32K, checked field by field against the engines' documented names.
  void launchFlagsForYarnTimesEight() {
    const LaunchFlags f = launchFlagsFor(test::llama2_7b(), Mitigation::Yarn, {32768, 8.0, 4096, 4096, 4});
    QCOMPARE(f.llamaCpp,
             QStringLiteral("--rope-scaling yarn --rope-scale 8 --yarn-orig-ctx 4096 --ctx-size 32768"));
    QCOMPARE(f.transformersRopeScaling.value(QStringLiteral("rope_type")).toString(), QStringLiteral("yarn"));
    QCOMPARE(f.transformersRopeScaling.value(QStringLiteral("factor")).toDouble(), 8.0);
    QCOMPARE(f.transformersRopeScaling.value(QStringLiteral("original_max_position_embeddings")).toInt(),
             4096);
    QVERIFY(f.vllm.startsWith(QStringLiteral("--hf-overrides '{\"rope_scaling\":{")));
    QVERIFY(f.vllm.endsWith(QStringLiteral("}}' --max-model-len 32768")));
    const QString json = f.vllm.section(QLatin1Char('\''), 1, 1);
    const QJsonObject overrides = QJsonDocument::fromJson(json.toUtf8()).object();
    QCOMPARE(overrides.value(QStringLiteral("rope_scaling")).toObject(), f.transformersRopeScaling);
    const QJsonObject parameters =
        QJsonDocument::fromJson(f.vllmLatest.section(QLatin1Char('\''), 1, 1).toUtf8())
            .object()[QStringLiteral("rope_parameters")]
            .toObject();
    QCOMPARE(parameters.value(QStringLiteral("rope_type")).toString(), QStringLiteral("yarn"));
    QCOMPARE(parameters.value(QStringLiteral("rope_theta")).toDouble(), 10000.0);
  }

  void launchFlagsForLinearTimesFour() {
    const LaunchFlags f = launchFlagsFor(test::llama2_7b(), Mitigation::Linear, {16384, 4.0, 4096, 4096, 4});
    QCOMPARE(f.llamaCpp, QStringLiteral("--rope-scaling linear --rope-scale 4 --ctx-size 16384"));
    QCOMPARE(f.vllm,
             QStringLiteral("--hf-overrides '{\"rope_scaling\":{\"factor\":4,\"rope_type\":\"linear\"}}' "
                            "--max-model-len 16384"));
    QCOMPARE(f.transformersRopeScaling, (QJsonObject{{QStringLiteral("rope_type"), QStringLiteral("linear")},
                                                     {QStringLiteral("factor"), 4.0}}));
  }

  // NTK-aware base b s^(d/(d-2)): docs/references.md section 1 gives 40 889.94 (s=4) and 82 684.62 (s=8).
  void ntkFlagsCarryThePublishedBase() {
    QVERIFY(launchFlagsFor(test::llama2_7b(), Mitigation::Ntk, {16384, 4.0, 4096, 4096, 4})
                .llamaCpp.contains(QStringLiteral("--rope-freq-base 40889.94 ")));
    QVERIFY(launchFlagsFor(test::llama2_7b(), Mitigation::Ntk, {32768, 8.0, 4096, 4096, 4})
                .llamaCpp.contains(QStringLiteral("--rope-freq-base 82684.62 ")));
    const LaunchFlags streaming =
        launchFlagsFor(test::llama2_7b(), Mitigation::Streaming, {65536, 1.0, 4096, 4096, 4});
    QCOMPARE(streaming.llamaCpp, QStringLiteral("--ctx-size 4096 --keep 4 --context-shift"));
    QVERIFY(streaming.vllm.isEmpty());  // vLLM has no sink cache: said in notes, not invented
    QVERIFY(streaming.transformers.contains(QStringLiteral("num_sink_tokens=4")));
  }
};

QTEST_GUILESS_MAIN(TestMitigationModel)
#include "test_mitigation_model.moc"
