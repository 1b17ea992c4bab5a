// Conformance with llama.cpp for every architecture measured mode runs beyond the plain llama
// graph (docs/measured-mode.md, Architectures): a random-weight model of each, written with
// llama.cpp's tensor and key names, is measured by SinkScope and by llama.cpp (node-llama-cpp
// 3.21.1); per-position NLL must agree to a mean |delta| <= 0.03 nats and the argmax at >= 95 %
// of positions (docs/conformance.md). Each model is shaped so that its differences matter: q/k
// weights sharpened (so RoPE layout, q/k norms and softcaps change the scores), softcaps small
// enough to bend, sliding windows shorter than the text.
#include "GeneratedLlama.h"
#include "LlamaCppConformance.h"
#include "gguf/GgufFile.h"
#include "inference/LlamaModel.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope;
using namespace sinkscope::test;

namespace {
constexpr double kMaxMeanAbsNllDelta = 0.03;  // nats (docs/conformance.md)
constexpr double kMinArgmaxAgreement = 0.95;
constexpr int kTokens = 96;

GeneratedLlamaShape smallShape(const char* architecture) {
  GeneratedLlamaShape shape;
  shape.architecture = QString::fromLatin1(architecture);
  shape.embedding = 128;
  shape.heads = 4;
  shape.kvHeads = 2;
  shape.feedForward = 256;
  shape.layers = 2;
  shape.vocab = 512;
  shape.queryKeyGain = 2.0;
  return shape;
}
}  // namespace

class TestArchitectureConformance : public QObject {
  Q_OBJECT

  void compare(const GeneratedLlamaShape& shape, const TensorTypePlan& plan) {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("model.gguf"));
    writeGeneratedLlama(path, shape, plan, 17);
    QCOMPARE(LlamaModel::readHyperparameters(GgufFile(path)).architecture, shape.architecture);
    const Comparison comparison = compareWithLlamaCpp(path, randomTokens(kTokens, shape.vocab, 9));
    QVERIFY2(comparison.error.isEmpty(), qPrintable(comparison.error));
    const Agreement& a = comparison.agreement;
    qInfo("%s (%s): %s", qPrintable(shape.architecture), qPrintable(plan.describe()),
          qPrintable(a.describe()));
    QCOMPARE(a.positions, kTokens - 1);
    QVERIFY2(a.meanAbsNllDelta <= kMaxMeanAbsNllDelta, qPrintable(a.describe()));
    QVERIFY2(a.argmaxAgreement >= kMinArgmaxAgreement, qPrintable(a.describe()));
  }

 private slots:
  void initTestCase() {
    bool nodeMissing = false;
    const QString reason = llamaCppUnavailableReason(&nodeMissing);
    if (reason.isEmpty()) return;
    if (nodeMissing) QSKIP(qPrintable(reason));
    QFAIL(qPrintable(reason));
  }

  // Llama 3.2 / SmolLM: rope_freqs.weight divisors and no output.weight.
  void llamaWithRopeFreqsAndTiedOutput() {
    GeneratedLlamaShape shape = smallShape("llama");
    shape.ropeFrequencyFactors = true;
    shape.tiedOutput = true;
    shape.ropeBase = 500000.0;
    compare(shape, TensorTypePlan::allMatrices(GgmlType::F32));
  }

  void qwen2() { compare(smallShape("qwen2"), TensorTypePlan::allMatrices(GgmlType::F32)); }

  void qwen3() {
    GeneratedLlamaShape shape = smallShape("qwen3");
    shape.queryKeyGain = 4.0;  // the q/k norms undo it; without them the scores would be 16x
    compare(shape, TensorTypePlan::allMatrices(GgmlType::F32));
  }

  // Fused attn_qkv and ffn_up in F16: the row blocks are views into encoded rows.
  void phi3() { compare(smallShape("phi3"), TensorTypePlan::allMatrices(GgmlType::F16)); }

  // Phi-3.5-style LongRoPE: 96 tokens past an original context of 64 use the long factors, within
  // 4,096 the short ones; both with attn_factor sqrt(1 + ln 32 / ln 4096) as the converter writes.
  void phi3LongRope_data() {
    QTest::addColumn<int>("originalContext");
    QTest::newRow("long factors") << 64;
    QTest::newRow("short factors") << 4096;
  }
  void phi3LongRope() {
    QFETCH(int, originalContext);
    GeneratedLlamaShape shape = smallShape("phi3");
    shape.longRopeOriginalContext = originalContext;
    shape.ropeAttentionFactor = std::sqrt(1 + std::log(32.0) / std::log(4096.0));
    compare(shape, TensorTypePlan::allMatrices(GgmlType::F32));
  }

  void gemma2() {
    GeneratedLlamaShape shape = smallShape("gemma2");
    shape.slidingWindow = 24;      // layer 0 slides, layer 1 is global
    shape.attentionSoftcap = 3.0;  // scores of a few units are bent, not clipped
    shape.finalSoftcap = 1.5;
    compare(shape, TensorTypePlan::allMatrices(GgmlType::F32));
  }

  // Six layers: five sliding with base 10,000, the sixth global with the file's base; key length
  // 64 with four heads of a 128-wide model (Q is 256 wide).
  void gemma3() {
    GeneratedLlamaShape shape = smallShape("gemma3");
    shape.layers = 6;
    shape.headDim = 64;
    shape.slidingWindow = 24;
    shape.ropeBase = 1000000.0;
    compare(shape, TensorTypePlan::allMatrices(GgmlType::F32));
  }
};

QTEST_GUILESS_MAIN(TestArchitectureConformance)
#include "test_architecture_conformance.moc"
