// Tests of `sinkscope rope` as a user runs it: the JSON contract of docs/design.md, the schedules of
// catalogue models against HF's reference vectors (tests/data/rope_vectors.json), exit codes.
#include "TestSupport.h"
#include "common/JsonRead.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

QJsonObject ropeJson(const QStringList& args) {
  const test::CliResult result =
      test::runCli(QStringList{QStringLiteral("rope")} + args + QStringList{QStringLiteral("--json")});
  if (result.exitCode != 0)
    qWarning("rope %s: exit %d: %s", qPrintable(args.join(' ')), result.exitCode,
             result.standardError.constData());
  return QJsonDocument::fromJson(result.standardOutput).object();
}

QJsonObject referenceCase(const QString& id) {
  const QJsonObject root = readJsonObjectFile(test::testDataPath(QStringLiteral("rope_vectors.json")));
  for (const QJsonValue& value : root.value(QStringLiteral("cases")).toArray())
    if (value.toObject().value(QStringLiteral("id")).toString() == id) return value.toObject();
  return {};
}

void compareInvFreq(const QJsonObject& got, const QString& caseId) {
  const QJsonObject reference = referenceCase(caseId);
  QVERIFY2(!reference.isEmpty(), qPrintable(caseId));
  const QJsonArray want = reference.value(QStringLiteral("inv_freq")).toArray();
  const QJsonArray have = got.value(QStringLiteral("inv_freq")).toArray();
  QCOMPARE(have.size(), want.size());
  for (int i = 0; i < want.size(); ++i)
    QVERIFY2(std::abs(have[i].toDouble() - want[i].toDouble()) <= 1e-6 * want[i].toDouble(),
             qPrintable(QStringLiteral("%1 pair %2").arg(caseId).arg(i)));
  SINKSCOPE_COMPARE_NEAR(got.value(QStringLiteral("attention_factor")).toDouble(),
                         reference.value(QStringLiteral("attention_factor")).toDouble(), 1e-12);
}

}  // namespace

class TestCliRope : public QObject {
  Q_OBJECT

 private slots:
  void llama2Contract();
  void catalogueModelsMatchHfReference();
  void deepSeekSoftmaxScale();
  void phaseCoverageAtLongContext();
  void readableTable();
  void exitCodes_data();
  void exitCodes();
};

// docs/design.md: { rotary_dim, inv_freq, attention_factor, softmax_scale, critical_dims, rope_type }.
void TestCliRope::llama2Contract() {
  const QJsonObject json = ropeJson({QStringLiteral("--model"), QStringLiteral("llama-2-7b")});
  for (const char* key :
       {"rotary_dim", "inv_freq", "attention_factor", "softmax_scale", "critical_dims", "rope_type"})
    QVERIFY2(json.contains(QLatin1String(key)), key);
  QCOMPARE(json.value(QStringLiteral("rotary_dim")).toInt(), 128);
  QCOMPARE(json.value(QStringLiteral("rope_type")).toString(), QStringLiteral("default"));
  QCOMPARE(json.value(QStringLiteral("critical_dims")).toInt(), 92);  // docs/references.md section 3
  SINKSCOPE_COMPARE_NEAR(json.value(QStringLiteral("softmax_scale")).toDouble(), 1.0 / std::sqrt(128.0),
                         1e-15);
  QCOMPARE(json.value(QStringLiteral("pair_layout")).toString(), QStringLiteral("half_split"));
  compareInvFreq(json, QStringLiteral("a_default_llama2_7b"));
}

// docs/references.md section 1: the catalogue's Llama-3.1-8B and Phi-3.5-mini, and runtime overrides.
void TestCliRope::catalogueModelsMatchHfReference() {
  compareInvFreq(ropeJson({QStringLiteral("--model"), QStringLiteral("llama-3.1-8b")}),
                 QStringLiteral("e_llama3_1_8b"));
  compareInvFreq(ropeJson({QStringLiteral("--model"), QStringLiteral("phi-3.5-mini"),
                           QStringLiteral("--context"), QStringLiteral("4096")}),
                 QStringLiteral("f_longrope_phi3_5_mini@seq_len=4096"));
  compareInvFreq(ropeJson({QStringLiteral("--model"), QStringLiteral("phi-3.5-mini"),
                           QStringLiteral("--context"), QStringLiteral("4097")}),
                 QStringLiteral("f_longrope_phi3_5_mini@seq_len=4097"));
  compareInvFreq(
      ropeJson({QStringLiteral("--model"), QStringLiteral("llama-2-7b"), QStringLiteral("--mitigation"),
                QStringLiteral("yarn"), QStringLiteral("--factor"), QStringLiteral("8")}),
      QStringLiteral("d_yarn_x8_llama2"));
  compareInvFreq(
      ropeJson({QStringLiteral("--model"), QStringLiteral("llama-2-7b"), QStringLiteral("--mitigation"),
                QStringLiteral("linear"), QStringLiteral("--context"), QStringLiteral("16384")}),
      QStringLiteral("b_linear_x4"));  // factor = 16384 / 4096
}

// docs/references.md section 1: DeepSeek-V2 softmax scale 0.0721688 -> 0.1147214; rope part 64 dims.
void TestCliRope::deepSeekSoftmaxScale() {
  const QJsonObject json = ropeJson({QStringLiteral("--model"), QStringLiteral("deepseek-v2")});
  QCOMPARE(json.value(QStringLiteral("rotary_dim")).toInt(), 64);
  QCOMPARE(json.value(QStringLiteral("rope_type")).toString(), QStringLiteral("yarn"));
  SINKSCOPE_COMPARE_NEAR(json.value(QStringLiteral("softmax_scale")).toDouble(), 0.1147214, 5e-8);
  QCOMPARE(json.value(QStringLiteral("attention_factor")).toDouble(), 1.0);
  QCOMPARE(json.value(QStringLiteral("critical_dims")).toInt(), 46);
}

void TestCliRope::phaseCoverageAtLongContext() {
  const QJsonObject json = ropeJson({QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                                     QStringLiteral("--context"), QStringLiteral("32k")});
  const QJsonObject coverage = json.value(QStringLiteral("phase_coverage")).toObject();
  QCOMPARE(coverage.value(QStringLiteral("unseen_rotary_dims")).toInt(), 36);  // 128 - 92
  QCOMPARE(coverage.value(QStringLiteral("pairs")).toArray().size(), 64);
  QVERIFY(coverage.value(QStringLiteral("summary"))
              .toString()
              .startsWith(QStringLiteral("RoPE angles in 36 of 128")));
  const QJsonObject linear =
      ropeJson({QStringLiteral("--model"), QStringLiteral("llama-2-7b"), QStringLiteral("--mitigation"),
                QStringLiteral("linear"), QStringLiteral("--context"), QStringLiteral("32k")});
  QCOMPARE(linear.value(QStringLiteral("factor")).toDouble(), 8.0);
  QCOMPARE(linear.value(QStringLiteral("phase_coverage"))
               .toObject()
               .value(QStringLiteral("unseen_rotary_dims"))
               .toInt(),
           0);
}

void TestCliRope::readableTable() {
  const test::CliResult result =
      test::runCli({QStringLiteral("rope"), QStringLiteral("--model"), QStringLiteral("stories260k")});
  QCOMPARE(result.exitCode, 0);
  const QString text = QString::fromUtf8(result.standardOutput);
  QVERIFY(text.contains(QStringLiteral("Critical dims")));
  QVERIFY(text.contains(QStringLiteral("adjacent pairs")));
  QVERIFY(text.contains(QStringLiteral("rotary dims were never seen in training")));
}

void TestCliRope::exitCodes_data() {
  QTest::addColumn<QStringList>("args");
  QTest::addColumn<int>("exitCode");
  QTest::addColumn<QString>("named");
  QTest::newRow("alibi model") << QStringList{QStringLiteral("--model"), QStringLiteral("bloom-7b1")} << 3
                               << QStringLiteral("bloom-7b1");
  QTest::newRow("unknown mitigation") << QStringList{QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                                                     QStringLiteral("--mitigation"), QStringLiteral("warp")}
                                      << 2 << QStringLiteral("--mitigation");
  QTest::newRow("alibi on rope model") << QStringList{QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                                                      QStringLiteral("--mitigation"), QStringLiteral("alibi")}
                                       << 3 << QStringLiteral("alibi");
  QTest::newRow("longrope without factors")
      << QStringList{QStringLiteral("--model"),  QStringLiteral("llama-2-7b"), QStringLiteral("--mitigation"),
                     QStringLiteral("longrope"), QStringLiteral("--factor"),   QStringLiteral("4")}
      << 3 << QStringLiteral("short_factor");
  QTest::newRow("factor below 1") << QStringList{QStringLiteral("--model"),      QStringLiteral("llama-2-7b"),
                                                 QStringLiteral("--mitigation"), QStringLiteral("ntk"),
                                                 QStringLiteral("--factor"),     QStringLiteral("0.5")}
                                  << 2 << QStringLiteral("--factor");
  QTest::newRow("factor without mitigation")
      << QStringList{QStringLiteral("--model"), QStringLiteral("llama-2-7b"), QStringLiteral("--factor"),
                     QStringLiteral("2")}
      << 2 << QStringLiteral("--factor");
  QTest::newRow("no factor, no long context")
      << QStringList{QStringLiteral("--model"), QStringLiteral("llama-2-7b"), QStringLiteral("--mitigation"),
                     QStringLiteral("yarn")}
      << 2 << QStringLiteral("--factor");
  QTest::newRow("missing model") << QStringList{} << 2 << QStringLiteral("--model");
  QTest::newRow("bad context") << QStringList{QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                                              QStringLiteral("--context"), QStringLiteral("lots")}
                               << 2 << QStringLiteral("--context");
  QTest::newRow("unknown model") << QStringList{QStringLiteral("--model"), QStringLiteral("no-such-model")}
                                 << 3 << QStringLiteral("no-such-model");
}

void TestCliRope::exitCodes() {
  QFETCH(QStringList, args);
  QFETCH(int, exitCode);
  QFETCH(QString, named);
  const test::CliResult result =
      test::runCli(QStringList{QStringLiteral("rope")} + args + QStringList{QStringLiteral("--json")});
  QCOMPARE(result.exitCode, exitCode);
  QVERIFY(result.standardOutput.isEmpty());
  const QString error = QString::fromUtf8(result.standardError).trimmed();
  QVERIFY2(error.startsWith(QStringLiteral("error: ")) && !error.contains(QLatin1Char('\n')),
           qPrintable(error));
  QVERIFY2(error.contains(named), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestCliRope)
#include "test_cli_rope.moc"
