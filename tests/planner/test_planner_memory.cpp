// Parameter counts, weight bytes, KV cache and fit of the planner against published figures
// (tests/data/planner_reference.json, docs/references.md section 4) and independent arithmetic.
#include "PlannerFixtures.h"
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JsonRead.h"
#include "planner/Memory.h"
#include "planner/ParameterCount.h"
#include "planner/Plan.h"
#include "planner/PlannerResources.h"

#include <QJsonArray>
#include <QtTest>

using namespace sinkscope;

namespace {

ModelSpec fixture(const QString& id) {
  if (id == QLatin1String("llama-2-7b")) return test::llama2_7b();
  if (id == QLatin1String("llama-3.1-8b")) return test::llama31_8b();
  if (id == QLatin1String("mistral-7b-v0.1")) return test::mistral7b();
  if (id == QLatin1String("mixtral-8x7b")) return test::mixtral8x7b();
  if (id == QLatin1String("deepseek-v2")) return test::deepseekV2();
  qFatal("unknown fixture");
}

QJsonObject reference() {
  return readJsonObjectFile(test::testDataPath(QStringLiteral("planner_reference.json")));
}

PlanRequest requestAt(qint64 context) {
  PlanRequest request;
  request.mitigation = Mitigation::Baseline;  // the model as shipped, whatever a plan would choose
  request.runtime = Runtime::Vllm;            // sliding windows honoured
  request.contextTokens = context;
  return request;
}

}  // namespace

class TestPlannerMemory : public QObject {
  Q_OBJECT
 private slots:
  void parameterCountsMatchPublishedTotals_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<double>("total");
    QTest::addColumn<double>("active");
    for (const QJsonValue& value : reference()[QStringLiteral("parameters")].toArray()) {
      const QJsonObject entry = value.toObject();
      const QString model = entry[QStringLiteral("model")].toString();
      QTest::newRow(qPrintable(model)) << model << entry[QStringLiteral("total")].toDouble()
                                       << entry[QStringLiteral("active")].toDouble(0);
    }
  }
  // Issue 3: within 2 % of the published total (and active for MoE).
  void parameterCountsMatchPublishedTotals() {
    QFETCH(QString, model);
    QFETCH(double, total);
    QFETCH(double, active);
    const ParameterCount count = countParameters(fixture(model));
    QVERIFY2(std::abs(double(count.total()) / total - 1.0) < 0.02,
             qPrintable(QStringLiteral("%1: %2 vs published %3").arg(model).arg(count.total()).arg(total)));
    if (active > 0)
      QVERIFY2(
          std::abs(double(count.active()) / active - 1.0) < 0.02,
          qPrintable(
              QStringLiteral("%1 active: %2 vs published %3").arg(model).arg(count.active()).arg(active)));
    else
      QCOMPARE(count.active(), count.total());
  }

  // Llama-2-7B by hand: embeddings 32000x4096 twice (untied), per layer 4x4096^2 attention,
  // 3x4096x11008 FFN, two norms; final norm. = 6,738,415,616.
  void llama2CountIsExactlyTheHandSum() {
    const qint64 perLayer = 4ll * 4096 * 4096 + 3ll * 4096 * 11008 + 2 * 4096;
    QCOMPARE(countParameters(test::llama2_7b()).total(), 2ll * 32000 * 4096 + 32 * perLayer + 4096);
  }

  void tiedEmbeddingsAndBiasesAreCounted() {
    ModelSpec model = test::llama2_7b();
    const qint64 untied = countParameters(model).total();
    model.tiedEmbeddings = true;
    QCOMPARE(countParameters(model).total(), untied - 32000ll * 4096);
    model.attentionBias = true;  // q, k, v biases: 3 x 4096 per layer
    QCOMPARE(countParameters(model).total(), untied - 32000ll * 4096 + 32ll * 3 * 4096);
    model.gatedFfn = false;  // one FFN matrix fewer per layer
    QCOMPARE(countParameters(model).total(), untied - 32000ll * 4096 + 32ll * 3 * 4096 - 32ll * 4096 * 11008);
  }

  void kvBytesPerTokenMatchReferences_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<qint64>("bytes");
    for (const QJsonValue& value : reference()[QStringLiteral("kv_bytes_per_token")].toArray()) {
      const QJsonObject entry = value.toObject();
      const QString model = entry[QStringLiteral("model")].toString();
      QTest::newRow(qPrintable(model)) << model << entry[QStringLiteral("kv_dtype")].toString()
                                       << qint64(entry[QStringLiteral("bytes")].toDouble());
    }
  }
  // docs/references.md section 4: Llama-2-7B 524,288; Llama-3.1-8B 131,072; Mistral 131,072; DeepSeek-V2
  // 69,120.
  void kvBytesPerTokenMatchReferences() {
    QFETCH(QString, model);
    QFETCH(QString, dtype);
    QFETCH(qint64, bytes);
    PlanRequest request = requestAt(1024);
    request.kvDtype = dtype;
    const Plan plan = makePlan(fixture(model), test::gpu80(), request);
    QCOMPARE(plan.memory.kvBytesPerToken, bytes);
    QCOMPARE(plan.memory.kvBytes, bytes * 1024);
  }

  // docs/references.md section 4: Llama-3.1-8B bf16 holds 16 GiB of KV at 131,072 tokens.
  void llama31HoldsSixteenGibAt128k() {
    PlanRequest request = requestAt(131072);
    request.kvDtype = QStringLiteral("bf16");
    QCOMPARE(makePlan(test::llama31_8b(), test::gpu80(), request).memory.kvBytes, 16ll << 30);
  }

  // Mistral-7B-v0.1's 4096-token window on every layer: at 32K it holds 4,096 tokens of KV.
  void mistralSlidingWindowHolds4096TokensAt32k() {
    const Plan plan = makePlan(test::mistral7b(), test::gpu80(), requestAt(32768));
    QCOMPARE(plan.memory.kvBytes, 4096ll * 131072);
    QVERIFY(plan.fit.kvStopsGrowingAt.has_value());
    QCOMPARE(*plan.fit.kvStopsGrowingAt, qint64(4096));
    QVERIFY(plan.fit.unbounded);
    QVERIFY(plan.notes.join(QLatin1Char(' ')).contains(QStringLiteral("stops growing")));
  }

  // Hybrid: half the layers sliding (window 1024), half full: KV = 16 x full + 16 x min(ctx, 1024).
  void hybridLayersSumPerLayer() {
    ModelSpec model = test::llama2_7b();
    model.attentionKind = AttentionKind::Hybrid;
    model.slidingWindow = 1024;
    model.layerTypes.assign(32, LayerAttention::Full);
    for (int layer = 0; layer < 32; layer += 2) model.layerTypes[size_t(layer)] = LayerAttention::Sliding;
    model.layerTypes[1] = LayerAttention::Recurrent;  // one SSM layer: no per-token KV
    const double perLayer = 2.0 * 32 * 128 * 2;
    const Plan plan = makePlan(model, test::gpu80(), requestAt(8192));
    QCOMPARE(plan.memory.kvBytes, qint64(16 * perLayer * 1024 + 15 * perLayer * 8192));
    QVERIFY(!plan.fit.unbounded);
  }

  void kvDtypeAndBatchScaleTheCache() {
    PlanRequest request = requestAt(8192);
    const qint64 fp16 = makePlan(test::llama31_8b(), test::gpu80(), request).memory.kvBytes;
    request.kvDtype = QStringLiteral("fp8");
    QCOMPARE(makePlan(test::llama31_8b(), test::gpu80(), request).memory.kvBytes, fp16 / 2);
    request.kvDtype = QStringLiteral("int4");
    QCOMPARE(makePlan(test::llama31_8b(), test::gpu80(), request).memory.kvBytes, fp16 / 4);
    request.kvDtype = QStringLiteral("q8_0");  // 34 bytes per 32 elements
    QCOMPARE(makePlan(test::llama31_8b(), test::gpu80(), request).memory.kvBytes, fp16 / 2 * 34 / 32);
    request.kvDtype.clear();
    request.batch = 4;
    QCOMPARE(makePlan(test::llama31_8b(), test::gpu80(), request).memory.kvBytes, fp16 * 4);
  }

  // StreamingLLM holds sinks + window = the trained context (4096) whatever the stream length.
  void streamingCapsTheCache() {
    PlanRequest request = requestAt(65536);
    request.mitigation = Mitigation::Streaming;
    const Plan plan = makePlan(test::llama2_7b(), test::gpu80(), request);
    QCOMPARE(plan.memory.kvBytes, 4096ll * 524288);
    QVERIFY(plan.fit.unbounded);
    for (const MitigationPlan& row : plan.mitigations)
      if (row.mitigation == Mitigation::Streaming) QCOMPARE(row.kvCachedTokens, qint64(4096));
  }

  // Bytes per weight from resources/dtypes.json: bf16 2 bytes; Q4_K_M 4.84 bits; GPTQ keeps
  // embeddings and head at 16 bits.
  void weightBytesFollowTheDtypeTable() {
    const ParameterCount count = countParameters(test::llama2_7b());
    const PlannerResources& resources = plannerResources();
    QCOMPARE(weightBytes(count, *resources.findWeightDtype(QStringLiteral("bf16"))), count.total() * 2);
    QCOMPARE(weightBytes(count, *resources.findWeightDtype(QStringLiteral("fp32"))), count.total() * 4);
    const qint64 q4km = weightBytes(count, *resources.findWeightDtype(QStringLiteral("Q4_K_M")));
    SINKSCOPE_COMPARE_NEAR(double(q4km), double(count.total()) * 4.84 / 8, 1);
    const qint64 embeddings = 2ll * 32000 * 4096;
    const qint64 gptq = weightBytes(count, *resources.findWeightDtype(QStringLiteral("gptq")));
    SINKSCOPE_COMPARE_NEAR(double(gptq),
                           (double(count.total() - embeddings) * 4.15625 / 8 + double(embeddings) * 2), 1);
    for (const QString& name :
         {QStringLiteral("fp16"), QStringLiteral("fp8"), QStringLiteral("int8"), QStringLiteral("int4"),
          QStringLiteral("q8_0"), QStringLiteral("q6_k"), QStringLiteral("q5_k_m"), QStringLiteral("q4_0"),
          QStringLiteral("q3_k_m"), QStringLiteral("q2_k"), QStringLiteral("awq")})
      QVERIFY2(resources.findWeightDtype(name), qPrintable(name));
  }

  // Chunked prefill: activations grow with the context up to the chunk, then stay flat; the
  // logits buffer (chunk x vocab x 4 bytes) is part of it.
  void activationsPeakAtTheChunk() {
    PlanRequest request = requestAt(100);
    request.prefillChunkTokens = 512;
    const MemoryModel memory =
        memoryModelFor(test::llama2_7b(), test::gpu80(), request, Mitigation::Baseline);
    QCOMPARE(memory.activationBytes(1024), memory.activationBytes(512));
    QCOMPARE(memory.activationBytes(100) * 512, memory.activationBytes(512) * 100);
    // Llama-2-7B per token: 2 x 4096 + max(3 x 4096 + 4096, 2 x 11008) elements x 2 bytes + 32000 x 4 bytes.
    const qint64 perToken = (2 * 4096 + 2 * 11008) * 2 + 32000 * 4;
    QCOMPARE(memory.activationBytes(512), 512 * perToken);
  }

  // Fits at max_context_that_fits, not one token above (solved exactly), not 5 % above.
  void fitsAtTheMaximumAndNotAbove_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("batch");
    QTest::newRow("llama-2-7b") << QStringLiteral("llama-2-7b") << 1;
    QTest::newRow("llama-3.1-8b x8") << QStringLiteral("llama-3.1-8b") << 8;
    QTest::newRow("deepseek-v2 (does not fit)") << QStringLiteral("deepseek-v2") << 1;
    QTest::newRow("mixtral-8x7b") << QStringLiteral("mixtral-8x7b") << 2;
  }
  void fitsAtTheMaximumAndNotAbove() {
    QFETCH(QString, model);
    QFETCH(int, batch);
    PlanRequest request = requestAt(4096);
    request.batch = batch;
    request.weightsDtype =
        model == QLatin1String("mixtral-8x7b") ? QStringLiteral("q4_k_m") : QStringLiteral("bf16");
    const Plan probe = makePlan(fixture(model), test::gpu80(), request);
    const qint64 best = probe.fit.maxContextTokens;
    if (model == QLatin1String("deepseek-v2")) {  // 236B bf16 weights alone exceed 72 GB
      QCOMPARE(best, qint64(0));
      QVERIFY(!probe.fits);
      return;
    }
    QVERIFY(best > 1000);
    request.contextTokens = best;
    const Plan atBest = makePlan(fixture(model), test::gpu80(), request);
    QVERIFY(atBest.fits);
    QVERIFY(atBest.memory.totalBytes <= atBest.memory.capacityBytes);
    request.contextTokens = best + 1;
    QVERIFY(!makePlan(fixture(model), test::gpu80(), request).fits);
    request.contextTokens = qint64(double(best) * 1.05);
    QVERIFY(!makePlan(fixture(model), test::gpu80(), request).fits);
  }

  void usableShareSetsCapacity() {
    PlanRequest request = requestAt(4096);
    QCOMPARE(makePlan(test::llama2_7b(), test::gpu80(), request).memory.capacityBytes,
             qint64(72'000'000'000));
    request.usableMemoryShare = 0.5;
    QCOMPARE(makePlan(test::llama2_7b(), test::gpu80(), request).memory.capacityBytes,
             qint64(40'000'000'000));
  }

  void curveHasOnePointPerContextAndIsMonotone() {
    const std::vector<qint64> contexts = contextGrid(1, 1 << 20, 1000, true);
    QCOMPARE(contexts.size(), size_t(1000));
    QCOMPARE(contexts.front(), qint64(1));
    QCOMPARE(contexts.back(), qint64(1 << 20));
    const auto curve = memoryCurveFor(test::llama31_8b(), test::gpu80(), requestAt(4096), contexts);
    QCOMPARE(curve.size(), size_t(1000));
    for (size_t i = 1; i < curve.size(); ++i)
      QVERIFY(curve[i].memory.totalBytes >= curve[i - 1].memory.totalBytes);
    QCOMPARE(curve.back().memory.kvBytes, qint64(131072) * (1 << 20));
  }

  void badRequestValuesNameTheField() {
    PlanRequest request = requestAt(0);
    try {
      makePlan(test::llama2_7b(), test::gpu80(), request);
      QFAIL("no error for context 0");
    } catch (const Error& error) {
      QCOMPARE(error.field(), QStringLiteral("context"));
      QCOMPARE(error.exitCode(), 3);
    }
    request.contextTokens = 4096;
    request.weightsDtype = QStringLiteral("q1_x");
    try {
      makePlan(test::llama2_7b(), test::gpu80(), request);
      QFAIL("no error for an unknown dtype");
    } catch (const Error& error) {
      QCOMPARE(error.field(), QStringLiteral("weights_dtype"));
    }
    request.weightsDtype.clear();
    request.mitigation = Mitigation::Alibi;  // not for a RoPE model
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(test::llama2_7b(), test::gpu80(), request));
  }
};

QTEST_GUILESS_MAIN(TestPlannerMemory)
#include "test_planner_memory.moc"
