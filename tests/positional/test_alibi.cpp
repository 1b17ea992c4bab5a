// Tests of ALiBi slopes against the official implementation's and HF BLOOM's values for 14 head
// counts (tests/data/alibi_slopes.json, provenance in tests/data/README.md; docs/references.md section 2).
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JsonRead.h"
#include "positional/Alibi.h"

#include <QJsonArray>
#include <QtTest>
#include <cmath>

using namespace sinkscope;

class TestAlibi : public QObject {
  Q_OBJECT

 private slots:
  void referenceSlopes_data();
  void referenceSlopes();
  void powerOfTwoRule();
  void biasIsLinearInDistance();
  void noHeadsIsAnError();
};

void TestAlibi::referenceSlopes_data() {
  QTest::addColumn<int>("heads");
  QTest::addColumn<QJsonArray>("official");
  QTest::addColumn<QJsonArray>("hfFloat32");
  QTest::addColumn<double>("hfMaxAbsDiff");
  const QJsonObject root = readJsonObjectFile(test::testDataPath(QStringLiteral("alibi_slopes.json")));
  const QJsonObject slopes = root.value(QStringLiteral("slopes")).toObject();
  QCOMPARE(slopes.size(), 14);
  for (auto it = slopes.begin(); it != slopes.end(); ++it) {
    const QJsonObject entry = it.value().toObject();
    QTest::newRow(qPrintable(QStringLiteral("heads=%1").arg(it.key())))
        << it.key().toInt() << entry.value(QStringLiteral("official_float64")).toArray()
        << entry.value(QStringLiteral("hf_bloom_float32")).toArray()
        << entry.value(QStringLiteral("max_abs_diff")).toDouble();
  }
}

void TestAlibi::referenceSlopes() {
  QFETCH(int, heads);
  QFETCH(QJsonArray, official);
  QFETCH(QJsonArray, hfFloat32);
  QFETCH(double, hfMaxAbsDiff);
  const std::vector<double> slopes = alibiSlopes(heads);
  QCOMPARE(static_cast<qsizetype>(slopes.size()), official.size());
  QCOMPARE(static_cast<qsizetype>(slopes.size()), hfFloat32.size());
  for (int h = 0; h < heads; ++h) {
    const double got = slopes[static_cast<size_t>(h)];
    const double want = official[h].toDouble();
    // exp2(-8k/n) is exact where the official start * ratio^i accumulates a few double ulps.
    QVERIFY2(
        std::abs(got - want) <= 1e-14 * want,
        qPrintable(QStringLiteral("head %1: %2 vs %3").arg(h).arg(got, 0, 'g', 17).arg(want, 0, 'g', 17)));
    const double hf = hfFloat32[h].toDouble();
    // HF raises a float32 base to integer powers: it strays from the official slopes by up to
    // the file's max_abs_diff (a few float32 ulps), and so from ours.
    SINKSCOPE_COMPARE_NEAR(got, hf, hfMaxAbsDiff + 1e-15);
  }
}

void TestAlibi::powerOfTwoRule() {
  const std::vector<double> slopes = alibiSlopes(8);
  for (int k = 1; k <= 8; ++k) QCOMPARE(slopes[static_cast<size_t>(k - 1)], std::pow(2.0, -k));
}

void TestAlibi::biasIsLinearInDistance() {
  QCOMPARE(alibiBias(0.5, 10, 10), 0.0);
  QCOMPARE(alibiBias(0.5, 10, 4), -3.0);
}

void TestAlibi::noHeadsIsAnError() {
  QVERIFY_THROWS_EXCEPTION(Error, alibiSlopes(0));
}

QTEST_GUILESS_MAIN(TestAlibi)
#include "test_alibi.moc"
