// Measured-mode speed (issue 5): the batched teacher-forced forward with attention capture over
// 512, 2,048 and 8,192 tokens of stories260K, against the plain one-token-at-a-time forward
// with a KV cache (ReferenceForward.h) timed in the same run. Run: build/tests/bench/bench_forward
// (SINKSCOPE_BENCH_REFERENCE_8192=1 also times the slow reference at 8,192 tokens).
#include "TestSupport.h"
#include "gguf/GgufFile.h"
#include "inference/ForwardPass.h"
#include "inference/LlamaModel.h"
#include "inference/ReferenceForward.h"
#include "inference/Tokenizer.h"

#include <QElapsedTimer>
#include <QFile>
#include <QtTest>
#include <memory>

using namespace sinkscope;

class BenchForward : public QObject {
  Q_OBJECT
  std::unique_ptr<GgufFile> file_;
  std::unique_ptr<LlamaModel> model_;
  std::vector<int> tokens_;

  ForwardOptions options(int tokens) const {
    ForwardOptions options;
    options.schedule = computeRopeSchedule(ropeParametersForGguf(model_->hyper(), 512), tokens);
    options.trainedContext = 512;
    options.heatmapRows = {63, 255, 511, qint64(tokens) - 1};
    return options;
  }

  double referenceSeconds(int tokens) const {
    QElapsedTimer timer;
    timer.start();
    IncrementalForward decoder(*model_, options(tokens).schedule, KvPolicy{}, tokens);
    float checksum = 0;
    for (int p = 0; p < tokens; ++p) checksum += decoder.step(tokens_[size_t(p)])[0];
    const double seconds = double(timer.nsecsElapsed()) * 1e-9;
    if (!std::isfinite(checksum)) qWarning("reference produced non-finite logits");
    return seconds;
  }

 private slots:
  void initTestCase() {
    const QString path = test::sharedGgufPath();
    if (path.isEmpty()) QSKIP("stories260K.gguf not found at ../shared/models or $SINKSCOPE_TEST_GGUF");
    file_ = std::make_unique<GgufFile>(path);
    model_ = std::make_unique<LlamaModel>(LlamaModel::load(*file_));
    QFile text(QStringLiteral(":/texts/simple-stories.txt"));
    QVERIFY(text.open(QIODevice::ReadOnly));
    tokens_ = SentencePieceTokenizer::fromGguf(*file_).encode(QString::fromUtf8(text.readAll()).trimmed());
    QVERIFY(tokens_.size() >= 8192);
  }

  void batchedForwardWithCapture_data() {
    QTest::addColumn<int>("tokens");
    QTest::newRow("512") << 512;
    QTest::newRow("2048") << 2048;
    QTest::newRow("8192") << 8192;
  }

  void batchedForwardWithCapture() {
    QFETCH(int, tokens);
    const std::span<const int> input(tokens_.data(), size_t(tokens));
    const ForwardOptions forwardOptions = options(tokens);
    QElapsedTimer timer;
    timer.start();
    const ForwardResult once = runForward(*model_, input, forwardOptions);
    const double batchedSeconds = double(timer.nsecsElapsed()) * 1e-9;
    QCOMPARE(once.nll.size(), size_t(tokens - 1));
    const bool timeReference = tokens <= 2048 || qEnvironmentVariableIsSet("SINKSCOPE_BENCH_REFERENCE_8192");
    const double reference = timeReference ? referenceSeconds(tokens) : 0.0;
    qInfo().noquote() << QStringLiteral("tokens %1: batched %2 s (%3 tokens/s)%4")
                             .arg(tokens)
                             .arg(batchedSeconds, 0, 'f', 3)
                             .arg(double(tokens) / batchedSeconds, 0, 'f', 0)
                             .arg(timeReference ? QStringLiteral(", reference %1 s (%2 tokens/s), ratio %3x")
                                                      .arg(reference, 0, 'f', 3)
                                                      .arg(double(tokens) / reference, 0, 'f', 0)
                                                      .arg(reference / batchedSeconds, 0, 'f', 1)
                                                : QString());
    QBENCHMARK {
      const ForwardResult result = runForward(*model_, input, forwardOptions);
      QVERIFY(!result.nll.empty());
    }
  }
};

QTEST_GUILESS_MAIN(BenchForward)
#include "bench_forward.moc"
