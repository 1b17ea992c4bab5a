// Measured mode against llama.cpp (issue 14): prompt throughput of measure() (the forward pass
// with attention capture) and of llama.cpp's prompt processing on the same GGUF, the same tokens
// and 2 threads, side by side in one run, for llama-shaped ~370M-parameter files in F16, Q8_0
// and (when the type table can encode Q4_K and Q6_K) a Q4_K_M-style mix, and for qwen2- and
// gemma2-shaped Q8_0 files of 390 M and 320 M parameters, at 1,024 and 4,096 tokens.
// Prints "ratio" = SinkScope tokens/s / llama.cpp tokens/s (above 1: SinkScope is faster).
// Run: OMP_NUM_THREADS=2 build/tests/bench/bench_llamacpp promptThroughput:Q8_0-1024 (row names: data())
// Needs node and node-llama-cpp (scripts/setup.sh installs it) and writes its model files under
// $SINKSCOPE_BENCH_DIR (default /tmp/sinkscope-bench, about 1.4 GB; kept for the next run).
// Wall-clock seconds are the figures; CPU seconds (all threads) are printed beside them because
// on a loaded machine llama.cpp's spinning thread barriers stretch its wall time.
#include "GeneratedLlama.h"
#include "TestSupport.h"
#include "gguf/GgufFile.h"
#include "inference/LlamaModel.h"
#include "inference/Measurement.h"
#include "inference/TensorTypes.h"

#include <sys/resource.h>
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

QString benchDir() {
  return qEnvironmentVariable("SINKSCOPE_BENCH_DIR", QStringLiteral("/tmp/sinkscope-bench"));
}

// A folder holding prefill.mjs (tests/conformance/llamacpp/) beside a link to the node_modules
// that scripts/setup.sh installed ($SINKSCOPE_LLAMACPP_DIR, else its cache folder, else
// /tmp/llamacpp); empty when none has node-llama-cpp.
QString llamaCppRunner() {
  const QString cache = qEnvironmentVariable("XDG_CACHE_HOME", QDir::homePath() + QStringLiteral("/.cache"));
  const QStringList candidates{qEnvironmentVariable("SINKSCOPE_LLAMACPP_DIR"),
                               cache + QStringLiteral("/sinkscope/llamacpp"),
                               QStringLiteral("/tmp/llamacpp")};
  for (const QString& dir : candidates) {
    if (dir.isEmpty() || !QFile::exists(dir + QStringLiteral("/node_modules/node-llama-cpp/package.json")))
      continue;
    const QString runner = benchDir() + QStringLiteral("/llamacpp-runner");
    QDir().mkpath(runner);
    QFile::remove(runner + QStringLiteral("/node_modules"));
    QFile::link(dir + QStringLiteral("/node_modules"), runner + QStringLiteral("/node_modules"));
    QFile::remove(runner + QStringLiteral("/prefill.mjs"));
    if (!QFile::copy(test::sourceDir() + QStringLiteral("/tests/conformance/llamacpp/prefill.mjs"),
                     runner + QStringLiteral("/prefill.mjs")))
      return {};
    return runner;
  }
  return {};
}

bool canEncode(GgmlType type) {
  const TensorTypeTraits* traits = tensorTypeTraits(type);
  return traits && traits->quantize;
}

// The benchmark's models, each of realistic shape with a vocabulary of 32,000 and a context_length
// (4,096) that covers the longest run, so measure() runs one pass (no control pass):
// - llama: about 370 M parameters (E 1024, 24 layers, 16 heads, F 2816);
// - qwen2: Qwen2.5-0.5B's body (E 896, 24 layers, 14 heads, 2 KV heads, F 4864, q/k/v biases,
//   tied output; Qwen/Qwen2.5-0.5B config.json), about 390 M parameters with this vocabulary;
// - gemma2: Gemma 2's layout at about 320 M parameters (E 1024, 18 layers, 8 heads, 4 KV heads,
//   F 4096, post-norms, softcaps 50 / 30, window 4096 on alternate layers; Gemma Team 2024).
test::GeneratedLlamaShape benchShape(const QString& architecture) {
  test::GeneratedLlamaShape shape;
  shape.architecture = architecture;
  shape.vocab = 32000;
  shape.contextLength = 4096;
  if (architecture == QLatin1String("qwen2")) {
    shape.embedding = 896;
    shape.heads = 14;
    shape.kvHeads = 2;
    shape.feedForward = 4864;
    shape.layers = 24;
    shape.tiedOutput = true;
    shape.ropeBase = 1000000.0;
  } else if (architecture == QLatin1String("gemma2")) {
    shape.embedding = 1024;
    shape.heads = 8;
    shape.kvHeads = 4;
    shape.feedForward = 4096;
    shape.layers = 18;
    shape.slidingWindow = 4096;
    shape.attentionSoftcap = 50;
    shape.finalSoftcap = 30;
  } else {
    shape.embedding = 1024;
    shape.heads = 16;
    shape.kvHeads = 16;
    shape.feedForward = 2816;
    shape.layers = 24;
  }
  return shape;
}

QString modelPath(const QString& architecture, const QString& kind) {
  const QString size = architecture == QLatin1String("qwen2")    ? QStringLiteral("390m")
                       : architecture == QLatin1String("gemma2") ? QStringLiteral("320m")
                                                                 : QStringLiteral("370m");
  const QString path = benchDir() + QStringLiteral("/%1%2-%3.gguf").arg(architecture, size, kind);
  if (QFile::exists(path)) return path;
  QDir().mkpath(benchDir());
  const test::GeneratedLlamaShape shape = benchShape(architecture);
  const test::TensorTypePlan plan = kind == QLatin1String("Q4_K_M") ? test::TensorTypePlan::q4KM()
                                    : kind == QLatin1String("F16")
                                        ? test::TensorTypePlan::allMatrices(GgmlType::F16)
                                        : test::TensorTypePlan::allMatrices(GgmlType::Q8_0);
  qInfo().noquote() << "writing" << path;
  test::writeGeneratedLlama(path + QStringLiteral(".part"), shape, plan);
  QFile::rename(path + QStringLiteral(".part"), path);
  return path;
}

// llama.cpp's prompt processing of the same tokens: seconds, or a negative number on failure.
double llamaCppSeconds(const QString& dir, const QString& model, const QString& tokensFile) {
  QProcess node;
  node.start(QStringLiteral("node"),
             {dir + QStringLiteral("/prefill.mjs"), model, tokensFile, QStringLiteral("2")});
  if (!node.waitForFinished(20 * 60 * 1000) || node.exitCode() != 0) {
    qWarning().noquote() << "llama.cpp failed:" << node.readAllStandardError().right(400);
    return -1;
  }
  const QList<QByteArray> lines = node.readAllStandardOutput().trimmed().split('\n');
  return QJsonDocument::fromJson(lines.last()).object().value(QStringLiteral("seconds")).toDouble(-1);
}

// CPU seconds (user + system, all threads) of this process or of its reaped children.
double cpuSeconds(int who) {
  rusage usage{};
  getrusage(who, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + 1e-6 * double(t.tv_usec); };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

class BenchLlamaCpp : public QObject {
  Q_OBJECT
  QString llamaCpp_;

 private slots:
  void initTestCase() {
    llamaCpp_ = llamaCppRunner();
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty() || llamaCpp_.isEmpty())
      QSKIP(
          "node or node-llama-cpp not found ($SINKSCOPE_LLAMACPP_DIR, ~/.cache/sinkscope/llamacpp, "
          "/tmp/llamacpp): run scripts/setup.sh");
  }

  // Rows: the llama model in each type ("Q8_0-1024"), and the other graphs in Q8_0
  // ("qwen2-Q8_0-1024", "gemma2-Q8_0-1024").
  void promptThroughput_data() {
    QTest::addColumn<QString>("architecture");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("tokens");
    for (const char* kind : {"F16", "Q8_0", "Q4_K_M"})
      for (int tokens : {1024, 4096})
        QTest::newRow(qPrintable(QStringLiteral("%1-%2").arg(QLatin1String(kind)).arg(tokens)))
            << QStringLiteral("llama") << QString::fromLatin1(kind) << tokens;
    for (const char* architecture : {"qwen2", "gemma2"})
      for (int tokens : {1024, 4096})
        QTest::newRow(qPrintable(QStringLiteral("%1-Q8_0-%2").arg(QLatin1String(architecture)).arg(tokens)))
            << QString::fromLatin1(architecture) << QStringLiteral("Q8_0") << tokens;
  }

  void promptThroughput() {
    QFETCH(QString, architecture);
    QFETCH(QString, kind);
    QFETCH(int, tokens);
    if (kind == QLatin1String("Q4_K_M") && !(canEncode(GgmlType::Q4_K) && canEncode(GgmlType::Q6_K)))
      QSKIP("the type table cannot encode Q4_K and Q6_K yet");
    const QString path = modelPath(architecture, kind);
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
    double ours = 1e300, oursCpu = 1e300, theirs = 1e300, theirsCpu = 1e300;
    auto timeOurs = [&] {
      const double cpu0 = cpuSeconds(RUSAGE_SELF);
      QElapsedTimer timer;
      timer.start();
      const Measurement m = measure(model, path, kind, ids, MeasureSettings{});
      ours = std::min(ours, double(timer.nsecsElapsed()) * 1e-9);
      oursCpu = std::min(oursCpu, cpuSeconds(RUSAGE_SELF) - cpu0);
      return m.forward.nll.size();
    };
    for (int round = 0; round < 2; ++round) {
      size_t positions = 0;
      if (round == 0) {
        positions = timeOurs();
      } else {
        QBENCHMARK_ONCE {
          positions = timeOurs();
        }
      }
      QCOMPARE(positions, size_t(tokens - 1));
      const double cpu0 = cpuSeconds(RUSAGE_CHILDREN);
      const double llama = llamaCppSeconds(llamaCpp_, path, tokensFile);
      QVERIFY(llama > 0);
      theirs = std::min(theirs, llama);
      theirsCpu =
          std::min(theirsCpu, cpuSeconds(RUSAGE_CHILDREN) - cpu0);  // its whole process, model load included
    }
    qInfo().noquote()
        << QStringLiteral(
               "%1 %2 %3 tokens: sinkscope %4 s (%5 tok/s, %6 CPU-s), llama.cpp %7 s (%8 tok/s, %9 CPU-s for "
               "the whole process), ratio %10")
               .arg(architecture, kind)
               .arg(tokens)
               .arg(ours, 0, 'f', 2)
               .arg(tokens / ours, 0, 'f', 1)
               .arg(oursCpu, 0, 'f', 1)
               .arg(theirs, 0, 'f', 2)
               .arg(tokens / theirs, 0, 'f', 1)
               .arg(theirsCpu, 0, 'f', 1)
               .arg(theirs / ours, 0, 'f', 2);
  }
};

int main(int argc, char** argv) {
  // A 4,096-token row of llama.cpp alone can pass QtTest's 5-minute default on a busy machine.
  if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT")) qputenv("QTEST_FUNCTION_TIMEOUT", "14400000");
  QCoreApplication app(argc, argv);
  BenchLlamaCpp bench;
  return QTest::qExec(&bench, argc, argv);
}
#include "bench_llamacpp.moc"
