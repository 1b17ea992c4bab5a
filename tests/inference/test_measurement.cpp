// Tests of measured mode: the loss-spike detector against closed forms, the measurement's
// JSON contract, the `sinkscope measure` command's bad-input handling (exit 3 naming the
// field), and the real stories260K NLL figures of docs/references.md section 8.
#include "TestSupport.h"
#include "TinyModel.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/LlamaModel.h"
#include "inference/LossSpike.h"
#include "inference/Measurement.h"
#include "inference/Tokenizer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope;

namespace {

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
  const QString path = dir.filePath(name);
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write fixture");
  file.write(bytes);
  return path;
}

void expectExit(const QStringList& args, int code, const QStringList& fragments) {
  const test::CliResult result = test::runCli(args);
  const QString error = QString::fromUtf8(result.standardError);
  QVERIFY2(result.exitCode == code,
           qPrintable(QStringLiteral("exit %1, stderr: %2").arg(result.exitCode).arg(error)));
  QVERIFY2(error.startsWith(QStringLiteral("error: ")), qPrintable(error));
  QCOMPARE(error.count(QStringLiteral("error:")), 1);
  for (const QString& fragment : fragments)
    QVERIFY2(error.contains(fragment), qPrintable(error + QStringLiteral(" lacks ") + fragment));
  QVERIFY(result.standardOutput.isEmpty());
}

}  // namespace

class TestMeasurement : public QObject {
  Q_OBJECT

 private slots:
  // Page's CUSUM on a deterministic step: excess 0 before position c, mu after. S grows by
  // mu - k per token from c, so the alarm is at c + ceil(h / (mu - k)) - 1 and the onset is c.
  // mu = 0.2625, k = 0.05, h = 50: 50 / 0.2125 = 235.3, so 236 tokens.
  void cusumFindsAStepAtItsOnset() {
    std::vector<float> control(2000, 1.0f), nll(2000, 1.0f);
    for (size_t p = 500; p < nll.size(); ++p) nll[p] = 1.2625f;
    const LossSpike spike = detectLossSpike(nll, control, LossSpikeSettings{0.05, 50.0});
    QVERIFY(spike.detected);
    QCOMPARE(spike.onsetPosition, qint64(500));
    QCOMPARE(spike.contextCap, qint64(500));
    QCOMPARE(spike.alarmPosition, qint64(500 + 236 - 1));
    SINKSCOPE_COMPARE_NEAR(spike.meanExcess, 0.2625 * 1500 / 2000, 1e-6);
  }

  // Default heatmap rows: one at each doubling of the trained context, so a 26K-token text at
  // L0 = 512 shows rows past 2·L0 and not only the last token.
  void defaultHeatmapRowsFollowEachDoubling() {
    const std::vector<qint64> longText{63, 255, 511, 1023, 2047, 4095, 8191, 16383, 26582};
    QCOMPARE(defaultHeatmapRows(26583, 512), longText);
    const std::vector<qint64> inside{63, 255, 299};
    QCOMPARE(defaultHeatmapRows(300, 512), inside);
    const std::vector<qint64> exact{63, 255, 511, 1023};
    QCOMPARE(defaultHeatmapRows(1024, 512), exact);
  }

  void cusumIgnoresExcessBelowTheAllowance() {
    std::vector<float> control(5000, 2.0f), nll(5000, 2.04f);    // 0.04 < k = 0.05
    for (size_t p = 0; p < nll.size(); p += 7) nll[p] += 0.05f;  // bumps: mean excess 0.047
    const LossSpike spike = detectLossSpike(nll, control);
    QVERIFY(!spike.detected);
    QCOMPARE(spike.contextCap, qint64(5001));
    QVERIFY_THROWS_EXCEPTION(Error, detectLossSpike(nll, std::vector<float>(3, 0.0f)));
  }

  // measureEach computes the in-distribution control once and reuses it: every run carries the
  // control a standalone measure() of that mitigation computes itself.
  void measureEachReusesTheOneControl() {
    const GgufFile file(test::tinyModelBytes(), QStringLiteral("tiny.gguf"));
    const LlamaModel model = LlamaModel::load(file);
    std::vector<int> tokens{1};
    for (int i = 0; i < 99; ++i) tokens.push_back(3 + (i * 37) % 250);
    MeasureSettings settings;
    settings.trainedContext = 32;
    const auto runs = measureEach(model, QStringLiteral("tiny.gguf"), QStringLiteral("tiny"), tokens,
                                  {Mitigation::Baseline, Mitigation::Ntk}, settings);
    QCOMPARE(runs.runs.size(), size_t(2));
    settings.mitigation = Mitigation::Ntk;
    const Measurement alone =
        measure(model, QStringLiteral("tiny.gguf"), QStringLiteral("tiny"), tokens, settings);
    QVERIFY(runs.runs[1]->controlNll == alone.controlNll);
    QVERIFY(runs.runs[1]->forward.nll == alone.forward.nll);
    QCOMPARE(runs.runs[1]->contextCap, alone.contextCap);
  }

  void measurementJsonFollowsTheContract() {
    const GgufFile file(test::tinyModelBytes(), QStringLiteral("tiny.gguf"));
    const LlamaModel model = LlamaModel::load(file);
    std::vector<int> tokens{1};
    for (int i = 0; i < 99; ++i) tokens.push_back(3 + (i * 37) % 250);
    MeasureSettings settings;
    settings.mitigation = Mitigation::Streaming;
    settings.trainedContext = 32;
    settings.sinkTokens = 4;
    const Measurement m =
        measure(model, QStringLiteral("tiny.gguf"), QStringLiteral("tiny"), tokens, settings);
    QCOMPARE(m.kvPolicy.windowTokens, qint64(28));  // trained - sinks
    QCOMPARE(m.factor, 4.0);                        // ceil(100 / 32)
    const QJsonObject json = measurementToJson(m);
    for (const char* key : {"model", "tokens", "trained_context", "mitigation", "per_position", "sink",
                            "context_cap", "effective_context"})
      QVERIFY2(json.contains(QLatin1String(key)), key);
    QCOMPARE(json.value(QStringLiteral("source")).toString(), QStringLiteral("measured"));
    QCOMPARE(json.value(QStringLiteral("mitigation")).toString(), QStringLiteral("streaming"));
    QCOMPARE(json.value(QStringLiteral("tokens")).toInteger(), 100);
    const QJsonArray perPosition = json.value(QStringLiteral("per_position")).toArray();
    QCOMPARE(perPosition.size(), 100);
    QCOMPARE(perPosition[1].toObject().value(QStringLiteral("token")).toInt(), tokens[1]);
    QVERIFY(perPosition[99].toObject().value(QStringLiteral("nll")).isNull());  // no next token
    QVERIFY(perPosition[0].toObject().value(QStringLiteral("nll")).toDouble() > 0);
    const QJsonObject sink = json.value(QStringLiteral("sink")).toObject();
    QCOMPARE(sink.value(QStringLiteral("per_layer_head")).toArray().size(), 2 * 4);
    QCOMPARE(sink.value(QStringLiteral("epsilon")).toDouble(), 0.3);
    QVERIFY(json.value(QStringLiteral("effective_context")).toInteger() <= 32);  // the cache holds 4 + 28
  }

  // ---- the command line ----
  void cliMeasuresTheTinyModel() {
    QTemporaryDir dir;
    const QString gguf = writeFile(dir, QStringLiteral("tiny.gguf"), test::tinyModelBytes());
    const QString text = writeFile(dir, QStringLiteral("t.txt"), "ab abc ab c abc. ab abc cab ba abc ab");
    const test::CliResult result =
        test::runCli({QStringLiteral("measure"), QStringLiteral("--gguf"), gguf, QStringLiteral("--text"),
                      text, QStringLiteral("--trained-context"), QStringLiteral("16"),
                      QStringLiteral("--json"), QStringLiteral("--heatmap-rows"), QStringLiteral("3,10")});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QJsonObject json = QJsonDocument::fromJson(result.standardOutput).object();
    QCOMPARE(json.value(QStringLiteral("trained_context")).toInteger(), 16);
    QCOMPARE(json.value(QStringLiteral("trained_context_source")).toString(),
             QStringLiteral("--trained-context"));
    QCOMPARE(json.value(QStringLiteral("model")).toString(), QStringLiteral("tiny"));
    const QJsonArray heatmaps = json.value(QStringLiteral("heatmaps")).toArray();
    QCOMPARE(heatmaps.size(), 2 * 4);
    const QJsonObject first = heatmaps[0].toObject();
    QCOMPARE(first.value(QStringLiteral("query_positions")).toArray().size(), 2);
    double total = 0;
    for (const QJsonValue& mass : first.value(QStringLiteral("mass")).toArray()[1].toArray())
      total += mass.toDouble();
    SINKSCOPE_COMPARE_NEAR(total, 1.0, 1e-4);  // query 10's attention, pooled, still sums to 1
  }

  void cliRejectsBadInput() {
    QTemporaryDir dir;
    const QByteArray good = test::tinyModelBytes();
    const QString text = writeFile(dir, QStringLiteral("t.txt"), "abc ab");
    auto measureArgs = [&](const QString& gguf) {
      return QStringList{QStringLiteral("measure"), QStringLiteral("--gguf"), gguf, QStringLiteral("--text"),
                         text};
    };
    QByteArray wrongMagic = good;
    wrongMagic[1] = 'X';
    expectExit(measureArgs(writeFile(dir, QStringLiteral("magic.gguf"), wrongMagic)), 3,
               {QStringLiteral("magic.gguf: magic")});
    expectExit(measureArgs(writeFile(dir, QStringLiteral("cut.gguf"), good.left(good.size() / 3))), 3,
               {QStringLiteral("cut.gguf")});
    expectExit(measureArgs(writeFile(dir, QStringLiteral("data.gguf"), good.left(good.size() - 64))), 3,
               {QStringLiteral("data.gguf: tensor '"), QStringLiteral("offset")});
    QByteArray absurd = good;
    absurd.replace(8, 8, QByteArray::fromHex("ffffffffffffff0f"));
    expectExit(measureArgs(writeFile(dir, QStringLiteral("count.gguf"), absurd)), 3,
               {QStringLiteral("tensor_count")});
    GgufWriter quantised;
    quantised.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
    quantised.addRawTensor(QStringLiteral("token_embd.weight"), {256, 4}, GgmlType::IQ2_XXS,
                           QByteArray(4 * 66, '\0'));
    // Hyperparameters are checked first, so give the minimum that reaches the tensor.
    for (const auto& [key, value] : {std::pair{"llama.block_count", 1},
                                     {"llama.embedding_length", 256},
                                     {"llama.feed_forward_length", 8},
                                     {"llama.attention.head_count", 2},
                                     {"llama.context_length", 64}})
      quantised.addUint32(QLatin1String(key), quint32(value));
    expectExit(measureArgs(writeFile(dir, QStringLiteral("q4k.gguf"), quantised.toBytes())), 3,
               {QStringLiteral("token_embd.weight"), QStringLiteral("IQ2_XXS")});
    GgufWriter mamba;  // an architecture measured mode does not run
    mamba.addString(QStringLiteral("general.architecture"), QStringLiteral("mamba"));
    expectExit(measureArgs(writeFile(dir, QStringLiteral("mamba.gguf"), mamba.toBytes())), 3,
               {QStringLiteral("general.architecture"), QStringLiteral("mamba")});
    expectExit(measureArgs(dir.filePath(QStringLiteral("absent.gguf"))), 3, {QStringLiteral("absent.gguf")});

    const QString gguf = writeFile(dir, QStringLiteral("tiny.gguf"), good);
    QByteArray many;
    for (int i = 0; i < 40000; ++i) many += "5 ";
    const QString tooLong = writeFile(dir, QStringLiteral("long.txt"), many);
    expectExit(
        {QStringLiteral("measure"), QStringLiteral("--gguf"), gguf, QStringLiteral("--tokens"), tooLong}, 3,
        {QStringLiteral("tokens"), QStringLiteral("limit")});
    expectExit({QStringLiteral("measure"), QStringLiteral("--gguf"), gguf, QStringLiteral("--tokens"),
                writeFile(dir, QStringLiteral("bad.txt"), "1 2 99999")},
               3, {QStringLiteral("bad.txt: token 2")});
    expectExit(measureArgs(gguf) << QStringLiteral("--context") << QStringLiteral("500"), 3,
               {QStringLiteral("t.txt: tokens"), QStringLiteral("the context of 500")});
    expectExit(measureArgs(gguf) << QStringLiteral("--mitigation") << QStringLiteral("magic"), 2,
               {QStringLiteral("--mitigation")});
    expectExit(measureArgs(gguf) << QStringLiteral("--mitigation") << QStringLiteral("alibi"), 3,
               {QStringLiteral("alibi")});
    expectExit({QStringLiteral("measure"), QStringLiteral("--text"), text}, 2, {QStringLiteral("--gguf")});
    expectExit({QStringLiteral("measure"), QStringLiteral("--gguf"), gguf}, 2, {QStringLiteral("--text")});
  }

  // docs/references.md section 8, measured elsewhere in float64 on another text: about 1.27-1.32 nats
  // inside 512 tokens, 1.49-1.67 beyond; a 512-token window brings it back to 1.26-1.43; little
  // sink on position 0. Our text differs, so the check is on the shape, with the ranges widened
  // by 0.1 nats: loss rises beyond 512 at baseline, the window restores it, no head is a sink.
  void realModelDegradesBeyondItsTrainedContext() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(path);
    const GgufFile file(path);
    const LlamaModel model = LlamaModel::load(file);
    QFile textFile(QStringLiteral(":/texts/simple-stories.txt"));
    QVERIFY(textFile.open(QIODevice::ReadOnly));
    // Tokenised through the command's own path is tested above; here the library's.
    const QString text = QString::fromUtf8(textFile.readAll()).trimmed();
    const auto tokenizer = SentencePieceTokenizer::fromGguf(file);
    std::vector<int> tokens = tokenizer.encode(text);
    QVERIFY2(tokens.size() >= 8000, qPrintable(QString::number(tokens.size())));
    tokens.resize(2048);
    MeasureSettings settings;
    settings.trainedContext = 512;
    const Measurement baseline = measure(model, path, QStringLiteral("stories260K"), tokens, settings);
    settings.mitigation = Mitigation::WindowOnly;
    const Measurement window = measure(model, path, QStringLiteral("stories260K"), tokens, settings);
    QVERIFY(baseline.meanNllInside > 1.17 && baseline.meanNllInside < 1.42);
    QVERIFY(baseline.meanNllBeyond > 1.39 && baseline.meanNllBeyond < 1.77);
    QVERIFY(baseline.meanNllBeyond > baseline.meanNllInside + 0.15);
    QVERIFY(window.meanNllBeyond > 1.16 && window.meanNllBeyond < 1.53);
    QVERIFY(window.meanNllBeyond < baseline.meanNllBeyond - 0.1);
    QCOMPARE(baseline.forward.sinkRate(), 0.0);
    double meanSink = 0;
    for (const auto& head : baseline.forward.heads)
      meanSink += head.meanSinkMass1 / double(baseline.forward.heads.size());
    QVERIFY2(meanSink < 0.02,
             qPrintable(QString::number(meanSink)));  // uniform over 2048 keys would be ~0.004
    QVERIFY(baseline.lossSpike.detected);
    QVERIFY2(baseline.contextCap > 256 && baseline.contextCap < 1024,
             qPrintable(QString::number(baseline.contextCap)));
    QVERIFY(!window.lossSpike.detected);
  }
};

QTEST_GUILESS_MAIN(TestMeasurement)
#include "test_measurement.moc"
