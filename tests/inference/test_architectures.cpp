// Tests of the architecture traits as the loader reads them and the forward pass applies them:
// which layers slide and the softcaps' defaults against llama.cpp's src/models/gemma2.cpp and
// gemma3.cpp and the Gemma reports (docs/measured-mode.md, Architectures), fused tensors viewed
// as row blocks, and the captured attention being the one the model computes (inside the window,
// after the softcap). Agreement with llama.cpp itself: tests/conformance.
#include "GeneratedLlama.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/ForwardPass.h"
#include "inference/LlamaModel.h"
#include "inference/ReferenceForward.h"

#include <QtTest>

using namespace sinkscope;
using namespace sinkscope::test;

namespace {

GeneratedLlamaShape tinyShape(const char* architecture, int layers) {
  GeneratedLlamaShape shape;
  shape.architecture = QString::fromLatin1(architecture);
  shape.embedding = 64;
  shape.heads = 2;
  shape.kvHeads = 1;
  shape.feedForward = 64;
  shape.layers = layers;
  shape.vocab = 260;
  return shape;
}

GgufFile generated(const GeneratedLlamaShape& shape, GgmlType type = GgmlType::F32) {
  return GgufFile(generatedLlamaBytes(shape, TensorTypePlan::allMatrices(type), 5),
                  QStringLiteral("generated.gguf"));
}

std::vector<bool> slidingLayers(const LlamaHyperparameters& h) {
  std::vector<bool> sliding;
  for (int l = 0; l < h.layers; ++l) sliding.push_back(h.slides(l));
  return sliding;
}

std::vector<int> someTokens(int count) {
  std::vector<int> tokens;
  for (int i = 0; i < count; ++i) tokens.push_back(3 + (i * 37) % 250);
  return tokens;
}

ForwardOptions optionsFor(const LlamaModel& model) {
  ForwardOptions options;
  options.schedule = computeRopeSchedule(ropeParametersForGguf(model.hyper(), 0));
  return options;
}

}  // namespace

class TestArchitectures : public QObject {
  Q_OBJECT

 private slots:
  // Gemma 2 alternates local and global layers, the first local (Gemma Team 2024,
  // arXiv:2408.00118 section 2; llama.cpp set_swa_pattern(2)); its window defaults to 4096.
  void gemma2AlternatesFromLayerZero() {
    const LlamaHyperparameters h = LlamaModel::readHyperparameters(generated(tinyShape("gemma2", 4)));
    QCOMPARE(h.slidingWindow, qint64(4096));
    QCOMPARE(slidingLayers(h), (std::vector<bool>{true, false, true, false}));
  }

  // Gemma 3: five local layers to one global (Gemma Team 2025, arXiv:2503.19786 section 2.2),
  // local RoPE base 10,000; without attention.sliding_window llama.cpp slides no layer.
  void gemma3SlidesFiveOfSix() {
    GeneratedLlamaShape shape = tinyShape("gemma3", 12);
    shape.slidingWindow = 512;
    const LlamaHyperparameters h = LlamaModel::readHyperparameters(generated(shape));
    std::vector<bool> expected(12, true);
    expected[5] = expected[11] = false;
    QCOMPARE(slidingLayers(h), expected);
    QCOMPARE(h.localRopeTheta, 10000.0);
    shape.slidingWindow = 0;
    QCOMPARE(slidingLayers(LlamaModel::readHyperparameters(generated(shape))), std::vector<bool>(12, false));
  }

  // Mistral-style llama files keep full attention (llama.cpp's llama graph has no window).
  void llamaNeverSlides() {
    GeneratedLlamaShape shape = tinyShape("llama", 2);
    shape.slidingWindow = 16;
    QCOMPARE(slidingLayers(LlamaModel::readHyperparameters(generated(shape))), std::vector<bool>(2, false));
  }

  // Gemma 2's published caps (config.json of google/gemma-2-9b: attn_logit_softcapping 50.0,
  // final_logit_softcapping 30.0) when the file has no key; Gemma 3 has none.
  void softcapDefaults() {
    const LlamaHyperparameters gemma2 = LlamaModel::readHyperparameters(generated(tinyShape("gemma2", 2)));
    QCOMPARE(gemma2.attentionSoftcap, 50.0);
    QCOMPARE(gemma2.finalSoftcap, 30.0);
    const LlamaHyperparameters gemma3 = LlamaModel::readHyperparameters(generated(tinyShape("gemma3", 2)));
    QCOMPARE(gemma3.attentionSoftcap, 0.0);
    QCOMPARE(gemma3.finalSoftcap, 0.0);
  }

  // Gemma 2 27B scales queries by 1/sqrt(E / H) = 1/sqrt(4608 / 32) = 1/12, not by 1/sqrt(128)
  // (gemma_pytorch config.py query_pre_attn_scalar 144); here E / H = 64 / 4 = 16 with key length 32.
  void gemma2WideQueryScaleAt46Layers() {
    GeneratedLlamaShape shape = tinyShape("gemma2", 46);
    shape.heads = 4;
    shape.headDim = 32;
    QCOMPARE(LlamaModel::readHyperparameters(generated(shape)).queryScale, 0.25);
    shape.layers = 26;
    QCOMPARE(LlamaModel::readHyperparameters(generated(shape)).queryScale, 0.0);
  }

  // phi3's attn_qkv and ffn_up are viewed as consecutive row blocks of the file's tensor.
  void phi3FusedTensorsAreRowBlocks() {
    const GgufFile file = generated(tinyShape("phi3", 1), GgmlType::F16);
    const LlamaModel model = LlamaModel::load(file);
    const LlamaLayer& layer = model.layers()[0];
    const std::byte* qkv = file.tensorBytes(file.tensor(QStringLiteral("blk.0.attn_qkv.weight"))).data();
    const qint64 rowBytes = 64 * 2;  // F16 rows of E = 64
    QCOMPARE(layer.query.data, qkv);
    QCOMPARE(layer.key.data, qkv + 64 * rowBytes);  // after H * headDim = 64 query rows
    QCOMPARE(layer.value.data, qkv + 96 * rowBytes);
    QCOMPARE(layer.value.rows, qint64(32));
    const std::byte* up = file.tensorBytes(file.tensor(QStringLiteral("blk.0.ffn_up.weight"))).data();
    QCOMPARE(layer.gate.data, up);
    QCOMPARE(layer.up.data, up + 64 * rowBytes);
  }

  // The batched pass against the one-token-at-a-time reference decoder (ReferenceForward.h) on
  // every architecture, each shaped so that its differences matter, with a window shorter than
  // the text and chunks that cut it: the same NLL to 2e-4 nats (as test_llama_forward for llama).
  void batchedMatchesReference_data() {
    QTest::addColumn<QString>("architecture");
    for (const char* name : {"llama", "qwen2", "qwen3", "phi3", "gemma2", "gemma3"})
      QTest::newRow(name) << QString::fromLatin1(name);
  }
  void batchedMatchesReference() {
    QFETCH(QString, architecture);
    GeneratedLlamaShape shape =
        tinyShape(qPrintable(architecture), architecture == QLatin1String("gemma3") ? 6 : 2);
    shape.queryKeyGain = 3.0;
    shape.ropeFrequencyFactors = architecture == QLatin1String("llama");
    shape.tiedOutput = true;
    shape.slidingWindow = 20;
    shape.attentionSoftcap = 4.0;
    shape.finalSoftcap = 2.0;
    shape.ropeBase = 100000.0;
    const GgufFile file = generated(shape);
    const LlamaModel model = LlamaModel::load(file);
    const std::vector<int> tokens = someTokens(70);
    ForwardOptions options = optionsFor(model);
    options.chunkTokens = 16;
    const ForwardResult batched = runForward(model, tokens, options);
    IncrementalForward reference(model, options.schedule, KvPolicy{}, qint64(tokens.size()));
    double worst = 0;
    for (size_t p = 0; p + 1 < tokens.size(); ++p) {
      const std::vector<float> logits = reference.step(tokens[p]);
      const float maximum = *std::max_element(logits.begin(), logits.end());
      double sum = 0;
      for (float logit : logits) sum += std::exp(double(logit - maximum));
      const double nll = double(maximum) + std::log(sum) - double(logits[size_t(tokens[p + 1])]);
      worst = std::max(worst, std::fabs(nll - double(batched.nll[p])));
    }
    QVERIFY2(worst < 2e-4, qPrintable(QStringLiteral("largest |dNLL| %1 nats").arg(worst)));
  }

  // "config" windows (vLLM's reading of a config's sliding_window): a llama model run with a
  // window of 12 on every layer gives the reference decoder's NLL under a 12-key window cache.
  void configWindowSlidesEveryLayerWithoutOne() {
    const GgufFile file = generated(tinyShape("llama", 2));
    const LlamaModel model = LlamaModel::load(file);
    const std::vector<int> tokens = someTokens(50);
    ForwardOptions options = optionsFor(model);
    options.configSlidingWindow = 12;
    options.chunkTokens = 16;
    const ForwardResult batched = runForward(model, tokens, options);
    const ForwardResult full = runForward(model, tokens, optionsFor(model));
    IncrementalForward reference(model, options.schedule, KvPolicy{KvPolicy::Kind::Window, 0, 12},
                                 qint64(tokens.size()));
    double worst = 0, changed = 0;
    for (size_t p = 0; p + 1 < tokens.size(); ++p) {
      const std::vector<float> logits = reference.step(tokens[p]);
      const float maximum = *std::max_element(logits.begin(), logits.end());
      double sum = 0;
      for (float logit : logits) sum += std::exp(double(logit - maximum));
      const double nll = double(maximum) + std::log(sum) - double(logits[size_t(tokens[p + 1])]);
      worst = std::max(worst, std::fabs(nll - double(batched.nll[p])));
      changed = std::max(changed, std::fabs(double(full.nll[p]) - double(batched.nll[p])));
    }
    QVERIFY2(worst < 2e-4, qPrintable(QStringLiteral("largest |dNLL| %1 nats").arg(worst)));
    QVERIFY2(changed > 1e-3, "the window changed nothing");
  }

  // A sliding layer's captured attention lies inside its window; the global layer's does not.
  void capturedAttentionStaysInsideTheWindow() {
    GeneratedLlamaShape shape = tinyShape("gemma2", 2);
    shape.slidingWindow = 8;
    const GgufFile file = generated(shape);
    const LlamaModel model = LlamaModel::load(file);
    ForwardOptions options = optionsFor(model);
    options.heatmapRows = {40};
    const ForwardResult result = runForward(model, someTokens(48), options);
    for (const HeadAttentionMetrics& m : result.heads) {
      double earlyMass = 0;  // keys 0..3, the exact columns
      for (int bin = 0; bin < 4; ++bin) earlyMass += m.heatmap.mass[size_t(bin)];
      if (m.layer == 0) {
        QCOMPARE(earlyMass, 0.0);
        QVERIFY(m.meanSinkMass1 < 8.0 / 48);  // only queries 1..7 can see key 0
      } else {
        QVERIFY2(earlyMass > 1e-4, qPrintable(QString::number(earlyMass)));
      }
    }
  }

  // The captured softmax is taken after the attention softcap: a cap of 0.01 flattens every score
  // to within 0.01 of 0, so attention is uniform (normalised entropy 1), which sharpened q/k are not.
  void capturedAttentionIsAfterTheSoftcap() {
    GeneratedLlamaShape shape = tinyShape("gemma2", 2);
    shape.slidingWindow = 4096;
    shape.queryKeyGain = 6.0;
    auto entropyWithCap = [&](double cap) {
      shape.attentionSoftcap = cap;
      const GgufFile file = generated(shape);
      const LlamaModel model = LlamaModel::load(file);
      const ForwardResult result = runForward(model, someTokens(48), optionsFor(model));
      double lowest = 1;
      for (const HeadAttentionMetrics& m : result.heads) lowest = std::min(lowest, m.meanNormalizedEntropy);
      return lowest;
    };
    QVERIFY(entropyWithCap(0.01) > 0.9999);
    QVERIFY(entropyWithCap(1000.0) < 0.99);
  }
};

QTEST_GUILESS_MAIN(TestArchitectures)
#include "test_architectures.moc"
