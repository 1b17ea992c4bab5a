// Confidence and context_cap: rule 1 (never above 0.8 past the trained context) swept over every
// catalogue model, context and mitigation; each documented deduction; caps per mitigation.
#include "PlannerFixtures.h"
#include "TestSupport.h"
#include "catalog/Catalog.h"
#include "planner/Confidence.h"
#include "planner/Plan.h"
#include "planner/PlannerResources.h"

#include <QtTest>

using namespace sinkscope;

namespace {

PlanRequest requestAt(qint64 context, Mitigation mitigation = Mitigation::Baseline) {
  PlanRequest request;
  request.contextTokens = context;
  request.mitigation = mitigation;
  return request;
}

bool hasReason(const Confidence& confidence, const QString& code) {
  for (const ConfidenceReason& reason : confidence.reasons)
    if (reason.code == code) return true;
  return false;
}

const ConfidenceWeights& weights() {
  return plannerResources().confidence;
}

// A plain in-distribution input with nothing to deduct but the modelled quality.
ConfidenceInputs cleanInputs() {
  ConfidenceInputs in;
  in.contextTokens = 2048;
  in.trainedContextTokens = 4096;
  in.contextCapTokens = 4096;
  in.mitigation = QStringLiteral("baseline");
  in.qualityMeasured = true;
  in.memoryMarginShare = 0.5;
  return in;
}

}  // namespace

class TestPlannerConfidence : public QObject {
  Q_OBJECT
 private slots:
  // docs/design.md rule 1 / issue 3: every catalogue model x contexts 0.5x..64x trained x every
  // mitigation (x weight and KV dtypes, batch): value <= 0.8 whenever context > trained, and the
  // plan is still made (not a refusal).
  void ruleOneHoldsForEveryModelContextAndMitigation() {
    const auto& models = Catalog::builtin().models();
    QVERIFY2(models.size() >= 10, "the catalogue should list its models");
    const HardwareSpec hardware = test::gpu80();
    const std::vector<double> multiples{0.5, 0.9, 1.0, 1.01, 1.5, 2, 3, 4, 8, 16, 32, 64};
    const QStringList weightDtypes{QStringLiteral("bf16"), QStringLiteral("q2_k")};
    int plans = 0;
    for (const ModelSpec& model : models) {
      const qint64 trained = trainedContextOrMaxPositions(model);
      for (double multiple : multiples) {
        const qint64 context = std::max<qint64>(1, qint64(double(trained) * multiple));
        for (Mitigation mitigation : mitigationsFor(model.usesRope)) {
          for (const QString& dtype : weightDtypes) {
            PlanRequest request = requestAt(context, mitigation);
            request.weightsDtype = dtype;
            request.batch = dtype == QLatin1String("bf16") ? 1 : 4;
            request.qualityMeasured = dtype == QLatin1String("bf16");  // the most generous input
            const Plan plan = makePlan(model, hardware, request);
            ++plans;
            QVERIFY(plan.confidence.value >= 0.0 && plan.confidence.value <= 1.0);
            for (const MitigationPlan& row : plan.mitigations) {
              QVERIFY(row.confidence.value >= 0.0 && row.confidence.value <= 1.0);
              if (context > trained)
                QVERIFY2(row.confidence.value <= 0.8 + 1e-12,
                         qPrintable(QStringLiteral("%1 at %2 (%3x) with %4: %5")
                                        .arg(model.id)
                                        .arg(context)
                                        .arg(multiple)
                                        .arg(mitigationName(row.mitigation))
                                        .arg(row.confidence.value)));
              QVERIFY(row.effectiveContext <= context);
            }
            if (context > trained) QVERIFY(hasReason(plan.confidence, QStringLiteral("beyond_trained")));
          }
        }
      }
    }
    qInfo("rule 1 checked on %d plans", plans);
  }

  // The reason names the ratio in words a user understands.
  void beyondTrainedReasonIsReadable() {
    const Plan plan = makePlan(test::llama2_7b(), test::gpu80(), requestAt(32768));
    QVERIFY(plan.confidence.value <= 0.8);
    const QString text = plan.confidence.reasons.front().text;
    QVERIFY2(text.startsWith(QStringLiteral("context 32768 is 8.0× the trained 4096")), qPrintable(text));
    // docs/references.md section 3: Llama-2's critical dimension is 92 of 128, so 36 dims are unseen.
    QVERIFY2(text.contains(QStringLiteral("RoPE angles in 36 of 128 rotary dims were never seen")),
             qPrintable(text));
  }

  void inDistributionWithMeasuredQualityIsFullConfidence() {
    QCOMPARE(assessConfidence(cleanInputs(), weights()).value, 1.0);
  }

  // Each documented deduction, alone, subtracts its resources/planner.json weight.
  void eachDeductionSubtractsItsWeight_data() {
    QTest::addColumn<QString>("code");
    QTest::addColumn<double>("deduction");
    QTest::newRow("estimated quality") << QStringLiteral("estimated_quality") << weights().estimatedQuality;
    QTest::newRow("defaulted fields") << QStringLiteral("defaulted_fields") << 2 * weights().defaultedField;
    QTest::newRow("missing hardware") << QStringLiteral("missing_hardware") << weights().missingHardware;
    QTest::newRow("memory margin") << QStringLiteral("memory_margin") << weights().memoryMargin;
    QTest::newRow("low-bit weights") << QStringLiteral("low_bit_quantization")
                                     << weights().lowBitQuantization;
    QTest::newRow("beyond cap (2x)") << QStringLiteral("beyond_cap") << weights().beyondCapPerDoubling;
  }
  void eachDeductionSubtractsItsWeight() {
    QFETCH(QString, code);
    QFETCH(double, deduction);
    ConfidenceInputs in = cleanInputs();
    if (code == QLatin1String("estimated_quality")) in.qualityMeasured = false;
    if (code == QLatin1String("defaulted_fields"))
      in.defaultedFields = {QStringLiteral("head_dim"), QStringLiteral("rope_theta")};
    if (code == QLatin1String("missing_hardware")) in.missingHardware = {QStringLiteral("peak fp8 FLOP/s")};
    if (code == QLatin1String("memory_margin")) in.memoryMarginShare = 0.03;
    if (code == QLatin1String("low_bit_quantization")) in.weightBitsPerWeight = 3.35;
    if (code == QLatin1String("beyond_cap")) {
      in.contextCapTokens = 1024;  // context 2048 = 2x the cap, still inside the trained 4096
    }
    const Confidence confidence = assessConfidence(in, weights());
    QVERIFY(hasReason(confidence, code));
    QVERIFY(deduction > 0);
    QCOMPARE(confidence.value, 1.0 - deduction);
  }

  void deductionsAreBoundedAndNeverBelowTheFloor() {
    ConfidenceInputs in = cleanInputs();
    in.defaultedFields = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                          QStringLiteral("d"), QStringLiteral("e"), QStringLiteral("f")};
    QCOMPARE(assessConfidence(in, weights()).value, 1.0 - weights().defaultedFieldsMax);
    in.qualityMeasured = false;
    in.missingHardware = {QStringLiteral("memory bandwidth")};
    in.memoryMarginShare = 0.0;
    in.weightBitsPerWeight = 2;
    in.contextTokens = 1 << 20;
    in.contextCapTokens = 1024;
    QCOMPARE(assessConfidence(in, weights()).value, weights().worksFloor);  // held in the works range
    in.tier = ConfidenceTier::Collapses;
    QCOMPARE(assessConfidence(in, weights()).value, weights().floor);
  }

  // Margin deduction comes from the real plan: a context right at max_context_that_fits has <5 % spare.
  void tightFitInAPlanDeductsTheMargin() {
    const Plan probe = makePlan(test::llama2_7b(), test::gpu80(), requestAt(1024));
    const Plan tight = makePlan(test::llama2_7b(), test::gpu80(), requestAt(probe.fit.maxContextTokens));
    QVERIFY(tight.fits);
    QVERIFY(hasReason(tight.confidence, QStringLiteral("memory_margin")));
    QVERIFY(!hasReason(probe.confidence, QStringLiteral("memory_margin")));
  }

  void defaultedHardwareFieldsAndMissingPeaksDeduct() {
    HardwareSpec hardware = test::gpu80();
    hardware.peakFlopsPerSecond.erase(QStringLiteral("fp8"));
    PlanRequest request = requestAt(2048);
    request.weightsDtype = QStringLiteral("fp8");
    const Plan plan = makePlan(test::llama2_7b(), hardware, request);
    QVERIFY(hasReason(plan.confidence, QStringLiteral("missing_hardware")));
    QCOMPARE(plan.throughput.computeDtype, QStringLiteral("bf16"));
    hardware.defaultedFields = {QStringLiteral("memory_bandwidth")};
    QVERIFY(hasReason(makePlan(test::llama2_7b(), hardware, requestAt(2048)).confidence,
                      QStringLiteral("defaulted_fields")));
  }

  // context_cap: baseline = trained; a shipped (fine-tuned) scaling = max_position_embeddings; an
  // untuned mitigation = trained x min(factor, the extension resources/planner.json gives it).
  void contextCapPerMitigation() {
    const PlannerResources& r = plannerResources();
    const ModelSpec llama2 = test::llama2_7b();
    QCOMPARE(estimateContextCap(llama2, Mitigation::Baseline, 8, r).tokens, qint64(4096));
    QCOMPARE(estimateContextCap(llama2, Mitigation::Ntk, 8, r).tokens,
             qint64(4096 * r.contextExtension.at(Mitigation::Ntk)));
    QCOMPARE(estimateContextCap(llama2, Mitigation::LongRope, 8, r).tokens,
             qint64(4096 * r.contextExtension.at(Mitigation::LongRope)));
    QCOMPARE(estimateContextCap(llama2, Mitigation::Linear, 1.5, r).tokens,
             qint64(4096 * 1.5));                                                         // factor-limited
    QCOMPARE(estimateContextCap(llama2, Mitigation::Streaming, 8, r).tokens, qint64(0));  // no cap
    const ContextCap shipped = estimateContextCap(test::llama31_8b(), Mitigation::Llama3, 8, r);
    QVERIFY(shipped.fineTuned);
    QCOMPARE(shipped.tokens, qint64(131072));
    QVERIFY(!estimateContextCap(test::llama31_8b(), Mitigation::Yarn, 16, r).fineTuned);
    QCOMPARE(estimateContextCap(test::alibiModel(), Mitigation::Alibi, 1, r).tokens,
             qint64(2048 * r.contextExtension.at(Mitigation::Alibi)));
  }

  void mitigationRowsFollowTheModelsPositionalEncoding() {
    const Plan rope = makePlan(test::mistral7b(), test::gpu80(), requestAt(32768, Mitigation::Ntk));
    QCOMPARE(rope.mitigations.size(), mitigationsFor(true).size());
    const Plan alibi = makePlan(test::alibiModel(), test::gpu80(), requestAt(8192, Mitigation::Alibi));
    QCOMPARE(alibi.mitigations.size(), mitigationsFor(false).size());
    for (const MitigationPlan& row : rope.mitigations) {
      QVERIFY(row.effectiveContext <= 32768);
      if (row.contextCap > 0) QVERIFY(row.effectiveContext <= row.contextCap);
    }
    QCOMPARE(rope.contextCap, qint64(4096 * plannerResources().contextExtension.at(Mitigation::Ntk)));
  }
};

QTEST_GUILESS_MAIN(TestPlannerConfidence)
#include "test_planner_confidence.moc"
