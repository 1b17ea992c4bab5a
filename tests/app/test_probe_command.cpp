// `sinkscope probe` as a user runs it: the JSON contract (modelled label, sink curve, heatmap,
// phase coverage), CSV, and the exit codes of docs/design.md for bad flags and inapplicable mitigations.
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using sinkscope::test::runCli;

class TestProbeCommand : public QObject {
  Q_OBJECT
 private slots:
  void jsonContract() {
    const auto r = runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                           QStringLiteral("--context"), QStringLiteral("16k"), QStringLiteral("--mitigation"),
                           QStringLiteral("ntk"), QStringLiteral("--layer"), QStringLiteral("5"),
                           QStringLiteral("--head"), QStringLiteral("2"), QStringLiteral("--contexts"),
                           QStringLiteral("2048,8192,16384"), QStringLiteral("--rows"), QStringLiteral("16"),
                           QStringLiteral("--bins"), QStringLiteral("32"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(r.standardOutput, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(o.value(QStringLiteral("source")).toString(), QStringLiteral("modelled"));
    QCOMPARE(o.value(QStringLiteral("context")).toInteger(), 16384);
    QCOMPARE(o.value(QStringLiteral("trained_context")).toInteger(), 4096);
    QCOMPARE(o.value(QStringLiteral("mitigation")).toString(), QStringLiteral("ntk"));
    QCOMPARE(o.value(QStringLiteral("scheme")).toObject().value(QStringLiteral("factor")).toDouble(), 4.0);
    const QJsonArray curve = o.value(QStringLiteral("sink_curve")).toArray();
    QCOMPARE(curve.size(), 3);
    for (const QJsonValue& point : curve) {
      const QJsonObject mean = point.toObject().value(QStringLiteral("mean")).toObject();
      QVERIFY(mean.value(QStringLiteral("sink_mass_4")).toDouble() >=
              mean.value(QStringLiteral("sink_mass_1")).toDouble());
      QVERIFY(point.toObject().contains(QStringLiteral("last")));
      QCOMPARE(point.toObject().value(QStringLiteral("needles")).toArray().size(), 3);
    }
    const QJsonObject heatmap = o.value(QStringLiteral("heatmap")).toObject();
    const QJsonArray mass = heatmap.value(QStringLiteral("mass")).toArray();
    QCOMPARE(mass.size(), 16);
    for (const QJsonValue& row : mass) {
      double sum = 0;
      for (const QJsonValue& v : row.toArray()) sum += v.toDouble();
      SINKSCOPE_COMPARE_NEAR(sum, 1.0, 1e-4);  // every row is a probability distribution
    }
    QCOMPARE(heatmap.value(QStringLiteral("bin_start")).toArray().size(), 33);
    const QJsonObject coverage = o.value(QStringLiteral("phase_coverage")).toObject();
    QCOMPARE(coverage.value(QStringLiteral("pairs")).toArray().size(), 64);
    QCOMPARE(coverage.value(QStringLiteral("critical_dims")).toInt(), 92);  // docs/references.md section 3
  }

  // Without --layer the probe reads the last layer, the default the window and the report share
  // (core modelledProbeRequest); Llama-2-7B has 32 layers (config.json num_hidden_layers).
  void defaultLayerIsTheLast() {
    const auto r = runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                           QStringLiteral("--context"), QStringLiteral("2048"), QStringLiteral("--rows"),
                           QStringLiteral("8"), QStringLiteral("--bins"), QStringLiteral("16"),
                           QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    QCOMPARE(QJsonDocument::fromJson(r.standardOutput).object().value(QStringLiteral("layer")).toInt(), 31);
  }

  void csvHasOneRowPerContext() {
    const auto r = runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("mpt-7b"),
                           QStringLiteral("--context"), QStringLiteral("4096"), QStringLiteral("--contexts"),
                           QStringLiteral("1024,4096"), QStringLiteral("--csv")});
    QVERIFY2(r.exitCode == 0, r.standardError.constData());
    const QList<QByteArray> lines = r.standardOutput.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith("context,queries,mean_sink_mass_1"));
    QVERIFY(lines[2].startsWith("4096,"));
  }

  // The generator is deterministic per seed (docs/modelled-attention.md): same seed, same numbers.
  void deterministicPerSeed() {
    const auto run = [](const char* seed) {
      return runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"),
                     QStringLiteral("--context"), QStringLiteral("8192"), QStringLiteral("--contexts"),
                     QStringLiteral("2048,8192"), QStringLiteral("--seed"), QString::fromLatin1(seed),
                     QStringLiteral("--csv")});
    };
    const auto a = run("7"), b = run("7"), c = run("8");
    QCOMPARE(a.exitCode, 0);
    QCOMPARE(a.standardOutput, b.standardOutput);
    QVERIFY(a.standardOutput != c.standardOutput);
  }

  // --runtime decides whether Mistral-7B-v0.1's 4,096-token window is honoured (docs/references.md
  // section 9: vLLM honours it, llama.cpp runs the checkpoint with full attention), as for plan and
  // report: under vLLM the last query of 16K cannot see token 0, under llama.cpp (the default) it can.
  // The printed launch flags are the chosen engine's (llama.cpp has no dynamic NTK: none).
  void runtimeDecidesTheWindowAndTheFlags() {
    const auto probe = [](const QStringList& extra) {
      QStringList args{
          QStringLiteral("probe"),     QStringLiteral("--model"),   QStringLiteral("mistral-7b-v0.1"),
          QStringLiteral("--context"), QStringLiteral("16384"),     QStringLiteral("--contexts"),
          QStringLiteral("16384"),     QStringLiteral("--queries"), QStringLiteral("4"),
          QStringLiteral("--rows"),    QStringLiteral("4"),         QStringLiteral("--bins"),
          QStringLiteral("16"),        QStringLiteral("--json")};
      const auto r = runCli(args + extra);
      if (r.exitCode != 0) qWarning("%s", r.standardError.constData());
      return QJsonDocument::fromJson(r.standardOutput).object();
    };
    const auto lastRowSink = [](const QJsonObject& o) {
      const QJsonArray mass =
          o.value(QStringLiteral("heatmap")).toObject().value(QStringLiteral("mass")).toArray();
      return mass.last().toArray().first().toDouble();
    };
    const QJsonObject llamaCpp = probe({QStringLiteral("--mitigation"), QStringLiteral("dynamic-ntk")});
    QCOMPARE(llamaCpp.value(QStringLiteral("runtime")).toString(), QStringLiteral("llama.cpp"));
    QCOMPARE(llamaCpp.value(QStringLiteral("window_honoured")).toBool(), false);
    QVERIFY(lastRowSink(llamaCpp) > 0);
    QVERIFY(llamaCpp.value(QStringLiteral("launch_flags"))
                .toObject()
                .value(QStringLiteral("for_runtime"))
                .isNull());
    const QJsonObject vllm = probe({QStringLiteral("--mitigation"), QStringLiteral("dynamic-ntk"),
                                    QStringLiteral("--runtime"), QStringLiteral("vllm")});
    QCOMPARE(vllm.value(QStringLiteral("window_honoured")).toBool(), true);
    QCOMPARE(lastRowSink(vllm), 0.0);
    QVERIFY(vllm.value(QStringLiteral("launch_flags"))
                .toObject()
                .value(QStringLiteral("for_runtime"))
                .toString()
                .contains(QStringLiteral("--hf-overrides")));
    const auto text =
        runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"),
                QStringLiteral("--context"), QStringLiteral("16384"), QStringLiteral("--contexts"),
                QStringLiteral("16384"), QStringLiteral("--queries"), QStringLiteral("4"),
                QStringLiteral("--mitigation"), QStringLiteral("ntk"), QStringLiteral("--runtime"),
                QStringLiteral("LLAMA.CPP")});
    QVERIFY2(text.exitCode == 0, text.standardError.constData());
    QVERIFY(text.standardOutput.contains("attends to every key under llama.cpp"));
    QVERIFY(text.standardOutput.contains("Launch flags (llama.cpp): --rope-"));
    const auto bad = runCli({QStringLiteral("probe"), QStringLiteral("--model"),
                             QStringLiteral("mistral-7b-v0.1"), QStringLiteral("--context"),
                             QStringLiteral("8192"), QStringLiteral("--runtime"), QStringLiteral("tgi")});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.standardError.startsWith("error: --runtime"));
  }

  void errorsNameTheField() {
    auto r = runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                     QStringLiteral("--context"), QStringLiteral("8192"), QStringLiteral("--mitigation"),
                     QStringLiteral("bogus")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.standardError.startsWith("error: --mitigation"));
    r = runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("llama-2-7b")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.standardError.contains("--context"));
    r = runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                QStringLiteral("--context"), QStringLiteral("8192"), QStringLiteral("--mitigation"),
                QStringLiteral("alibi")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.standardError.contains("alibi"));
    r = runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("no-such-model"),
                QStringLiteral("--context"), QStringLiteral("8192")});
    QCOMPARE(r.exitCode, 3);
    r = runCli({QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                QStringLiteral("--context"), QStringLiteral("8192"), QStringLiteral("--layer"),
                QStringLiteral("32")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.standardError.startsWith("error: --layer"));
  }
};

QTEST_GUILESS_MAIN(TestProbeCommand)
#include "test_probe_command.moc"
