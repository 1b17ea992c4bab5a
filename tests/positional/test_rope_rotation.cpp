// Tests of the RoPE rotation: norms kept, logits depend only on relative position, the attention
// factor scales logits by its square, and both pair layouts rotate the same pairs (docs/references.md 1).
#include "TestSupport.h"
#include "common/Error.h"
#include "positional/RopeRotation.h"

#include <QtTest>
#include <cmath>
#include <numeric>
#include <random>

using namespace sinkscope;

namespace {

RopeSchedule schedule(RopePairLayout layout, double partial = 1.0) {
  RopeParameters params;
  params.theta = 10000.0;
  params.headDim = 16;
  params.partialRotaryFactor = partial;
  params.layout = layout;
  return computeRopeSchedule(params);
}

std::vector<double> randomVector(size_t size, unsigned seed) {
  std::mt19937 engine(seed);
  std::normal_distribution<double> normal;
  std::vector<double> values(size);
  for (double& value : values) value = normal(engine);
  return values;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

std::vector<double> rotated(std::vector<double> vector, const RopeSchedule& s, double position) {
  applyRope(std::span<double>(vector), s, position);
  return vector;
}

}  // namespace

class TestRopeRotation : public QObject {
  Q_OBJECT

 private slots:
  void keepsNorms();
  void logitsDependOnRelativePositionOnly();
  void attentionFactorScalesLogitsBySquare();
  void layoutsRotateTheSamePairs();
  void singlePairIsComplexMultiplication();
  void partialRotaryPassesTheRestThrough();
  void float32AnglesMatchAtSmallPositions();
  void sizeMismatchIsAnError();
};

void TestRopeRotation::keepsNorms() {
  for (RopePairLayout layout : {RopePairLayout::HalfSplit, RopePairLayout::Adjacent}) {
    const RopeSchedule s = schedule(layout);
    const std::vector<double> q = randomVector(16, 1);
    for (double position : {0.0, 1.0, 4095.0, 123456.0}) {
      const std::vector<double> r = rotated(q, s, position);
      SINKSCOPE_COMPARE_NEAR(std::sqrt(dot(r, r)), std::sqrt(dot(q, q)), 1e-12);
    }
  }
}

// The defining property of RoPE: q(m).k(n) = f(m - n).
void TestRopeRotation::logitsDependOnRelativePositionOnly() {
  for (RopePairLayout layout : {RopePairLayout::HalfSplit, RopePairLayout::Adjacent}) {
    const RopeSchedule s = schedule(layout);
    const std::vector<double> q = randomVector(16, 2);
    const std::vector<double> k = randomVector(16, 3);
    const double reference = dot(rotated(q, s, 7), rotated(k, s, 3));
    for (double offset : {100.0, 5000.0, 1e6}) {
      const double shifted = dot(rotated(q, s, 7 + offset), rotated(k, s, 3 + offset));
      QVERIFY2(std::abs(shifted - reference) < 1e-9, qPrintable(QStringLiteral("offset %1").arg(offset)));
    }
    SINKSCOPE_VERIFY_APART(dot(rotated(q, s, 8), rotated(k, s, 3)), reference, 1e-6);  // distance matters
  }
}

void TestRopeRotation::attentionFactorScalesLogitsBySquare() {
  RopeSchedule s = schedule(RopePairLayout::HalfSplit);
  const std::vector<double> q = randomVector(16, 4);
  const std::vector<double> k = randomVector(16, 5);
  const double plain = dot(rotated(q, s, 40), rotated(k, s, 10));
  s.attentionFactor = 1.2079442;
  const double scaled = dot(rotated(q, s, 40), rotated(k, s, 10));
  SINKSCOPE_COMPARE_NEAR(scaled, plain * 1.2079442 * 1.2079442, 1e-12 * std::abs(scaled) + 1e-12);
}

// Half-split pair i is (i, i + d/2); adjacent pair i is (2i, 2i + 1): moving the entries moves the result.
void TestRopeRotation::layoutsRotateTheSamePairs() {
  const RopeSchedule half = schedule(RopePairLayout::HalfSplit);
  const RopeSchedule adjacent = schedule(RopePairLayout::Adjacent);
  const std::vector<double> q = randomVector(16, 6);
  std::vector<double> interleaved(16);
  for (size_t i = 0; i < 8; ++i) {
    interleaved[2 * i] = q[i];
    interleaved[2 * i + 1] = q[i + 8];
  }
  const std::vector<double> a = rotated(q, half, 321);
  const std::vector<double> b = rotated(interleaved, adjacent, 321);
  for (size_t i = 0; i < 8; ++i) {
    SINKSCOPE_COMPARE_NEAR(a[i], b[2 * i], 1e-14);
    SINKSCOPE_COMPARE_NEAR(a[i + 8], b[2 * i + 1], 1e-14);
  }
}

// Pair 0 has inv_freq 1: (x, y) at position p is (x + iy) e^{ip}.
void TestRopeRotation::singlePairIsComplexMultiplication() {
  const RopeSchedule s = schedule(RopePairLayout::Adjacent);
  std::vector<double> v(16, 0.0);
  v[0] = 0.6;
  v[1] = -0.8;
  const std::vector<double> r = rotated(v, s, 3.0);
  const double re = 0.6 * std::cos(3.0) + 0.8 * std::sin(3.0);
  const double im = -0.8 * std::cos(3.0) + 0.6 * std::sin(3.0);
  SINKSCOPE_COMPARE_NEAR(r[0], re, 1e-15);
  SINKSCOPE_COMPARE_NEAR(r[1], im, 1e-15);
}

void TestRopeRotation::partialRotaryPassesTheRestThrough() {
  const RopeSchedule s = schedule(RopePairLayout::HalfSplit, 0.5);
  QCOMPARE(s.rotaryDim, 8);
  const std::vector<double> q = randomVector(16, 7);
  const std::vector<double> r = rotated(q, s, 99);
  for (size_t i = 8; i < 16; ++i) QCOMPARE(r[i], q[i]);
  // Half-split within the rotary part: pair 0 is (0, 4).
  const double angle = 99.0 * s.invFreq[0];
  SINKSCOPE_COMPARE_NEAR(r[0], (q[0] * std::cos(angle) - q[4] * std::sin(angle)), 1e-14);
}

void TestRopeRotation::float32AnglesMatchAtSmallPositions() {
  const RopeSchedule s = schedule(RopePairLayout::HalfSplit);
  std::vector<float> a(16, 1.0f);
  std::vector<float> b(16, 1.0f);
  applyRope(std::span<float>(a), s, 17, RopeAnglePrecision::Exact);
  applyRope(std::span<float>(b), s, 17, RopeAnglePrecision::Float32);
  for (size_t i = 0; i < 16; ++i) SINKSCOPE_COMPARE_NEAR(a[i], b[i], 1e-5f);
  // Far out, float32 angles (as runtimes compute them) drift from the exact ones.
  std::vector<float> c(16, 1.0f);
  std::vector<float> d(16, 1.0f);
  applyRope(std::span<float>(c), s, 3e7 + 1, RopeAnglePrecision::Exact);
  applyRope(std::span<float>(d), s, 3e7 + 1, RopeAnglePrecision::Float32);
  SINKSCOPE_VERIFY_APART(c[0], d[0], 1e-3f);
}

void TestRopeRotation::sizeMismatchIsAnError() {
  const RopeSchedule s = schedule(RopePairLayout::HalfSplit);
  std::vector<float> tooShort(8, 1.0f);
  QVERIFY_THROWS_EXCEPTION(Error, applyRope(std::span<float>(tooShort), s, 1.0));
}

QTEST_GUILESS_MAIN(TestRopeRotation)
#include "test_rope_rotation.moc"
