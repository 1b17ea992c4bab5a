// Tests of the tokenizer, the Llama forward pass and its attention capture: the batched pass
// against the plain one-token-at-a-time reference, metrics against closed forms, and the real
// stories260K checks of docs/references.md section 8.
#include "TestSupport.h"
#include "TinyModel.h"
#include "attention/HeatmapBins.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/ForwardPass.h"
#include "inference/LlamaModel.h"
#include "inference/ReferenceForward.h"
#include "inference/Tokenizer.h"

#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

RopeSchedule baselineSchedule(const LlamaModel& model) {
  return computeRopeSchedule(ropeParametersForGguf(model.hyper(), 0));
}

// NLL of every next token from the plain reference decoder.
std::vector<double> referenceNll(const LlamaModel& model, const RopeSchedule& schedule,
                                 const std::vector<int>& tokens, KvPolicy policy,
                                 std::vector<int>* argmax = nullptr) {
  IncrementalForward decoder(model, schedule, policy, qint64(tokens.size()));
  std::vector<double> nll;
  for (size_t p = 0; p < tokens.size(); ++p) {
    const std::vector<float> logits = decoder.step(tokens[p]);
    const float maximum = *std::max_element(logits.begin(), logits.end());
    if (argmax) argmax->push_back(int(std::max_element(logits.begin(), logits.end()) - logits.begin()));
    if (p + 1 == tokens.size()) break;
    double z = 0;
    for (float l : logits) z += std::exp(double(l - maximum));
    nll.push_back(double(maximum) + std::log(z) - double(logits[size_t(tokens[p + 1])]));
  }
  return nll;
}

std::vector<int> randomTokens(int count, int vocab, quint32 seed) {
  QRandomGenerator random(seed);
  std::vector<int> tokens{1};
  while (int(tokens.size()) < count) tokens.push_back(int(random.bounded(3, vocab)));
  return tokens;
}

void compareWithReference(const LlamaModel& model, const std::vector<int>& tokens, KvPolicy policy, int chunk,
                          double tolerance) {
  ForwardOptions options;
  options.schedule = baselineSchedule(model);
  options.kvPolicy = policy;
  options.chunkTokens = chunk;
  const ForwardResult batched = runForward(model, tokens, options);
  std::vector<int> argmax;
  const std::vector<double> reference = referenceNll(model, options.schedule, tokens, policy, &argmax);
  QCOMPARE(batched.nll.size(), reference.size());
  double worst = 0;
  for (size_t p = 0; p < reference.size(); ++p)
    worst = std::max(worst, std::fabs(double(batched.nll[p]) - reference[p]));
  QVERIFY2(worst < tolerance, qPrintable(QStringLiteral("largest NLL difference %1").arg(worst)));
  int argmaxAgreement = 0;
  for (size_t p = 0; p < argmax.size(); ++p) argmaxAgreement += argmax[p] == batched.argmax[p];
  QVERIFY(argmaxAgreement >= int(argmax.size()) - 1);  // a near-tie may flip in float
}

}  // namespace

class TestLlamaForward : public QObject {
  Q_OBJECT

 private slots:
  // ---- tokenizer on a synthetic vocabulary (merge order by score, byte fallback) ----
  void tokenizerMergesByHighestScore() {
    const GgufFile file(test::tinyModelBytes(), QStringLiteral("tiny.gguf"));
    const SentencePieceTokenizer tokenizer = SentencePieceTokenizer::fromGguf(file);
    const int first = 3 + 256;  // ▁ a b c ▁a ab ▁ab bc
    // "▁abc": candidate pairs ▁a (-2), ab (-1), bc (-0.5): bc merges first, then ▁a; "▁abc" is
    // not a piece, so the result is [▁a, bc].
    QCOMPARE(tokenizer.encode(QStringLiteral("abc")), (std::vector<int>{1, first + 4, first + 7}));
    // "▁ab": ab (-1) beats ▁a (-2), then ▁ + ab -> ▁ab (-3).
    QCOMPARE(tokenizer.encode(QStringLiteral("ab")), (std::vector<int>{1, first + 6}));
    // é (C3 A9) is not a piece: byte fallback to <0xC3> <0xA9>, after the ▁ piece.
    QCOMPARE(tokenizer.encode(QStringLiteral("é"), false), (std::vector<int>{first, 3 + 0xC3, 3 + 0xA9}));
    QCOMPARE(tokenizer.decode(tokenizer.encode(QStringLiteral("ab é abc"))), QStringLiteral("ab é abc"));
  }

  void tokenIdsParse() {
    QCOMPARE(parseTokenIds("1 403\n407, 261\t378\n", QStringLiteral("ids.txt"), 512),
             (std::vector<int>{1, 403, 407, 261, 378}));
    QVERIFY_THROWS_EXCEPTION(Error, parseTokenIds("1 512", QStringLiteral("ids.txt"), 512));
    QVERIFY_THROWS_EXCEPTION(Error, parseTokenIds("1 x", QStringLiteral("ids.txt"), 512));
    QVERIFY_THROWS_EXCEPTION(Error, parseTokenIds("  ", QStringLiteral("ids.txt"), 512));
  }

  void refusesOtherTokenizersAndArchitectures() {
    GgufWriter writer;
    writer.addString(QStringLiteral("general.architecture"),
                     QStringLiteral("mamba"));  // not a decoder measured mode runs
    writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("gpt2"));
    const GgufFile file(writer.toBytes(), QStringLiteral("q.gguf"));
    try {
      (void)SentencePieceTokenizer::fromGguf(file);
      QFAIL("no error");
    } catch (const Error& error) {
      QVERIFY(error.describe().contains(QStringLiteral("tokenizer.ggml.model")));
    }
    try {
      (void)LlamaModel::load(file);
      QFAIL("no error");
    } catch (const Error& error) {
      QVERIFY2(error.describe().contains(QStringLiteral("general.architecture")),
               qPrintable(error.describe()));
    }
  }

  // ---- the batched pass against the reference decoder, on a random tiny model ----
  void batchedMatchesReferenceFullCache() {
    for (bool tied : {false, true}) {
      test::TinyModelShape shape;
      shape.tiedOutput = tied;
      const GgufFile file(test::tinyModelBytes(shape), QStringLiteral("tiny.gguf"));
      const LlamaModel model = LlamaModel::load(file);
      QCOMPARE(model.hyper().tiedOutput, tied);
      compareWithReference(model, randomTokens(150, model.hyper().vocabSize, 3), KvPolicy{}, 32, 2e-4);
      compareWithReference(model, randomTokens(70, model.hyper().vocabSize, 4), KvPolicy{}, 256, 2e-4);
    }
  }

  void batchedMatchesReferenceWindowAndStreaming() {
    const GgufFile file(test::tinyModelBytes(), QStringLiteral("tiny.gguf"));
    const LlamaModel model = LlamaModel::load(file);
    const std::vector<int> tokens = randomTokens(130, model.hyper().vocabSize, 5);
    compareWithReference(model, tokens, KvPolicy{KvPolicy::Kind::Window, 0, 20}, 16, 2e-4);
    compareWithReference(model, tokens, KvPolicy{KvPolicy::Kind::SinksAndWindow, 4, 20}, 16, 2e-4);
    compareWithReference(model, tokens, KvPolicy{KvPolicy::Kind::SinksAndWindow, 2, 37}, 50, 2e-4);
  }

  // The same random weights stored as F16 and Q8_0 give nearly the same losses as F32: the
  // dequantisation feeds the model correctly (Q8_0 steps are max|w| / 127 per 32 weights).
  void quantisedWeightsGiveNearlyTheSameLoss() {
    test::TinyModelShape shape;
    shape.embedding = 32;
    shape.heads = 4;
    shape.kvHeads = 2;
    shape.feedForward = 64;
    const std::vector<int> tokens = randomTokens(80, 267, 9);
    std::vector<float> meanNll;
    for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::Q8_0}) {
      shape.type = type;
      const GgufFile file(test::tinyModelBytes(shape), QStringLiteral("typed.gguf"));
      QCOMPARE(file.tensor(QStringLiteral("blk.0.attn_q.weight")).type, type);
      const LlamaModel model = LlamaModel::load(file);
      ForwardOptions options;
      options.schedule = baselineSchedule(model);
      const ForwardResult result = runForward(model, tokens, options);
      double sum = 0;
      for (float nll : result.nll) sum += nll;
      meanNll.push_back(float(sum / double(result.nll.size())));
    }
    QVERIFY2(std::fabs(meanNll[1] - meanNll[0]) < 0.01, qPrintable(QString::number(meanNll[1] - meanNll[0])));
    QVERIFY2(std::fabs(meanNll[2] - meanNll[0]) < 0.05, qPrintable(QString::number(meanNll[2] - meanNll[0])));
  }

  // With zero query weights every score is 0, so attention is uniform over the keys a query sees:
  // A_i0 = 1/(i+1), normalised entropy 1 (closed forms, docs/references.md section 5).
  void uniformAttentionMetricsMatchClosedForms() {
    test::TinyModelShape shape;
    shape.zeroQueries = true;
    const GgufFile file(test::tinyModelBytes(shape), QStringLiteral("uniform.gguf"));
    const LlamaModel model = LlamaModel::load(file);
    const int n = 100;
    const std::vector<int> tokens = randomTokens(n, model.hyper().vocabSize, 6);
    ForwardOptions options;
    options.schedule = baselineSchedule(model);
    options.chunkTokens = 16;
    options.trainedContext = 40;
    options.heatmapRows = {0, 10, 99, 500};
    const ForwardResult full = runForward(model, tokens, options);
    double sink1 = 0, sink4 = 0, inside = 0, beyond = 0;
    for (int i = 1; i < n; ++i) (i < 40 ? inside : beyond) += 1.0 / (i + 1), sink1 += 1.0 / (i + 1);
    for (int i = 4; i < n; ++i) sink4 += 4.0 / (i + 1);
    QCOMPARE(full.heads.size(), size_t(model.hyper().layers * model.hyper().heads));
    for (const HeadAttentionMetrics& m : full.heads) {
      SINKSCOPE_COMPARE_NEAR(m.meanSinkMass1, sink1 / (n - 1), 1e-5);
      SINKSCOPE_COMPARE_NEAR(m.meanSinkMass4, sink4 / (n - 4), 1e-5);
      SINKSCOPE_COMPARE_NEAR(m.lastSinkMass1, 1.0 / n, 1e-6);
      SINKSCOPE_COMPARE_NEAR(m.meanNormalizedEntropy, 1.0, 1e-5);
      SINKSCOPE_COMPARE_NEAR(m.meanSinkMass1Inside, inside / 39, 1e-5);
      SINKSCOPE_COMPARE_NEAR(m.meanSinkMass1Beyond, beyond / 60, 1e-5);
      QCOMPARE(m.heatmap.rows(), 3);  // position 500 lies beyond the text
      QCOMPARE(m.heatmap.exactKeyColumns, 4);
      QCOMPARE(m.heatmap.binStart,
               heatmapBinStarts(n, options.heatmapBins, 4));  // the modelled heatmaps' bins
      for (int row = 0; row < 3; ++row) {
        double total = 0;
        for (int bin = 0; bin < m.heatmap.bins(); ++bin) total += m.heatmap.at(row, bin);
        SINKSCOPE_COMPARE_NEAR(total, 1.0, 1e-5);
      }
      SINKSCOPE_COMPARE_NEAR(m.heatmap.at(1, 0), 1.0 / 11, 1e-6);   // query 10, key 0
      SINKSCOPE_COMPARE_NEAR(m.heatmap.at(2, 3), 1.0 / 100, 1e-6);  // query 99, key 3
    }
    QCOMPARE(full.sinkRate(0.3), 0.0);
    QCOMPARE(full.sinkRate(0.01), 1.0);  // alpha_1 ~ 0.05 here

    // Streaming 4 + 16: once the cache (20) is full, A_i0 = 1/20; window-only 20: A_i0 = 0.
    options.kvPolicy = KvPolicy{KvPolicy::Kind::SinksAndWindow, 4, 16};
    const ForwardResult streaming = runForward(model, tokens, options);
    SINKSCOPE_COMPARE_NEAR(streaming.heads[0].lastSinkMass1, 1.0 / 20, 1e-6);
    SINKSCOPE_COMPARE_NEAR(streaming.heads[0].lastSinkMass4, 4.0 / 20, 1e-6);
    SINKSCOPE_COMPARE_NEAR(streaming.heads[0].meanNormalizedEntropy, 1.0, 1e-5);
    options.kvPolicy = KvPolicy{KvPolicy::Kind::Window, 0, 20};
    const ForwardResult window = runForward(model, tokens, options);
    QCOMPARE(window.heads[0].lastSinkMass1, 0.0);
    SINKSCOPE_COMPARE_NEAR(window.heads[0].meanNormalizedEntropy, 1.0, 1e-5);
  }

  // A cancelled pass throws Cancelled, an outcome of its own, not an Error (which meant exit 4).
  void reportsCancellation() {
    const GgufFile file(test::tinyModelBytes(), QStringLiteral("tiny.gguf"));
    const LlamaModel model = LlamaModel::load(file);
    ForwardOptions options;
    options.schedule = baselineSchedule(model);
    options.isCancelled = [] { return true; };
    QVERIFY_THROWS_EXCEPTION(Cancelled, runForward(model, randomTokens(40, 200, 1), options));
  }

  // ---- the real model (docs/references.md section 8) ----
  void realModelTokenizes() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(path);
    const GgufFile file(path);
    const SentencePieceTokenizer tokenizer = SentencePieceTokenizer::fromGguf(file);
    QCOMPARE(tokenizer.encode(QStringLiteral("Once upon a time")), (std::vector<int>{1, 403, 407, 261, 378}));
    QCOMPARE(tokenizer.decode({1, 403, 407, 261, 378}), QStringLiteral("Once upon a time"));
  }

  void realModelGreedyContinuation() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(path);
    const GgufFile file(path);
    const SentencePieceTokenizer tokenizer = SentencePieceTokenizer::fromGguf(file);
    const LlamaModel model = LlamaModel::load(file);
    const QString expected = QStringLiteral(
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
        "One day, she saw a big, red ball. She wanted to play with it, but it was too high.");
    const std::vector<int> ids = greedyDecode(model, baselineSchedule(model),
                                              tokenizer.encode(QStringLiteral("Once upon a time")), 60);
    const QString text = tokenizer.decode(ids);
    QVERIFY2(text.startsWith(expected), qPrintable(text));
  }

  void realModelBatchedMatchesReference() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(path);
    const GgufFile file(path);
    const LlamaModel model = LlamaModel::load(file);
    const SentencePieceTokenizer tokenizer = SentencePieceTokenizer::fromGguf(file);
    std::vector<int> tokens =
        greedyDecode(model, baselineSchedule(model), tokenizer.encode(QStringLiteral("Tom had a dog")), 150);
    compareWithReference(model, tokens, KvPolicy{}, 64, 5e-4);
    compareWithReference(model, tokens, KvPolicy{KvPolicy::Kind::SinksAndWindow, 4, 60}, 64, 5e-4);
  }
};

QTEST_GUILESS_MAIN(TestLlamaForward)
#include "test_llama_forward.moc"
