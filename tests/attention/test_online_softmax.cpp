// The online softmax fed block by block against a direct softmax of the whole row computed
// independently in double: weights A_j = e^(l_j) / sum_k e^(l_k) and entropy -sum_j A_j ln A_j
// (docs/references.md section 5).
#include "TestSupport.h"
#include "attention/OnlineSoftmax.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <random>

using namespace sinkscope;

namespace {

struct DirectSoftmax {
  std::vector<double> weights;
  double entropy = 0;
};

DirectSoftmax directSoftmax(const std::vector<float>& logits) {
  const double maximum = double(*std::max_element(logits.begin(), logits.end()));
  DirectSoftmax out;
  double sum = 0;
  for (float l : logits) sum += std::exp(double(l) - maximum);
  for (float l : logits) {
    const double a = std::exp(double(l) - maximum) / sum;
    out.weights.push_back(a);
    if (a > 0) out.entropy -= a * std::log(a);
  }
  return out;
}

// Feeds the logits in blocks of the given sizes, rescaling the weights already absorbed whenever
// the maximum grows, and returns the normalised weights.
std::vector<double> onlineWeights(const std::vector<float>& logits, const std::vector<size_t>& blockSizes,
                                  OnlineSoftmax& softmax) {
  std::vector<float> values(logits);
  std::vector<double> unnormalised;
  std::vector<float> scratch;
  size_t start = 0;
  for (size_t i = 0; start < values.size(); ++i) {
    const size_t count = std::min(blockSizes[i % blockSizes.size()], values.size() - start);
    const double factor = softmax.absorbBlock(std::span<float>(values.data() + start, count), scratch);
    for (double& w : unnormalised) w *= factor;
    for (size_t j = start; j < start + count; ++j) unnormalised.push_back(double(values[j]));
    start += count;
  }
  for (double& w : unnormalised) w /= softmax.sum();
  return unnormalised;
}

std::vector<float> randomLogits(size_t count, float spread, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, spread);
  std::vector<float> logits(count);
  for (float& l : logits) l = normal(rng);
  return logits;
}

}  // namespace

class TestOnlineSoftmax : public QObject {
  Q_OBJECT
 private slots:
  void matchesDirectSoftmaxInBlocks_data() {
    QTest::addColumn<int>("count");
    QTest::addColumn<float>("spread");
    QTest::addColumn<int>("block");
    QTest::newRow("one block") << 300 << 2.f << 300;
    QTest::newRow("blocks of 7") << 300 << 2.f << 7;
    QTest::newRow("one key per block") << 50 << 5.f << 1;
    QTest::newRow("sharp row") << 1000 << 20.f << 64;
  }
  void matchesDirectSoftmaxInBlocks() {
    QFETCH(int, count);
    QFETCH(float, spread);
    QFETCH(int, block);
    const std::vector<float> logits = randomLogits(size_t(count), spread, unsigned(count + block));
    const DirectSoftmax direct = directSoftmax(logits);
    OnlineSoftmax softmax;
    const std::vector<double> online = onlineWeights(logits, {size_t(block)}, softmax);
    QCOMPARE(online.size(), direct.weights.size());
    for (size_t j = 0; j < online.size(); ++j) SINKSCOPE_COMPARE_NEAR(online[j], direct.weights[j], 1e-6);
    SINKSCOPE_COMPARE_NEAR(softmax.entropy(), direct.entropy, 1e-5);
    SINKSCOPE_COMPARE_NEAR(softmax.maximum(), *std::max_element(logits.begin(), logits.end()), 0.0);
  }

  // Logits that grow block after block: every block raises the maximum, so every earlier weight
  // is rescaled; logits of 1000 would overflow e^l without the shift.
  void risingMaximumAndLargeLogits() {
    std::vector<float> logits;
    for (int j = 0; j < 40; ++j) logits.push_back(1000.f + 0.25f * float(j) + (j % 3 == 0 ? 0.5f : 0.f));
    const DirectSoftmax direct = directSoftmax(logits);
    OnlineSoftmax softmax;
    const std::vector<double> online = onlineWeights(logits, {3, 5, 1}, softmax);
    for (size_t j = 0; j < online.size(); ++j) SINKSCOPE_COMPARE_NEAR(online[j], direct.weights[j], 1e-6);
    SINKSCOPE_COMPARE_NEAR(softmax.entropy(), direct.entropy, 1e-5);
  }

  // Equal logits: A_j = 1/n, H = ln n exactly; a single logit: A = 1, H = 0.
  void uniformAndSingleRows() {
    std::vector<float> equal(256, 3.5f);
    std::vector<float> scratch;
    OnlineSoftmax uniform;
    uniform.absorbBlock(equal, scratch);
    SINKSCOPE_COMPARE_NEAR(uniform.sum(), 256.0, 0.0);
    SINKSCOPE_COMPARE_NEAR(uniform.entropy(), std::log(256.0), 1e-12);
    std::vector<float> one{-7.f};
    OnlineSoftmax single;
    QCOMPARE(single.entropy(), 0.0);
    QCOMPARE(single.absorbBlock(one, scratch), 0.0);  // nothing absorbed before: the factor is 0
    QCOMPARE(one[0], 1.f);
    QCOMPARE(single.entropy(), 0.0);
  }

  // The maximum may be raised ahead of the logits (the forward pass knows it over sinks and
  // window first); weights then come out relative to it and the sums are the same.
  void maximumRaisedAhead() {
    const std::vector<float> logits = randomLogits(100, 3.f, 11);
    const DirectSoftmax direct = directSoftmax(logits);
    std::vector<float> first(logits.begin(), logits.begin() + 60), second(logits.begin() + 60, logits.end());
    std::vector<float> scratch;
    OnlineSoftmax softmax;
    QCOMPARE(softmax.raiseMaximum(*std::max_element(logits.begin(), logits.end())), 0.0);
    softmax.absorb(first, scratch);
    QCOMPARE(softmax.raiseMaximum(-100.0), 1.0);  // never lowered
    softmax.absorb(second, scratch);
    SINKSCOPE_COMPARE_NEAR(double(first[0]) / softmax.sum(), direct.weights[0], 1e-6);
    SINKSCOPE_COMPARE_NEAR(double(second[39]) / softmax.sum(), direct.weights[99], 1e-6);
    SINKSCOPE_COMPARE_NEAR(softmax.entropy(), direct.entropy, 1e-5);
  }
};

QTEST_APPLESS_MAIN(TestOnlineSoftmax)
#include "test_online_softmax.moc"
