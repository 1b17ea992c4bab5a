// Conformance with llama.cpp: for every tensor type SinkScope computes with, and for the Q4_K_M
// mix, a random-weight llama model written by SinkScope's GGUF writer and quantizers is measured
// by SinkScope and by llama.cpp (node-llama-cpp 3.21.1); per-position NLL must agree to a mean
// |delta| <= 0.03 nats and the argmax at >= 95 % of positions (docs/conformance.md says why).
#include "GeneratedLlama.h"
#include "LlamaCppConformance.h"
#include "inference/TensorTypes.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope;
using namespace sinkscope::test;

namespace {
constexpr double kMaxMeanAbsNllDelta = 0.03;  // nats (docs/conformance.md)
constexpr double kMinArgmaxAgreement = 0.95;
constexpr int kTokens = 256;
}  // namespace

class TestLlamaCppConformance : public QObject {
  Q_OBJECT

  void requireLlamaCpp() {
    bool nodeMissing = false;
    const QString reason = llamaCppUnavailableReason(&nodeMissing);
    if (reason.isEmpty()) return;
    if (nodeMissing) QSKIP(qPrintable(reason));
    QFAIL(qPrintable(reason));
  }

  // Writes the model, checks it holds `expectedType`, then compares both implementations.
  void compare(const GeneratedLlamaShape& shape, const TensorTypePlan& plan, GgmlType expectedType) {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("model.gguf"));
    writeGeneratedLlama(path, shape, plan, 11);
    const auto counts = tensorTypeCounts(GgufFile(path));
    QVERIFY2(counts.count(ggmlTypeName(expectedType)) == 1,
             qPrintable(QStringLiteral("no %1 tensor").arg(ggmlTypeName(expectedType))));
    const Comparison comparison = compareWithLlamaCpp(path, randomTokens(kTokens, shape.vocab, 5));
    QVERIFY2(comparison.error.isEmpty(), qPrintable(comparison.error));
    const Agreement& a = comparison.agreement;
    qInfo("%s: %s", qPrintable(plan.describe()), qPrintable(a.describe()));
    QCOMPARE(a.positions, kTokens - 1);
    QVERIFY2(a.meanAbsNllDelta <= kMaxMeanAbsNllDelta, qPrintable(a.describe()));
    QVERIFY2(a.argmaxAgreement >= kMinArgmaxAgreement, qPrintable(a.describe()));
  }

 private slots:
  void initTestCase() { requireLlamaCpp(); }

  void everyMatrixOfOneType_data() {
    QTest::addColumn<quint32>("typeId");
    for (const TensorTypeTraits& traits : computableTensorTypes())
      QTest::newRow(traits.name) << quint32(traits.type);
  }
  // Row lengths 256 and 512: whole blocks for every type, so every matrix is of that type.
  void everyMatrixOfOneType() {
    QFETCH(quint32, typeId);
    const auto type = GgmlType(typeId);
    compare(GeneratedLlamaShape{}, TensorTypePlan::allMatrices(type), type);
  }

  // The mix of a downloaded Q4_K_M file; feed-forward width 640 is not a whole number of 256-blocks,
  // so ffn_down falls back to Q5_0 (and to Q8_0 in the layer that would get Q6_K).
  void q4KMMix() {
    GeneratedLlamaShape shape;
    shape.feedForward = 640;
    shape.layers = 3;
    compare(shape, TensorTypePlan::q4KM(), GgmlType::Q4_K);
  }
};

QTEST_GUILESS_MAIN(TestLlamaCppConformance)
#include "test_llamacpp_conformance.moc"
