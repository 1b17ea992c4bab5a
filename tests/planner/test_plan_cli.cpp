// The `sinkscope plan` command-line contract (docs/design.md): every listed --json field, the text
// table, and bad values exiting 2/3 with an error naming the flag.
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

QStringList planArgs(const QStringList& extra) {
  QStringList args{
      QStringLiteral("plan"),       QStringLiteral("--model"),       QStringLiteral("mistral-7b-v0.1"),
      QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"),
      QStringLiteral("32768")};
  return args + extra;
}

}  // namespace

class TestPlanCli : public QObject {
  Q_OBJECT
 private slots:
  void jsonHasEveryContractField() {
    const test::CliResult result = test::runCli(
        planArgs({QStringLiteral("--mitigation"), QStringLiteral("ntk"), QStringLiteral("--json")}));
    QCOMPARE(result.exitCode, 0);
    QJsonParseError error;
    const QJsonObject plan = QJsonDocument::fromJson(result.standardOutput, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    for (const char* key : {"model", "hardware", "context", "trained_context", "attention_kind", "memory",
                            "fits", "max_context_that_fits", "throughput", "confidence", "context_cap",
                            "effective_context", "quality_retention", "mitigations"})
      QVERIFY2(plan.contains(QLatin1String(key)), key);
    const QJsonObject memory = plan[QStringLiteral("memory")].toObject();
    for (const char* key : {"weights_bytes", "kv_bytes", "kv_bytes_per_token", "activation_bytes",
                            "overhead_bytes", "total_bytes", "capacity_bytes"}) {
      QVERIFY2(memory.contains(QLatin1String(key)), key);
      const double value = memory[QLatin1String(key)].toDouble();
      QCOMPARE(value, std::floor(value));  // byte counts are integers
    }
    const QJsonObject throughput = plan[QStringLiteral("throughput")].toObject();
    for (const char* key : {"prefill_tokens_per_s", "decode_tokens_per_s", "bound"})
      QVERIFY2(throughput.contains(QLatin1String(key)), key);
    const QJsonObject confidence = plan[QStringLiteral("confidence")].toObject();
    QVERIFY(confidence[QStringLiteral("value")].toDouble() <= 0.8);  // 32768 > trained 4096
    QVERIFY(!confidence[QStringLiteral("reasons")].toArray().isEmpty());
    QCOMPARE(plan[QStringLiteral("context")].toInteger(), qint64(32768));
    QCOMPARE(plan[QStringLiteral("trained_context")].toInteger(), qint64(8192));  // Mistral 7B paper, Table 1
    QCOMPARE(plan[QStringLiteral("source")].toString(), QStringLiteral("modelled"));
    // Under llama.cpp (the default runtime) Mistral-7B-v0.1 runs with full attention and caches all
    // 32768 tokens; under vLLM it holds its 4096-token window: x 131072 bytes (docs/references.md sections 4,
    // 9).
    QCOMPARE(memory[QStringLiteral("kv_bytes")].toInteger(), qint64(32768) * 131072);
    QCOMPARE(plan[QStringLiteral("runtime")].toString(), QStringLiteral("llama.cpp"));
    for (const QJsonValue& value : plan[QStringLiteral("mitigations")].toArray())
      QVERIFY(value.toObject()[QStringLiteral("verdict")].toObject().contains(QStringLiteral("kind")));
    const QJsonArray mitigations = plan[QStringLiteral("mitigations")].toArray();
    QVERIFY(mitigations.size() >= 8);
    for (const QJsonValue& value : mitigations) {
      const QJsonObject row = value.toObject();
      for (const char* key :
           {"name", "effective_context", "quality_retention", "confidence", "kv_bytes", "launch_flags"})
        QVERIFY2(row.contains(QLatin1String(key)), key);
      const QJsonObject flags = row[QStringLiteral("launch_flags")].toObject();
      for (const char* key : {"vllm", "llama_cpp", "transformers"})
        QVERIFY2(flags.contains(QLatin1String(key)), key);
    }
  }

  void textTableIsReadable() {
    const test::CliResult result = test::runCli(planArgs({}));
    QCOMPARE(result.exitCode, 0);
    const QString text = QString::fromUtf8(result.standardOutput);
    for (const char* part :
         {"Memory", "KV cache", "Throughput", "Confidence", "Mitigations", "baseline", "ntk"})
      QVERIFY2(text.contains(QLatin1String(part)), part);
    QVERIFY(result.standardError.isEmpty());
  }

  void badValuesExitWithTheFlagNamed_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("named");
    const QString model = QStringLiteral("--model");
    const QString hw = QStringLiteral("--hardware");
    const QString ctx = QStringLiteral("--context");
    const QStringList base{QStringLiteral("plan"), model, QStringLiteral("llama-2-7b"), hw,
                           QStringLiteral("h100-sxm-80gb")};
    QTest::newRow("context 0") << base + QStringList{ctx, QStringLiteral("0")} << 2 << ctx;
    QTest::newRow("context negative") << base + QStringList{ctx, QStringLiteral("-5")} << 2 << ctx;
    QTest::newRow("context absurd") << base + QStringList{ctx, QStringLiteral("999999999999")} << 2 << ctx;
    QTest::newRow("context text") << base + QStringList{ctx, QStringLiteral("lots")} << 2 << ctx;
    QTest::newRow("context missing") << base << 2 << ctx;
    QTest::newRow("batch 0") << base + QStringList{ctx, QStringLiteral("4096"), QStringLiteral("--batch"),
                                                   QStringLiteral("0")}
                             << 2 << QStringLiteral("--batch");
    QTest::newRow("weights dtype") << base + QStringList{ctx, QStringLiteral("4096"),
                                                         QStringLiteral("--weights-dtype"),
                                                         QStringLiteral("q1_z")}
                                   << 2 << QStringLiteral("--weights-dtype");
    QTest::newRow("kv dtype") << base + QStringList{ctx, QStringLiteral("4096"), QStringLiteral("--kv-dtype"),
                                                    QStringLiteral("fp7")}
                              << 2 << QStringLiteral("--kv-dtype");
    QTest::newRow("mitigation") << base + QStringList{ctx, QStringLiteral("4096"),
                                                      QStringLiteral("--mitigation"), QStringLiteral("magic")}
                                << 2 << QStringLiteral("--mitigation");
    QTest::newRow("alibi on rope") << base + QStringList{ctx, QStringLiteral("4096"),
                                                         QStringLiteral("--mitigation"),
                                                         QStringLiteral("alibi")}
                                   << 2 << QStringLiteral("--mitigation");
    QTest::newRow("unknown model") << QStringList{QStringLiteral("plan"),
                                                  model,
                                                  QStringLiteral("no-such-model.json"),
                                                  hw,
                                                  QStringLiteral("h100-sxm-80gb"),
                                                  ctx,
                                                  QStringLiteral("4096")}
                                   << 3 << QStringLiteral("no-such-model.json");
    QTest::newRow("unknown hardware")
        << QStringList{QStringLiteral("plan"),        model, QStringLiteral("llama-2-7b"), hw,
                       QStringLiteral("no-such-gpu"), ctx,   QStringLiteral("4096")}
        << 3 << QStringLiteral("no-such-gpu");
  }
  void badValuesExitWithTheFlagNamed() {
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, named);
    const test::CliResult result = test::runCli(args);
    QCOMPARE(result.exitCode, exitCode);
    const QString error = QString::fromUtf8(result.standardError);
    QVERIFY2(error.startsWith(QStringLiteral("error: ")), qPrintable(error));
    QVERIFY2(error.contains(named), qPrintable(error));
    QCOMPARE(error.count(QStringLiteral("error:")), 1);
    QVERIFY(result.standardOutput.isEmpty());
  }

  // The example: DeepSeek-V2 at 32K on one H100 does not fit. The text says what would
  // (8 GPUs), shows no throughput, and --json carries the same advice with null rates.
  void planThatDoesNotFitSaysWhatWould() {
    const QStringList args{QStringLiteral("plan"),          QStringLiteral("--model"),
                           QStringLiteral("deepseek-v2"),   QStringLiteral("--hardware"),
                           QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"),
                           QStringLiteral("32768")};
    const test::CliResult text = test::runCli(args);
    QCOMPARE(text.exitCode, 0);
    const QString output = QString::fromUtf8(text.standardOutput);
    QVERIFY2(output.contains(QStringLiteral("DOES NOT FIT")), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("smallest: more_gpus")), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("+ more_gpus: 8 GPUs")), qPrintable(output));
    // The recommendation's memory line blames the whole plan (440 GiB of weights), not its 2 GiB cache.
    QVERIFY2(output.contains(QStringLiteral(
                 "KV cache 2.11 GiB; with weights, activations and overhead 443.27 GiB: does NOT fit")),
             qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("not estimated: the plan does not fit")), qPrintable(output));
    QVERIFY2(!output.contains(QStringLiteral("tokens/s")), qPrintable(output));
    const test::CliResult json = test::runCli(args + QStringList{QStringLiteral("--json")});
    QCOMPARE(json.exitCode, 0);
    const QJsonObject plan = QJsonDocument::fromJson(json.standardOutput).object();
    QVERIFY(plan[QStringLiteral("throughput")].toObject()[QStringLiteral("decode_tokens_per_s")].isNull());
    const QJsonObject advice = plan[QStringLiteral("fit_advice")].toObject();
    QCOMPARE(advice[QStringLiteral("smallest_change")].toString(), QStringLiteral("more_gpus"));
    QCOMPARE(advice[QStringLiteral("options")].toArray().at(1).toObject()[QStringLiteral("gpus")].toInt(), 8);
  }

  // --gpus 8: tensor-parallel 8 in one node; MLA's latent cache is on every GPU, so the KV per
  // token per GPU is vLLM's 60 layers x (512 + 64) x 2 bytes, not an eighth of it.
  void planOnEightGpus() {
    const test::CliResult result = test::runCli(
        {QStringLiteral("plan"), QStringLiteral("--model"), QStringLiteral("deepseek-v2"),
         QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"),
         QStringLiteral("32768"), QStringLiteral("--gpus"), QStringLiteral("8"), QStringLiteral("--json")});
    QCOMPARE(result.exitCode, 0);
    const QJsonObject plan = QJsonDocument::fromJson(result.standardOutput).object();
    QVERIFY(plan[QStringLiteral("fits")].toBool());
    QVERIFY(plan[QStringLiteral("fit_advice")].isNull());
    const QJsonObject parallel = plan[QStringLiteral("parallel")].toObject();
    QCOMPARE(parallel[QStringLiteral("gpus")].toInt(), 8);
    QCOMPARE(parallel[QStringLiteral("tensor_parallel_size")].toInt(), 8);
    QCOMPARE(parallel[QStringLiteral("pipeline_parallel_size")].toInt(), 1);
    QCOMPARE(plan[QStringLiteral("memory")].toObject()[QStringLiteral("kv_bytes_per_token")].toInteger(),
             qint64(60 * (512 + 64) * 2));
    QVERIFY(plan[QStringLiteral("throughput")].toObject()[QStringLiteral("decode_tokens_per_s")].toDouble() >
            0);
    const QString vllm = plan[QStringLiteral("mitigations")]
                             .toArray()
                             .at(0)
                             .toObject()[QStringLiteral("launch_flags")]
                             .toObject()[QStringLiteral("vllm")]
                             .toString();
    QVERIFY2(vllm.contains(QStringLiteral("--tensor-parallel-size 8 --pipeline-parallel-size 1")),
             qPrintable(vllm));
    // The text's memory block is the fullest GPU's; its parameter line says so, next to the model's
    // total (235.7B, docs/planner.md; DeepSeek-V2 paper: 236B), never the share alone as the model's.
    const test::CliResult text = test::runCli(
        {QStringLiteral("plan"), QStringLiteral("--model"), QStringLiteral("deepseek-v2"),
         QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"),
         QStringLiteral("32768"), QStringLiteral("--gpus"), QStringLiteral("8")});
    QCOMPARE(text.exitCode, 0);
    const QString output = QString::fromUtf8(text.standardOutput);
    const QRegularExpressionMatch line =
        QRegularExpression(
            QStringLiteral(
                "parameters: (\\d+) on that GPU \\(replicated parts included\\) of the model's (\\d+)"))
            .match(output);
    QVERIFY2(line.hasMatch(), qPrintable(output));
    const double share = line.captured(1).toDouble(), total = line.captured(2).toDouble();
    QVERIFY(std::abs(total / 236e9 - 1) < 0.02);
    QVERIFY(share > total / 8 && share < total / 4);  // an eighth of the split parts plus the replicated ones
  }
};

QTEST_GUILESS_MAIN(TestPlanCli)
#include "test_plan_cli.moc"
