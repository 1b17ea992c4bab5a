// The limits of docs/limits.md: the largest context and model accepted, byte counts that stay
// within 64 bits at those limits, and measured mode's memory check, which refuses a model larger
// than the machine before any weight is allocated. Not the bad-input catalogue (test_bad_inputs).
#include "TestSupport.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/GgufWriter.h"
#include "inference/MemoryBudget.h"

#include <unistd.h>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope;

namespace {

// A llama GGUF whose token embedding claims vocab rows of `width` floats; the tensor data is a
// hole in a sparse file, so a huge embedding costs no disk and no memory.
void writeLlama(const QString& path, qint64 vocab, int width = 8) {
  GgufWriter writer;
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addUint32(QStringLiteral("llama.block_count"), 1);
  writer.addUint32(QStringLiteral("llama.context_length"), 128);
  writer.addUint32(QStringLiteral("llama.embedding_length"), quint32(width));
  writer.addUint32(QStringLiteral("llama.feed_forward_length"), 16);
  writer.addUint32(QStringLiteral("llama.attention.head_count"), 2);
  writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), 1);
  writer.addRawTensor(QStringLiteral("token_embd.weight"), {width, vocab}, GgmlType::F32, QByteArray());
  QByteArray bytes = writer.toBytes();
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  QCOMPARE(file.write(bytes), qint64(bytes.size()));
  QVERIFY(file.resize(bytes.size() + qint64(width) * vocab * 4));  // the tensor's bytes, as a hole
}

qint64 sysconfMemoryBytes() {
  return qint64(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE);
}

}  // namespace

class TestLimits : public QObject {
  Q_OBJECT

 private slots:
  void physicalMemoryIsKnown() {
    const qint64 bytes = physicalMemoryBytes();
    QVERIFY(bytes > 0);
    // MemTotal is the physical memory less what the kernel reserved at boot.
    QVERIFY2(bytes <= sysconfMemoryBytes() && bytes > sysconfMemoryBytes() / 2,
             qPrintable(QString::number(bytes)));
  }

  // Hand count (docs/limits.md) for E=8, H=2, KV=1, head_dim=4, F=16, vocab=4, 10 tokens in one
  // chunk, T threads: the file itself; per token 2*8 + 2*8 + 2*4 + 2 = 42 floats; scores T*10*(10+16);
  // the feed-forward chunk 10 rows x (2*16 + 8) = 400 floats (above the logits' 10 x (4 + 8));
  // a decoded tile per thread: the largest matrix, 16 x 8 = 128 floats.
  void estimateCountsWeightsAndActivations() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tiny.gguf"));
    writeLlama(path, 4);
    const MeasureMemoryEstimate estimate = estimateMeasureMemory(GgufFile(path), 10, 256);
    QCOMPARE(estimate.weightBytes, QFileInfo(path).size());
    const qint64 t = estimate.threads;
    QVERIFY(t >= 1);
    QCOMPARE(estimate.activationBytes, qint64((10 * 42 + t * 10 * 26 + 400 + t * 128) * 4));
  }

  void refusesWhatTheMachineCannotHold() {
    MeasureMemoryEstimate estimate;
    estimate.weightBytes = qint64(3) << 30;
    estimate.activationBytes = qint64(1) << 30;
    requireMemoryFor(estimate, QStringLiteral("m.gguf"), estimate.totalBytes());  // exactly fits
    requireMemoryFor(estimate, QStringLiteral("m.gguf"), 0);                      // unknown: no check
    try {
      requireMemoryFor(estimate, QStringLiteral("m.gguf"), qint64(2) << 30);
      QFAIL("a 4 GiB run was accepted on a 2 GiB machine");
    } catch (const Error& error) {
      QCOMPARE(error.kind(), ErrorKind::BadInput);
      QCOMPARE(error.describe(),
               QStringLiteral(
                   "m.gguf: memory: measuring needs about 4.0 GiB (3.0 GiB of weights mapped from the file, "
                   "1.0 GiB of activations), but this machine has 2.0 GiB; measure a shorter "
                   "context or a smaller model"));
    }
  }

  // A file claiming twice this machine's memory in float weights is refused from its shapes
  // alone: nothing is read from the (sparse) tensor data, nothing is allocated.
  void modelLargerThanTheMachineIsRefusedBeforeLoading() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("huge.gguf"));
    constexpr int kWidth = 65536;
    const qint64 vocab = std::min<qint64>(2 * physicalMemoryBytes() / (kWidth * 4), qint64(1) << 20);
    if (vocab * kWidth * 4 <= physicalMemoryBytes())
      QSKIP("this machine has more than 256 GiB, more than a 2^20 x 65536 embedding claims");
    writeLlama(path, vocab, kWidth);
    const GgufFile file(path);
    const MeasureMemoryEstimate estimate = estimateMeasureMemory(file, 2048);
    QVERIFY(estimate.totalBytes() > physicalMemoryBytes());
    QVERIFY_THROWS_EXCEPTION(Error, requireMemoryFor(estimate, path));
    // The command refuses it too, before LlamaModel::load would allocate the floats.
    QFile ids(dir.filePath(QStringLiteral("ids.txt")));
    QVERIFY(ids.open(QIODevice::WriteOnly));
    ids.write("1 2 3");
    ids.close();
    const auto result = test::runCli({QStringLiteral("measure"), QStringLiteral("--gguf"), path,
                                      QStringLiteral("--tokens"), ids.fileName()});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(
        result.standardError.startsWith(
            (QStringLiteral("error: ") + path + QStringLiteral(": memory: measuring needs about")).toUtf8()),
        result.standardError.constData());
    QVERIFY2(result.standardError.contains("but this machine has"), result.standardError.constData());
  }

  void largestContextIsAcceptedAndOneMoreIsNot() {
    const auto ok =
        test::runCli({QStringLiteral("plan"), QStringLiteral("--model"), QStringLiteral("llama-3.1-8b"),
                      QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"),
                      QStringLiteral("--context"), QStringLiteral("10485760"), QStringLiteral("--json")});
    QCOMPARE(ok.exitCode, 0);
    const auto refused =
        test::runCli({QStringLiteral("plan"), QStringLiteral("--model"), QStringLiteral("llama-3.1-8b"),
                      QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"),
                      QStringLiteral("--context"), QStringLiteral("10485761"), QStringLiteral("--json")});
    QCOMPARE(refused.exitCode, 2);
    QVERIFY(refused.standardError.contains("--context: 10485761 is outside [1, 10485760]"));
  }

  // Near the largest model accepted (6e13 parameters, 1.6e7 K/V elements per token), at the
  // largest context and batch with float32 KV: every byte count is a non-negative integer.
  void planAtTheLimitsStaysWithin64Bits() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config.json"));
    const QJsonObject config{{QStringLiteral("model_type"), QStringLiteral("llama")},
                             {QStringLiteral("hidden_size"), 65536},
                             {QStringLiteral("intermediate_size"), 262144},
                             {QStringLiteral("num_hidden_layers"), 1000},
                             {QStringLiteral("num_attention_heads"), 512},
                             {QStringLiteral("num_key_value_heads"), 64},
                             {QStringLiteral("vocab_size"), 16777216},
                             {QStringLiteral("max_position_embeddings"), 10485760},
                             {QStringLiteral("tie_word_embeddings"), false},
                             {QStringLiteral("rope_theta"), 1e6}};
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(config).toJson());
    file.close();
    const auto result =
        test::runCli({QStringLiteral("plan"), QStringLiteral("--model"), path, QStringLiteral("--hardware"),
                      QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"), QStringLiteral("10M"),
                      QStringLiteral("--batch"), QStringLiteral("1000000"), QStringLiteral("--kv-dtype"),
                      QStringLiteral("fp32"), QStringLiteral("--json")});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QJsonObject plan = QJsonDocument::fromJson(result.standardOutput).object();
    QCOMPARE(plan.value(QStringLiteral("fits")).toBool(true), false);
    const QJsonObject memory = plan.value(QStringLiteral("memory")).toObject();
    for (const QString& key : {QStringLiteral("weights_bytes"), QStringLiteral("kv_bytes"),
                               QStringLiteral("activation_bytes"), QStringLiteral("total_bytes")}) {
      const double bytes = memory.value(key).toDouble(-1);
      QVERIFY2(bytes >= 0 && bytes <= double(qint64(1) << 62),
               qPrintable(key + QStringLiteral(" = ") + QString::number(bytes)));
    }
    QCOMPARE(memory.value(QStringLiteral("kv_bytes")).toDouble(), double(qint64(1) << 60));  // saturated
  }
};

QTEST_GUILESS_MAIN(TestLimits)
#include "test_limits.moc"
