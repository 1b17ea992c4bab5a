// Tests of `sinkscope list` and `sinkscope show` as a user runs them: exit codes 0/2/3, one
// JSON object on stdout, `error: <file>: <field>: <what>` on stderr, defaulted fields marked.
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope::test;

namespace {

QJsonObject jsonOf(const CliResult& result) {
  QJsonParseError error;
  const QJsonDocument document = QJsonDocument::fromJson(result.standardOutput, &error);
  if (error.error != QJsonParseError::NoError || !document.isObject()) return {};
  return document.object();
}

QString saved(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
  const QString path = dir.filePath(name);
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
  file.write(bytes);
  return path;
}

// Checks a failed run: its exit status and a single `error:` line holding every fragment.
void expectFailure(const QStringList& args, int exitCode, const QStringList& fragments) {
  const CliResult result = runCli(args);
  const QString err = QString::fromUtf8(result.standardError);
  QVERIFY2(result.exitCode == exitCode,
           qPrintable(QStringLiteral("exit %1, stderr: %2").arg(result.exitCode).arg(err)));
  QVERIFY2(err.startsWith(QStringLiteral("error: ")), qPrintable(err));
  QCOMPARE(err.trimmed().count(QLatin1Char('\n')), 0);
  for (const QString& fragment : fragments)
    QVERIFY2(err.contains(fragment), qPrintable(err + QStringLiteral(" lacks ") + fragment));
  QVERIFY(result.standardOutput.isEmpty());
}

}  // namespace

class TestCliListShow : public QObject {
  Q_OBJECT

 private slots:
  void listModelsText() {
    const CliResult result = runCli({QStringLiteral("list"), QStringLiteral("models")});
    QCOMPARE(result.exitCode, 0);
    const QString text = QString::fromUtf8(result.standardOutput);
    QVERIFY(text.startsWith(QStringLiteral("ID")));
    QVERIFY(text.contains(QStringLiteral("mistral-7b-v0.1")));
    QVERIFY(text.contains(QStringLiteral("deepseek-v2")));
    QVERIFY(result.standardError.isEmpty());
  }

  void listJson() {
    const QJsonObject models =
        jsonOf(runCli({QStringLiteral("list"), QStringLiteral("models"), QStringLiteral("--json")}));
    const QJsonArray modelList = models.value(QStringLiteral("models")).toArray();
    QVERIFY2(modelList.size() >= 24, qPrintable(QString::number(modelList.size())));
    const QJsonObject first = modelList.first().toObject();
    for (const char* key : {"id", "attention_kind", "trained_context", "kv_heads", "head_dim", "rope_theta",
                            "source", "defaulted_fields", "max_position_embeddings"})
      QVERIFY2(first.contains(QString::fromLatin1(key)), key);
    const QJsonObject hardware =
        jsonOf(runCli({QStringLiteral("list"), QStringLiteral("hardware"), QStringLiteral("--json")}));
    const QJsonArray hardwareList = hardware.value(QStringLiteral("hardware")).toArray();
    QVERIFY(hardwareList.size() >= 16);
    // Byte counts are integers in the JSON text, not 8.6e+10.
    const QByteArray raw = runCli({QStringLiteral("show"), QStringLiteral("--hardware"),
                                   QStringLiteral("h100-sxm-80gb"), QStringLiteral("--json")})
                               .standardOutput;
    QVERIFY2(raw.contains("\"memory_bytes\": 85899345920"), raw.constData());
  }

  void showModelJsonAndText() {
    const CliResult json = runCli({QStringLiteral("show"), QStringLiteral("--model"),
                                   QStringLiteral("mistral-7b-v0.1"), QStringLiteral("--json")});
    QCOMPARE(json.exitCode, 0);
    const QJsonObject object = jsonOf(json);
    QCOMPARE(object.value(QStringLiteral("trained_context")).toInteger(), 8192);  // Mistral 7B paper, Table 1
    QCOMPARE(object.value(QStringLiteral("sliding_window")).toInteger(), 4096);
    QCOMPARE(object.value(QStringLiteral("attention_kind")).toString(), QStringLiteral("sliding"));
    const CliResult text =
        runCli({QStringLiteral("show"), QStringLiteral("--model"), QStringLiteral("deepseek-v2")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.standardOutput.contains("kv_lora_rank"));
  }

  void showMarksDefaultedFields() {
    const QString path = testDataPath(QStringLiteral("hf/gemma-2-9b.config.json"));
    const CliResult text = runCli({QStringLiteral("show"), QStringLiteral("--model"), path});
    QCOMPARE(text.exitCode, 0);
    const QString output = QString::fromUtf8(text.standardOutput);
    QVERIFY2(output.contains(QRegularExpression(QStringLiteral("tied_embeddings +true +\\(defaulted\\)"))),
             qPrintable(output));
    const QJsonObject json =
        jsonOf(runCli({QStringLiteral("show"), QStringLiteral("--model"), path, QStringLiteral("--json")}));
    QVERIFY(json.value(QStringLiteral("defaulted_fields"))
                .toArray()
                .contains(QStringLiteral("tie_word_embeddings")));
    QCOMPARE(json.value(QStringLiteral("origin")).toString(), path);
  }

  void showGguf() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(path);
    const QJsonObject json =
        jsonOf(runCli({QStringLiteral("show"), QStringLiteral("--model"), path, QStringLiteral("--json")}));
    QCOMPARE(json.value(QStringLiteral("layers")).toInt(), 5);
    QCOMPARE(json.value(QStringLiteral("rope_pair_layout")).toString(), QStringLiteral("adjacent"));
    QVERIFY(
        json.value(QStringLiteral("defaulted_fields")).toArray().contains(QStringLiteral("trained_context")));
  }

  void usageErrorsExit2() {
    expectFailure({QStringLiteral("list")}, 2, {QStringLiteral("models")});
    expectFailure({QStringLiteral("list"), QStringLiteral("gpus")}, 2, {QStringLiteral("gpus")});
    expectFailure({QStringLiteral("list"), QStringLiteral("models"), QStringLiteral("--bogus")}, 2,
                  {QStringLiteral("bogus")});
    expectFailure({QStringLiteral("show")}, 2, {QStringLiteral("--model")});
    expectFailure({QStringLiteral("show"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                   QStringLiteral("--hardware"), QStringLiteral("l4-24gb")},
                  2, {QStringLiteral("exactly one")});
  }

  void badInputExits3NamingFileAndField() {
    expectFailure({QStringLiteral("show"), QStringLiteral("--model"), QStringLiteral("no-such-model")}, 3,
                  {QStringLiteral("no-such-model")});
    expectFailure({QStringLiteral("show"), QStringLiteral("--hardware"), QStringLiteral("no-such-gpu")}, 3,
                  {QStringLiteral("no-such-gpu")});
    QTemporaryDir dir;
    const QString malformed = saved(dir, QStringLiteral("broken.json"), "{\"num_hidden_layers\": ");
    expectFailure({QStringLiteral("show"), QStringLiteral("--model"), malformed}, 3,
                  {QStringLiteral("error: ") + malformed + QStringLiteral(": not valid JSON")});
    QByteArray config =
        R"({"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
      "num_attention_heads": 8, "num_key_value_heads": 3, "vocab_size": 100, "max_position_embeddings": 512})";
    const QString indivisible = saved(dir, QStringLiteral("config.json"), config);
    expectFailure({QStringLiteral("show"), QStringLiteral("--model"), indivisible}, 3,
                  {QStringLiteral("error: ") + indivisible +
                   QStringLiteral(": num_key_value_heads: 8 query heads are not divisible by 3")});
    const QString unknownKind =
        saved(dir, QStringLiteral("kind.json"),
              QByteArray(config).replace("\"num_key_value_heads\": 3",
                                         "\"num_key_value_heads\": 2, \"attention_kind\": \"sparse\""));
    expectFailure({QStringLiteral("show"), QStringLiteral("--model"), unknownKind}, 3,
                  {unknownKind + QStringLiteral(": attention_kind: unknown attention kind 'sparse'")});
    const QString missing =
        saved(dir, QStringLiteral("missing.json"), QByteArray(config).replace("\"hidden_size\": 64,", ""));
    expectFailure({QStringLiteral("show"), QStringLiteral("--model"), missing}, 3,
                  {missing + QStringLiteral(": hidden_size: missing")});
    const QString truncated =
        saved(dir, QStringLiteral("cut.gguf"), QByteArray("GGUF\x03\x00\x00\x00\x01", 9));
    expectFailure({QStringLiteral("show"), QStringLiteral("--model"), truncated}, 3,
                  {QStringLiteral("error: ") + truncated + QStringLiteral(": ")});
    const QString gpu = saved(
        dir, QStringLiteral("gpu.json"),
        R"({"id": "x", "memory_bytes": 0, "memory_bandwidth_bytes_per_s": 1e12, "peak_flops": {"fp32": 1e13}})");
    expectFailure({QStringLiteral("show"), QStringLiteral("--hardware"), gpu}, 3,
                  {gpu + QStringLiteral(": memory_bytes")});
  }

  void showHardwareFile() {
    QTemporaryDir dir;
    const QString gpu = saved(dir, QStringLiteral("gpu.json"),
                              R"({"id": "my-gpu", "name": "My GPU", "memory_bytes": 25769803776,
                                  "memory_bandwidth_bytes_per_s": 1.0e12, "peak_flops": {"fp32": 4.0e13, "bf16": 1.6e14}})");
    const QJsonObject json =
        jsonOf(runCli({QStringLiteral("show"), QStringLiteral("--hardware"), gpu, QStringLiteral("--json")}));
    QCOMPARE(json.value(QStringLiteral("id")).toString(), QStringLiteral("my-gpu"));
    QCOMPARE(json.value(QStringLiteral("memory_bytes")).toInteger(), 25769803776ll);
  }
};

QTEST_GUILESS_MAIN(TestCliListShow)
#include "test_cli_list_show.moc"
