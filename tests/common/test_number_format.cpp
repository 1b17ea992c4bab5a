// Tests of core/common NumberFormat: every surface writes tokens, bytes, percentages and
// confidence alike. Expected texts are worked out by hand from the definitions in
// docs/design.md "Numbers as text" (binary K and M for contexts, GiB = 2^30 bytes).
#include "common/NumberFormat.h"

#include <QLocale>
#include <QtTest>
#include <limits>

using namespace sinkscope;

class TestNumberFormat : public QObject {
  Q_OBJECT

 private slots:
  // Contexts are powers of two: 2^15 = 32 x 1024, 2^17 = 128 x 1024, 2^20 = 1024 x 1024.
  void tokensShortNamesContextsInBinaryUnits() {
    QCOMPARE(tokensShort(32768), QStringLiteral("32K"));
    QCOMPARE(tokensShort(131072), QStringLiteral("128K"));
    QCOMPARE(tokensShort(1048576), QStringLiteral("1M"));
    QCOMPARE(tokensShort(1536), QStringLiteral("1.5K"));   // 1.5 x 1024
    QCOMPARE(tokensShort(4000), QStringLiteral("3.9K"));   // 3.906 x 1024, one decimal below 10
    QCOMPARE(tokensShort(10000), QStringLiteral("9.8K"));  // 9.766 x 1024, still below 10
    QCOMPARE(tokensShort(10240), QStringLiteral("10K"));   // 10 x 1024: no decimal from 10 up
    QCOMPARE(tokensShort(512), QStringLiteral("512"));
    QCOMPARE(tokensShort(0), QStringLiteral("0"));  // zero is written as zero, never as 1
  }

  // Every digit, grouped in threes whatever the machine's locale.
  void tokensFullGroupsDigits() {
    const QLocale saved;
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));  // would group with '.'
    QCOMPARE(tokensFull(131072), QStringLiteral("131,072"));
    QCOMPARE(tokensText(32768), QStringLiteral("32,768 tokens"));
    QCOMPARE(tokensText(512), QStringLiteral("512 tokens"));
    QLocale::setDefault(saved);
  }

  // StreamingLLM's stream has no cap: "none", never "0".
  void capWithoutALimitIsNone() {
    QCOMPARE(capText(0), QStringLiteral("none"));
    QCOMPARE(capText(16384), QStringLiteral("16,384 tokens"));
    QCOMPARE(noneText(), QStringLiteral("none"));
    QCOMPARE(notApplicableText(), QStringLiteral("n/a"));
  }

  // By hand: 15,548,000,000 / 2^30 = 14.480; an H100's 80 GB = 80e9 / 2^30 = 74.506; Mistral 7B's
  // 7,241,732,096 parameters in bf16 (2 bytes each) = 13.489.
  void bytesInGiB() {
    QCOMPARE(gibText(15548000000), QStringLiteral("14.48 GiB"));
    QCOMPARE(gibText(80000000000), QStringLiteral("74.51 GiB"));
    QCOMPARE(gibText(7241732096ll * 2), QStringLiteral("13.49 GiB"));
    QCOMPARE(gibText(1ll << 30, 1), QStringLiteral("1.0 GiB"));
    // Below 1/100 GiB (10,737,418.24 bytes) a non-empty size never reads "0.00 GiB":
    // 1,100,000 / 2^20 = 1.049 MiB; 10,737,418 / 2^20 = 10.24 MiB; 2,048 / 2^10 = 2 KiB.
    QCOMPARE(gibText(1100000), QStringLiteral("1.0 MiB"));
    QCOMPARE(gibText(10737418), QStringLiteral("10.2 MiB"));
    QCOMPARE(gibText(10737419), QStringLiteral("0.01 GiB"));
    QCOMPARE(gibText(2048), QStringLiteral("2.0 KiB"));
    QCOMPARE(gibText(0), QStringLiteral("0.00 GiB"));
    // The largest byte count (the planner's limits reach it) stays in GiB: the small-size test must
    // not overflow (bytes x 100 did, and wrapped to a negative "MiB").
    QVERIFY2(gibText(std::numeric_limits<qint64>::max()).endsWith(QStringLiteral(" GiB")),
             qPrintable(gibText(std::numeric_limits<qint64>::max())));
  }

  // A band in brackets after its value; a band without width at the written precision is left
  // out, so a collapsed setting reads "0 %", not "0 % (0 %–0 %)". By hand: 0.85 = 85 %, 8192 = 8K.
  void bandsCollapseWhenTheyHaveNoWidth() {
    QCOMPARE(percentBandText(0.9, 0.85, 0.95), QStringLiteral("90 % (85 %–95 %)"));
    QCOMPARE(percentBandText(0.0, 0.0, 0.0), QStringLiteral("0 %"));
    QCOMPARE(percentBandText(0.9, 0.9001, 0.9004), QStringLiteral("90 %"));  // all read "90 %"
    QCOMPARE(percentBandText(0.05, 0.0, 0.1), QStringLiteral("5.0 % (0 %–10 %)"));
    QCOMPARE(tokensBandText(16384, 8192, 32768), QStringLiteral("16K (8K–32K)"));
    QCOMPARE(tokensBandText(0, 0, 0), QStringLiteral("0"));
    // Inside a sentence (the verdict texts): the same rule.
    QCOMPARE(bandInSentence(QStringLiteral("27 %"), QStringLiteral("0.0 %"), QStringLiteral("36 %")),
             QStringLiteral("27 %, band 0.0 %–36 %"));
    QCOMPARE(bandInSentence(QStringLiteral("94 %"), QStringLiteral("94 %"), QStringLiteral("94 %")),
             QStringLiteral("94 %"));
  }

  // Whole percentages from 10 % up; one decimal below, so a small share never reads "0 %".
  void percentagesKeepSmallSharesVisible() {
    QCOMPARE(percentText(0.9), QStringLiteral("90 %"));
    QCOMPARE(percentText(0.996), QStringLiteral("100 %"));
    QCOMPARE(percentText(0.0012), QStringLiteral("0.1 %"));
    QCOMPARE(percentText(0.0), QStringLiteral("0 %"));
    QCOMPARE(percentText(std::optional<double>{}), QStringLiteral("n/a"));
  }

  // Two decimals everywhere: the table and the chart both read 0.37 for 0.366.
  void confidenceHasTwoDecimals() {
    QCOMPARE(confidenceText(0.366), QStringLiteral("0.37"));
    QCOMPARE(confidenceText(0.8), QStringLiteral("0.80"));
    QCOMPARE(confidenceText(1.0), QStringLiteral("1.00"));
  }
};

QTEST_GUILESS_MAIN(TestNumberFormat)
#include "test_number_format.moc"
