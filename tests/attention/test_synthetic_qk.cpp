// The synthetic Q/K generator's documented statistics (docs/modelled-attention.md), measured
// from generated vectors rather than assumed: determinism, counter-based independence,
// content similarity against its closed form, the learnt BOS alignment and per-head variety.
#include "TestSupport.h"
#include "attention/AttentionProbe.h"
#include "attention/SyntheticQK.h"

#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

// Llama-2-like head: d = 128, b = 1e4, trained at 4096 (docs/references.md section 1 / 3).
TrainedPositions llama2Head(qint64 trained = 4096) {
  TrainedPositions t;
  t.headDim = 128;
  t.rotaryDim = 128;
  for (int p = 0; p < 64; ++p) t.invFreq.push_back(std::pow(10000.0, -2.0 * p / 128));
  t.logitScale = 1.0 / std::sqrt(128.0);
  t.trainedContext = trained;
  return t;
}

PositionalScheme trainedScheme(const TrainedPositions& t) {
  PositionalScheme s;
  s.kind = PositionalScheme::Kind::Rope;
  s.rope.rotaryDim = t.rotaryDim;
  s.rope.invFreq = t.invFreq;
  s.softmaxScale = t.logitScale;
  return s;
}

double dot(const float* a, const float* b, int n) {
  double sum = 0;
  for (int c = 0; c < n; ++c) sum += double(a[c]) * double(b[c]);
  return sum;
}

}  // namespace

class TestSyntheticQK : public QObject {
  Q_OBJECT
 private slots:
  void builtinConfigLoads() {
    const SyntheticQKConfig& c = SyntheticQKConfig::builtin();
    QVERIFY(c.segmentLengths.size() >= 2);
    QVERIFY(c.sinkLogitOffsetMax >= c.sinkLogitOffsetMin);
  }

  // Same seed, same vectors; key j does not depend on which block asked for it.
  void deterministicAndCounterBased() {
    const SyntheticQueryKeySource a(SyntheticQKConfig::builtin(), llama2Head(), 3, 5);
    const SyntheticQueryKeySource b(SyntheticQKConfig::builtin(), llama2Head(), 3, 5);
    std::vector<float> whole(600 * 128), part(50 * 128), again(600 * 128);
    a.keys(0, 600, whole.data());
    b.keys(0, 600, again.data());
    QCOMPARE(whole, again);
    b.keys(333, 50, part.data());
    QVERIFY(std::equal(part.begin(), part.end(), whole.begin() + 333 * 128));
    SyntheticQKConfig other = SyntheticQKConfig::builtin();
    other.seed += 1;
    const SyntheticQueryKeySource c(other, llama2Head(), 3, 5);
    c.keys(0, 600, again.data());
    QVERIFY(whole != again);
    // A far-away block (1M context) is generated without the keys before it.
    std::vector<float> far(4 * 128), farAgain(4 * 128);
    a.keys(1'048'570, 4, far.data());
    b.keys(1'048'572, 2, farAgain.data());
    QVERIFY(std::equal(farAgain.begin(), farAgain.begin() + 256, far.begin() + 256));
  }

  // Content similarity between a query at t and a key at t + d: its expectation is
  // contentNorm^2 * sum_s w_s^2 * max(0, 1 - d / len_s) (segments on a random grid), measured here
  // on unrotated vectors with the sink part removed.
  void contentSimilarityDecaysAsDocumented() {
    const SyntheticQKConfig& config = SyntheticQKConfig::builtin();
    const SyntheticQueryKeySource source(config, llama2Head(), 4, 1);
    const SyntheticHeadParameters& p = source.parameters();
    // The query sink part is the same for every query: estimate it as the mean over many queries.
    const int samples = 4000;
    std::vector<qint64> positions;
    for (int k = 0; k < samples; ++k) positions.push_back(10 + 97 * k);
    std::vector<float> queries(size_t(samples) * 128);
    source.queries(positions, queries.data());
    std::vector<double> mean(128, 0.0);
    for (int k = 0; k < samples; ++k)
      for (int c = 0; c < 128; ++c) mean[size_t(c)] += queries[size_t(k) * 128 + size_t(c)] / samples;
    std::vector<double> previous;
    for (qint64 distance : {qint64(1), qint64(16), qint64(200), qint64(1500), qint64(5000)}) {
      double sum = 0, sumSquares = 0;
      std::vector<float> key(128);
      for (int k = 0; k < samples; ++k) {
        source.keys(positions[size_t(k)] + distance, 1, key.data());
        double value = 0;
        for (int c = 0; c < 128; ++c)
          value += (double(queries[size_t(k) * 128 + size_t(c)]) - mean[size_t(c)]) * double(key[size_t(c)]);
        sum += value;
        sumSquares += value * value;
      }
      const double measured = sum / samples;
      const double spread =
          std::sqrt(sumSquares / samples - measured * measured) / std::sqrt(double(samples));
      double expected = 0;
      for (size_t s = 0; s < config.segmentLengths.size(); ++s)
        expected += p.segmentWeights[s] * p.segmentWeights[s] *
                    std::max(0.0, 1.0 - double(distance) / double(config.segmentLengths[s]));
      expected *= p.contentNorm * p.contentNorm;
      QVERIFY2(std::abs(measured - expected) < 4 * spread + 0.02 * p.contentNorm * p.contentNorm,
               qPrintable(QStringLiteral("distance %1: measured %2, expected %3 (+-%4)")
                              .arg(distance)
                              .arg(measured)
                              .arg(expected)
                              .arg(spread)));
      previous.push_back(expected);
    }
    QVERIFY(std::is_sorted(previous.rbegin(), previous.rend()));  // decays with distance
  }

  // meanPhasor against a direct sum.
  void meanPhasorClosedForm() {
    for (double theta : {1.0, 0.01, 1e-4, 2.5}) {
      std::complex<double> direct = 0;
      for (int d = 0; d < 777; ++d) direct += std::polar(1.0, d * theta);
      direct /= 777.0;
      const std::complex<double> closed = meanPhasor(theta, 777);
      QVERIFY2(std::abs(direct - closed) < 1e-12,
               qPrintable(QStringLiteral("theta %1: direct %2%3i, closed form %4%5i")
                              .arg(theta)
                              .arg(direct.real(), 0, 'g', 17)
                              .arg(direct.imag(), 0, 'g', 17, QLatin1Char(' '))
                              .arg(closed.real(), 0, 'g', 17)
                              .arg(closed.imag(), 0, 'g', 17, QLatin1Char(' '))));
    }
  }

  // The BOS logit averaged over trained query positions equals the head's drawn sinkLogit
  // (the alignment is built for exactly that), measured through RoPE with the probe's rotation.
  // Content is switched off so that only the sink part of the queries remains.
  void bosLogitMatchesDrawnStrengthInsideTraining() {
    const TrainedPositions trained = llama2Head();
    SyntheticQKConfig config = SyntheticQKConfig::builtin();
    config.contentLogitStdMin = config.contentLogitStdMax = 0;
    const SyntheticQueryKeySource source(config, trained, 6, 2);
    const PositionalScheme scheme = trainedScheme(trained);
    std::vector<float> bos(128);
    source.keys(0, 1, bos.data());
    std::vector<qint64> positions;
    for (qint64 t = 0; t < trained.trainedContext; ++t) positions.push_back(t);
    std::vector<float> queries(positions.size() * 128);
    source.queries(positions, queries.data());
    applyRope(scheme.rope, 128, positions, queries.data());
    double sum = 0;
    for (size_t r = 0; r < positions.size(); ++r) sum += dot(&queries[r * 128], bos.data(), 128);
    const double meanLogit = trained.logitScale * sum / double(positions.size());
    QVERIFY2(std::abs(meanLogit - source.parameters().sinkLogit) < 1e-3,
             qPrintable(QStringLiteral("%1 vs %2").arg(meanLogit).arg(source.parameters().sinkLogit)));
  }

  // In-distribution sink mass (documented calibration: about half of the attention of queries
  // at the trained context on the first token in all layers but the bottom two, StreamingLLM).
  void inDistributionSinkMassMeasured() {
    const TrainedPositions trained = llama2Head();
    const PositionalScheme scheme = trainedScheme(trained);
    std::vector<double> upper, bottom;
    for (int layer : {0, 1, 8, 16, 24, 31})
      for (int head = 0; head < 4; ++head) {
        const SyntheticQueryKeySource source(SyntheticQKConfig::builtin(), trained, layer, head);
        ProbeRequest request;
        request.contextTokens = trained.trainedContext;
        request.queryPositions = evenlySpacedQueries(trained.trainedContext, 8, trained.trainedContext / 2);
        const auto result = runAttentionProbe(source, scheme, request);
        double mean = 0;
        for (const RowMetrics& m : result.rows) mean += m.sinkMass1 / double(result.rows.size());
        (layer < 2 ? bottom : upper).push_back(mean);
      }
    std::sort(upper.begin(), upper.end());
    const double median = upper[upper.size() / 2];
    qInfo("in-distribution S_1, layers >= 2: min %.3f median %.3f max %.3f; bottom layers max %.3f",
          upper.front(), median, upper.back(), *std::max_element(bottom.begin(), bottom.end()));
    QVERIFY2(median >= 0.4 && median <= 0.9, qPrintable(QString::number(median)));
    QVERIFY(*std::max_element(bottom.begin(), bottom.end()) < median);
  }

  // Needle retrieval inside the trained context: rank 1 at every depth for the trained scheme.
  void needleRetrievedInsideTraining() {
    const TrainedPositions trained = llama2Head();
    const SyntheticQueryKeySource source(SyntheticQKConfig::builtin(), trained, 10, 3);
    ProbeRequest request;
    request.contextTokens = trained.trainedContext;
    request.queryPositions = {trained.trainedContext - 1};
    request.needleDepths = {0.1, 0.5, 0.9};
    const auto result = runAttentionProbe(source, trainedScheme(trained), request);
    for (const NeedleResult& n : result.needles) {
      qInfo("needle depth %.2f weight %.3f rank %lld", n.depth, n.weight, n.rank);
      QCOMPARE(n.rank, qint64(1));
    }
  }

  void headsDiffer() {
    const SyntheticQueryKeySource a(SyntheticQKConfig::builtin(), llama2Head(), 5, 0);
    const SyntheticQueryKeySource b(SyntheticQKConfig::builtin(), llama2Head(), 5, 1);
    QVERIFY(a.parameters().sinkLogit != b.parameters().sinkLogit);
    QVERIFY(a.parameters().locality != b.parameters().locality);
  }

  void rejectsInconsistentHead() {
    TrainedPositions t = llama2Head();
    t.rotaryDim = 130;
    QVERIFY_THROWS_EXCEPTION(std::exception, SyntheticQueryKeySource(SyntheticQKConfig::builtin(), t, 0, 0));
  }
};

QTEST_APPLESS_MAIN(TestSyntheticQK)
#include "test_synthetic_qk.moc"
