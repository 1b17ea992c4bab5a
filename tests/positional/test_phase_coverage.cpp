// Tests of the critical dimension (docs/references.md section 3: 92/128 Llama-2, 70/128 Llama-3,
// 46/64 DeepSeek-V2) and of the unseen-angle share: its closed form against a brute-force count.
#include "TestSupport.h"
#include "common/Error.h"
#include "positional/PhaseCoverage.h"

#include <QtTest>
#include <cmath>
#include <numbers>

using namespace sinkscope;

namespace {

RopeParameters params(double theta, int headDim) {
  RopeParameters p;
  p.theta = theta;
  p.headDim = headDim;
  return p;
}

RopeSchedule scaled(const RopeParameters& base, Mitigation mitigation, double factor, qint64 trained,
                    std::optional<qint64> length = std::nullopt) {
  RopeParameters p = base;
  p.originalContext = trained;
  return computeRopeSchedule(withMitigation(p, mitigation, factor), length);
}

// Independent count: integer distances 0..N-1 whose angle mod 2 pi lies beyond the seen arc T theta.
qint64 bruteForceUnseen(double trainedInvFreq, double inferenceInvFreq, qint64 trained, qint64 context) {
  const double seenArc = static_cast<double>(trained) * trainedInvFreq;
  if (seenArc >= 2 * std::numbers::pi) return 0;
  qint64 unseen = 0;
  for (qint64 distance = 0; distance < context; ++distance)
    if (std::fmod(static_cast<double>(distance) * inferenceInvFreq, 2 * std::numbers::pi) > seenArc) ++unseen;
  return unseen;
}

}  // namespace

class TestPhaseCoverage : public QObject {
  Q_OBJECT

 private slots:
  void criticalDimensionPublished_data();
  void criticalDimensionPublished();
  void yarnHighIsTheSameBoundary();
  void closedFormMatchesBruteForce_data();
  void closedFormMatchesBruteForce();
  void baselineInsideTrainedContextSeesEverything();
  void baselineLlama2At32kSentence();
  void interpolationStaysInsideTheSeenArc();
  void ntkLeavesSomeDimsUnseen();
  void coverageForComputesTheScheduleAtTheContext();
  void badContextsAreErrors();
};

void TestPhaseCoverage::criticalDimensionPublished_data() {
  QTest::addColumn<double>("theta");
  QTest::addColumn<int>("rotaryDim");
  QTest::addColumn<qint64>("trained");
  QTest::addColumn<int>("expected");
  QTest::newRow("Llama-2") << 1e4 << 128 << qint64{4096} << 92;
  QTest::newRow("Llama-3") << 5e5 << 128 << qint64{8192} << 70;
  QTest::newRow("DeepSeek-V2 rope part") << 1e4 << 64 << qint64{4096} << 46;
}

void TestPhaseCoverage::criticalDimensionPublished() {
  QFETCH(double, theta);
  QFETCH(int, rotaryDim);
  QFETCH(qint64, trained);
  QFETCH(int, expected);
  QCOMPARE(criticalDimension(theta, rotaryDim, trained), expected);
  QCOMPARE(criticalDimension(computeRopeSchedule(params(theta, rotaryDim)), trained), expected);
}

// docs/references.md section 3: YaRN's high = ceil(D(beta_slow = 1)) is the same boundary in pairs.
void TestPhaseCoverage::yarnHighIsTheSameBoundary() {
  QCOMPARE(2 * yarnCorrectionRange(128, 1e4, 4096, 32, 1, true).high,
           double(criticalDimension(1e4, 128, 4096)));
}

void TestPhaseCoverage::closedFormMatchesBruteForce_data() {
  QTest::addColumn<double>("trainedInvFreq");
  QTest::addColumn<double>("inferenceInvFreq");
  QTest::addColumn<qint64>("trained");
  QTest::addColumn<qint64>("context");
  const double lowest = std::pow(1e4, -126.0 / 128.0);
  QTest::newRow("same schedule, 8x") << lowest << lowest << qint64{4096} << qint64{32768};
  QTest::newRow("same schedule, many turns") << 1e-3 << 1e-3 << qint64{4096} << qint64{200000};
  QTest::newRow("period just above T")
      << 2 * std::numbers::pi / 4200 << 2 * std::numbers::pi / 4200 << qint64{4096} << qint64{100000};
  QTest::newRow("interpolated by 4") << 1e-3 << 2.5e-4 << qint64{4096} << qint64{16384};
  QTest::newRow("interpolated by 2 at 8x") << 1e-3 << 5e-4 << qint64{4096} << qint64{32768};
  QTest::newRow("faster than trained") << 1e-3 << 1.7e-3 << qint64{2048} << qint64{50000};
  QTest::newRow("full circle seen") << 0.01 << 0.01 << qint64{4096} << qint64{32768};
  QTest::newRow("short context") << 1e-4 << 1e-4 << qint64{4096} << qint64{1000};
}

void TestPhaseCoverage::closedFormMatchesBruteForce() {
  QFETCH(double, trainedInvFreq);
  QFETCH(double, inferenceInvFreq);
  QFETCH(qint64, trained);
  QFETCH(qint64, context);
  const double closed = unseenDistanceShare(trainedInvFreq, inferenceInvFreq, trained, context);
  const double counted =
      static_cast<double>(bruteForceUnseen(trainedInvFreq, inferenceInvFreq, trained, context)) /
      static_cast<double>(context);
  const double turns = std::floor(static_cast<double>(context) * inferenceInvFreq / (2 * std::numbers::pi));
  const double bound = (turns + 2.0) / static_cast<double>(context);  // one distance per turn boundary
  QVERIFY2(std::abs(closed - counted) <= bound,
           qPrintable(QStringLiteral("closed %1 counted %2 bound %3").arg(closed).arg(counted).arg(bound)));
}

void TestPhaseCoverage::baselineInsideTrainedContextSeesEverything() {
  const RopeSchedule llama2 = computeRopeSchedule(params(1e4, 128));
  const PhaseCoverage coverage = phaseCoverage(llama2, llama2, 4096, 4096);
  QCOMPARE(coverage.unseenRotaryDims, 0);
  QCOMPARE(coverage.meanUnseenShare, 0.0);
  QCOMPARE(coverage.criticalDims, 92);
}

// Llama-2 run past its 4K: every pair whose period exceeds 4096 meets new angles; 128 - 92 = 36.
void TestPhaseCoverage::baselineLlama2At32kSentence() {
  const RopeSchedule llama2 = computeRopeSchedule(params(1e4, 128));
  QCOMPARE(unseenRotaryDims(llama2, 4096, 32768), 36);
  const PhaseCoverage coverage = phaseCoverage(llama2, llama2, 4096, 32768);
  QCOMPARE(unseenRotaryDimsSentence(coverage),
           QStringLiteral("RoPE angles in 36 of 128 rotary dims were never seen in training (context 32,768; "
                          "trained 4,096)"));
  for (const PairPhaseCoverage& pair : coverage.pairs) QCOMPARE(pair.fullCircleSeen, pair.unseenShare == 0.0);
  // Llama-3 at 128K: 128 - 70 = 58.
  QCOMPARE(unseenRotaryDims(computeRopeSchedule(params(5e5, 128)), 8192, 131072), 58);
}

// Position interpolation at N = s T maps every distance inside the trained arc.
void TestPhaseCoverage::interpolationStaysInsideTheSeenArc() {
  const RopeParameters llama2 = params(1e4, 128);
  const RopeSchedule trained = computeRopeSchedule(llama2);
  for (double s : {2.0, 4.0, 8.0}) {
    const auto context = static_cast<qint64>(4096 * s);
    QCOMPARE(
        phaseCoverage(trained, scaled(llama2, Mitigation::Linear, s, 4096), 4096, context).unseenRotaryDims,
        0);
    // ... but not beyond it.
    QVERIFY(phaseCoverage(trained, scaled(llama2, Mitigation::Linear, s, 4096), 4096, 2 * context)
                .unseenRotaryDims > 0);
  }
}

// NTK divides the lowest pair by s but the ones just past the critical dim by less: some stay unseen.
void TestPhaseCoverage::ntkLeavesSomeDimsUnseen() {
  const RopeParameters llama2 = params(1e4, 128);
  const RopeSchedule trained = computeRopeSchedule(llama2);
  const int ntk =
      phaseCoverage(trained, scaled(llama2, Mitigation::Ntk, 8.0, 4096), 4096, 32768).unseenRotaryDims;
  QVERIFY(ntk > 0 && ntk < 36);
  const int yarn =
      phaseCoverage(trained, scaled(llama2, Mitigation::Yarn, 8.0, 4096), 4096, 32768).unseenRotaryDims;
  QVERIFY(yarn < 36);
}

// Dynamic NTK's base depends on the length: phaseCoverageFor must compute the schedule at N.
void TestPhaseCoverage::coverageForComputesTheScheduleAtTheContext() {
  RopeParameters llama2 = params(1e4, 128);
  llama2.originalContext = 4096;
  const RopeParameters dynamic = withMitigation(llama2, Mitigation::DynamicNtk, 8.0);
  const PhaseCoverage viaHelper = phaseCoverageFor(dynamic, 32768);
  const PhaseCoverage byHand =
      phaseCoverage(computeRopeSchedule(llama2), computeRopeSchedule(dynamic, 32768), 4096, 32768);
  QCOMPARE(viaHelper.unseenRotaryDims, byHand.unseenRotaryDims);
  QCOMPARE(viaHelper.meanUnseenShare, byHand.meanUnseenShare);
  // At the trained length dynamic NTK is the plain schedule: the baseline's 36 dims at 32K would
  // show if the schedule were taken at L0 instead of N.
  QCOMPARE(
      phaseCoverage(computeRopeSchedule(llama2), computeRopeSchedule(dynamic), 4096, 32768).unseenRotaryDims,
      36);
  QVERIFY(viaHelper.unseenRotaryDims < 36);
  QVERIFY(!trainedRopeSchedule(dynamic).invFreq.empty());
  QCOMPARE(trainedRopeSchedule(dynamic).ropeType, QStringLiteral("default"));
}

void TestPhaseCoverage::badContextsAreErrors() {
  const RopeSchedule llama2 = computeRopeSchedule(params(1e4, 128));
  QVERIFY_THROWS_EXCEPTION(Error, phaseCoverage(llama2, llama2, 0, 10));
  QVERIFY_THROWS_EXCEPTION(Error, phaseCoverage(llama2, llama2, 10, 0));
  QVERIFY_THROWS_EXCEPTION(Error, phaseCoverage(llama2, computeRopeSchedule(params(1e4, 64)), 10, 10));
}

QTEST_GUILESS_MAIN(TestPhaseCoverage)
#include "test_phase_coverage.moc"
