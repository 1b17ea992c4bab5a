// Measured mode against llama.cpp (issue 14): prompt throughput of measure() (the forward pass
// with attention capture) and of llama.cpp's prompt processing on the same GGUF, the same tokens
// and 2 threads, side by side in one run, for llama-shaped ~370M-parameter files in F16, Q8_0
// and (when the type table can encode Q4_K and Q6_K) a Q4_K_M-style mix, at 1,024 and 4,096 tokens.
// Prints "ratio" = SinkScope tokens/s / llama.cpp tokens/s (above 1: SinkScope is faster).
// Run: OMP_NUM_THREADS=2 build/tests/bench/bench_llamacpp [row names, e.g. Q8_0-1024]
// Needs node and node-llama-cpp (scripts/setup.sh installs it; $SINKSCOPE_LLAMACPP_DIR or
// /tmp/llamacpp otherwise) and writes its model files under $SINKSCOPE_BENCH_DIR (default
// /tmp/sinkscope-bench, about 1.3 GB; kept for the next run).
#include "LlamaShapedModel.h"
#include "inference/GgufFile.h"
#include "inference/LlamaModel.h"
#include "inference/Measurement.h"
#include "inference/TensorTypes.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

using namespace sinkscope;

namespace {

QString benchDir() { return qEnvironmentVariable("SINKSCOPE_BENCH_DIR", QStringLiteral("/tmp/sinkscope-bench")); }

QString llamaCppDir() {
  const QStringList candidates{qEnvironmentVariable("SINKSCOPE_LLAMACPP_DIR"), QStringLiteral("/tmp/llamacpp")};
  for (const QString& dir : candidates)
    if (!dir.isEmpty() && QFile::exists(dir + QStringLiteral("/prefill.mjs")) && QFile::exists(dir + QStringLiteral("/node_modules/node-llama-cpp")))
      return dir;
  return {};
}

bool canEncode(GgmlType type) {
  const TensorTypeTraits* traits = tensorTypeTraits(type);
  return traits && traits->quantize;
}

// llama.cpp's Q4_K_M choice (llama-quant.cpp, GGUF-NOTES.md): Q6_K for the output head and for
// attn_v and ffn_down in the first and last eighth of the layers and every third layer between.
GgmlType q4kmType(const QString& name, int layer, int layers) {
  if (name == QLatin1String("output.weight")) return GgmlType::Q6_K;
  const bool moreBits = layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
  if ((name.endsWith(QLatin1String("attn_v.weight")) || name.endsWith(QLatin1String("ffn_down.weight"))) && moreBits)
    return GgmlType::Q6_K;
  return GgmlType::Q4_K;
}

QString modelPath(const QString& kind) {
  const QString path = benchDir() + QStringLiteral("/llama370m-%1.gguf").arg(kind);
  if (QFile::exists(path)) return path;
  QDir().mkpath(benchDir());
  bench::TensorTypeChooser chooser;
  if (kind == QLatin1String("F16")) chooser = bench::allOf(GgmlType::F16);
  else if (kind == QLatin1String("Q8_0")) chooser = bench::allOf(GgmlType::Q8_0);
  else chooser = q4kmType;
  qInfo().noquote() << "writing" << path;
  bench::writeLlamaShapedGguf(path + QStringLiteral(".part"), bench::LlamaShape{}, chooser);
  QFile::rename(path + QStringLiteral(".part"), path);
  return path;
}

// llama.cpp's prompt processing of the same tokens: seconds, or a negative number on failure.
double llamaCppSeconds(const QString& dir, const QString& model, const QString& tokensFile) {
  QProcess node;
  node.start(QStringLiteral("node"), {dir + QStringLiteral("/prefill.mjs"), model, tokensFile, QStringLiteral("2")});
  if (!node.waitForFinished(20 * 60 * 1000) || node.exitCode() != 0) {
    qWarning().noquote() << "llama.cpp failed:" << node.readAllStandardError().right(400);
    return -1;
  }
  const QList<QByteArray> lines = node.readAllStandardOutput().trimmed().split('\n');
  return QJsonDocument::fromJson(lines.last()).object().value(QStringLiteral("seconds")).toDouble(-1);
}

}  // namespace

class LlamaCppBench : public QObject {
  Q_OBJECT
  QString llamaCpp_;

 private slots:
  void initTestCase() {
    llamaCpp_ = llamaCppDir();
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty() || llamaCpp_.isEmpty())
      QSKIP("node or node-llama-cpp not found ($SINKSCOPE_LLAMACPP_DIR, /tmp/llamacpp): run scripts/setup.sh");
  }

  void promptThroughput_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("tokens");
    for (const char* kind : {"F16", "Q8_0", "Q4_K_M"})
      for (int tokens : {1024, 4096}) QTest::newRow(qPrintable(QStringLiteral("%1-%2").arg(QLatin1String(kind)).arg(tokens))) << QString::fromLatin1(kind) << tokens;
  }

  void promptThroughput() {
    QFETCH(QString, kind);
    QFETCH(int, tokens);
    if (kind == QLatin1String("Q4_K_M") && !(canEncode(GgmlType::Q4_K) && canEncode(GgmlType::Q6_K)))
      QSKIP("the type table cannot encode Q4_K and Q6_K yet");
    const QString path = modelPath(kind);
    const GgufFile file(path);
    const LlamaModel model = LlamaModel::load(file);
    QRandomGenerator random(static_cast<quint32>(tokens));
    std::vector<int> ids{1};
    while (int(ids.size()) < tokens) ids.push_back(int(random.bounded(3, model.hyper().vocabSize)));
    const QString tokensFile = benchDir() + QStringLiteral("/tokens-%1.txt").arg(tokens);
    {
      QFile out(tokensFile);
      QVERIFY(out.open(QIODevice::WriteOnly));
      for (int id : ids) out.write(QByteArray::number(id) + ' ');
    }
    // Alternate the two, twice, and keep each one's best: the machine is shared.
    double ours = 1e300, theirs = 1e300;
    auto timeOurs = [&] {
      QElapsedTimer timer;
      timer.start();
      const Measurement m = measure(model, path, kind, ids, MeasureSettings{});
      ours = std::min(ours, double(timer.nsecsElapsed()) * 1e-9);
      return m.forward.nll.size();
    };
    for (int round = 0; round < 2; ++round) {
      size_t positions = 0;
      if (round == 0) {
        positions = timeOurs();
      } else {
        QBENCHMARK_ONCE { positions = timeOurs(); }
      }
      QCOMPARE(positions, size_t(tokens - 1));
      const double llama = llamaCppSeconds(llamaCpp_, path, tokensFile);
      QVERIFY(llama > 0);
      theirs = std::min(theirs, llama);
    }
    qInfo().noquote() << QStringLiteral("%1 %2 tokens: sinkscope %3 s (%4 tok/s), llama.cpp %5 s (%6 tok/s), ratio %7")
                             .arg(kind).arg(tokens).arg(ours, 0, 'f', 2).arg(tokens / ours, 0, 'f', 1)
                             .arg(theirs, 0, 'f', 2).arg(tokens / theirs, 0, 'f', 1).arg(theirs / ours, 0, 'f', 2);
  }
};

QTEST_GUILESS_MAIN(LlamaCppBench)
#include "bench_llamacpp.moc"
