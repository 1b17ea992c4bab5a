// Tests of measured mode with weights kept encoded in the file's memory map: the model holds
// views, the tiled products equal plain float products, refused types and non-finite scales name
// the tensor, progress and cancellation inside the products, the memory accounting against a
// real child's peak RSS, and the one-line description of an opened GGUF.
#include "TestSupport.h"
#include "TinyModel.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "common/NumberFormat.h"
#include "gguf/GgufFile.h"
#include "inference/EncodedProduct.h"
#include "inference/ForwardPass.h"
#include "inference/GgufSummary.h"
#include "inference/LlamaModel.h"
#include "inference/MemoryBudget.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

std::vector<int> someTokens(int count, int vocab) {
  std::vector<int> tokens{1};
  for (int i = 1; i < count; ++i) tokens.push_back(3 + (i * 37) % (vocab - 3));
  return tokens;
}

QString describeError(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.kind() == ErrorKind::BadInput ? error.describe()
                                               : QStringLiteral("not bad input: ") + error.describe();
  }
  return QStringLiteral("no error");
}

// Peak resident set (bytes) of a child running the sinkscope command line, or -1.
qint64 childPeakRss(const QStringList& args) {
  const QByteArray program = qgetenv("SINKSCOPE_CLI");
  if (program.isEmpty()) return -1;
  std::vector<QByteArray> storage{program};
  for (const QString& arg : args) storage.push_back(arg.toLocal8Bit());
  std::vector<char*> argv;
  for (QByteArray& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (pid < 0 || wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return qint64(usage.ru_maxrss) * 1024;  // kilobytes on Linux
}

}  // namespace

class TestEncodedWeights : public QObject {
  Q_OBJECT

 private slots:
  // The model's matrices point into the GgufFile's bytes: nothing is decoded at load.
  void matricesAreViewsOfTheFile() {
    test::TinyModelShape shape;
    shape.embedding = 32;
    shape.feedForward = 64;
    shape.type = GgmlType::Q8_0;
    const GgufFile file(test::tinyModelBytes(shape), QStringLiteral("q8.gguf"));
    const LlamaModel model = LlamaModel::load(file);
    const GgufTensorInfo& gate = file.tensor(QStringLiteral("blk.1.ffn_gate.weight"));
    QCOMPARE(model.layers()[1].gate.data, file.tensorBytes(gate).data());
    QCOMPARE(model.layers()[1].gate.traits->type, GgmlType::Q8_0);
    QCOMPARE(model.layers()[1].gate.rows, qint64(64));
    QCOMPARE(model.layers()[1].gate.cols, qint64(32));
    qint64 matrixBytes = 0;
    for (const GgufTensorInfo& info : file.tensors())
      if (info.shape.size() == 2) matrixBytes += qint64(info.byteSize);
    QCOMPARE(model.weightBytes(), matrixBytes);
  }

  // Tiles spread over threads and row steps give the plain product of the decoded matrix (a
  // float sum in another order: equal within float rounding).
  void tiledProductEqualsThePlainProduct() {
    const qint64 rows = 300, cols = 8192;  // 2.4 M weights: several tiles of kDecodedTileFloats
    std::vector<float> weights(size_t(rows * cols));
    QRandomGenerator random(5);
    for (float& w : weights) w = float(random.generateDouble() - 0.5);
    const EncodedMatrix w{tensorTypeTraits(GgmlType::F32), reinterpret_cast<const std::byte*>(weights.data()),
                          rows, cols, QStringLiteral("w")};
    RowMatrix x = RowMatrix::Random(5, cols);
    RowMatrix y = RowMatrix::Constant(5, rows, 1.0f);
    QVERIFY(multiplyByTransposed(x, w, y, true));
    const RowMatrix expected =
        (x * Eigen::Map<const RowMatrix>(weights.data(), rows, cols).transpose()).array() + 1.0f;
    QVERIFY2((y - expected).cwiseAbs().maxCoeff() < 1e-3f,
             qPrintable(QString::number((y - expected).cwiseAbs().maxCoeff())));
    QVERIFY(!multiplyByTransposed(x, w, y, false, [] { return true; }));
  }

  void typeWithoutARowIsRefusedNamingTheTensor() {
    QByteArray bytes = test::tinyModelBytes();
    // I32 has the F32 layout (4 bytes a value) but no row in the type table.
    const QByteArray name("blk.0.attn_q.weight");
    const qsizetype at = bytes.indexOf(name) + name.size() + 4 + 16;  // n_dims, two dims, then the type
    const quint32 i32 = quint32(GgmlType::I32);
    bytes.replace(at, 4, QByteArray(reinterpret_cast<const char*>(&i32), 4));
    const GgufFile file(bytes, QStringLiteral("i32.gguf"));
    const QString error = describeError([&] { (void)LlamaModel::load(file); });
    QVERIFY2(error.contains(QStringLiteral("tensor 'blk.0.attn_q.weight' type")) &&
                 error.contains(QStringLiteral("I32")),
             qPrintable(error));
  }

  void nonFiniteScaleIsRefusedNamingTheBlock() {
    test::TinyModelShape shape;
    shape.embedding = 32;
    shape.feedForward = 64;
    shape.type = GgmlType::Q8_0;
    QByteArray bytes = test::tinyModelBytes(shape);
    const quint64 offset =
        GgufFile(bytes, QStringLiteral("q8.gguf")).tensor(QStringLiteral("blk.1.ffn_up.weight")).fileOffset;
    bytes[qsizetype(offset + 3 * 34)] = char(0x00);  // block 3's f16 scale = 0x7E00, a NaN
    bytes[qsizetype(offset + 3 * 34 + 1)] = char(0x7E);
    const GgufFile file(bytes, QStringLiteral("nan.gguf"));
    const QString error = describeError([&] { (void)LlamaModel::load(file); });
    QVERIFY2(error.contains(
                 QStringLiteral("tensor 'blk.1.ffn_up.weight': Q8_0 block 3 has a NaN or infinite scale")),
             qPrintable(error));
  }

  // Progress only grows, ends at 1, and is in proportion to work: the first layer's share of a
  // two-layer model is near half of the layers' work. A cancel inside a product stops the pass.
  void progressGrowsToOneAndCancelStopsThePass() {
    const GgufFile file(test::tinyModelBytes(), QStringLiteral("tiny.gguf"));
    const LlamaModel model = LlamaModel::load(file);
    ForwardOptions options;
    options.schedule = computeRopeSchedule(ropeParametersForGguf(model.hyper(), 0));
    std::vector<double> seen;
    options.progress = [&seen](double fraction) { seen.push_back(fraction); };
    (void)runForward(model, someTokens(100, model.hyper().vocabSize), options);
    QVERIFY(seen.size() > 10);
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    QCOMPARE(seen.back(), 1.0);
    QVERIFY(seen.front() > 0 && seen.front() < 0.1);
    int polls = 0;
    options.isCancelled = [&polls] { return ++polls > 5; };
    QVERIFY_THROWS_EXCEPTION(Cancelled, runForward(model, someTokens(100, model.hyper().vocabSize), options));
  }

  // docs/limits.md: the estimate counts the file (mapped), not float copies of its weights, and
  // a real measurement's peak RSS stays within file + activations + 512 MiB. The model is Q4_0-
  // sized so that float copies (~4x the file) would break a bound this test tightens to 64 MiB.
  void peakRssStaysWithinTheEstimate() {
    QTemporaryDir dir;
    test::TinyModelShape shape;
    shape.embedding = 512;
    shape.heads = 8;
    shape.kvHeads = 8;
    shape.feedForward = 1536;
    shape.layers = 12;
    shape.type = GgmlType::Q8_0;
    const QString path = dir.filePath(QStringLiteral("q8.gguf"));
    {
      QFile out(path);
      QVERIFY(out.open(QIODevice::WriteOnly));
      out.write(test::tinyModelBytes(shape));
    }
    const GgufFile file(path);
    const qint64 n = 256;
    const MeasureMemoryEstimate estimate = estimateMeasureMemory(file, n);
    QCOMPARE(estimate.weightBytes, qint64(file.fileSize()));
    const LlamaModel model = LlamaModel::load(file);
    qint64 floatBytes = 0;
    for (const GgufTensorInfo& info : file.tensors()) floatBytes += 4 * info.elementCount();
    QVERIFY(floatBytes > qint64(file.fileSize()) * 3);
    QFile ids(dir.filePath(QStringLiteral("ids.txt")));
    QVERIFY(ids.open(QIODevice::WriteOnly));
    for (int id : someTokens(int(n), model.hyper().vocabSize)) ids.write(QByteArray::number(id) + ' ');
    ids.close();
    const qint64 baseline = childPeakRss({QStringLiteral("list"), QStringLiteral("models")});
    const qint64 peak = childPeakRss({QStringLiteral("measure"), QStringLiteral("--gguf"), path,
                                      QStringLiteral("--tokens"), ids.fileName(), QStringLiteral("--json")});
    if (baseline < 0 || peak < 0) QSKIP("the sinkscope binary could not be run ($SINKSCOPE_CLI)");
    const qint64 allowed = baseline + estimate.totalBytes() + (qint64(64) << 20);
    QVERIFY2(peak <= allowed,
             qPrintable(QStringLiteral("peak %1 bytes, allowed %2 (baseline %3, estimate %4, floats %5)")
                            .arg(peak)
                            .arg(allowed)
                            .arg(baseline)
                            .arg(estimate.totalBytes())
                            .arg(floatBytes)));
  }

  // llama.h's llama_ftype numbers (docs/measured-mode.md).
  void fileTypeNames() {
    QCOMPARE(ggufFileTypeName(0), QStringLiteral("F32"));
    QCOMPARE(ggufFileTypeName(7), QStringLiteral("Q8_0"));
    QCOMPARE(ggufFileTypeName(15), QStringLiteral("Q4_K_M"));
    QCOMPARE(ggufFileTypeName(30), QStringLiteral("IQ4_XS"));
    QCOMPARE(ggufFileTypeName(5), QString());  // Q4_2, removed from llama.cpp
  }

  void describesAnOpenedFile() {
    GgufWriter writer;
    writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
    writer.addUint32(QStringLiteral("general.file_type"), 15);
    writer.addUint32(QStringLiteral("llama.block_count"), 32);
    for (int i = 0; i < 3; ++i)
      writer.addRawTensor(QStringLiteral("q4k.%1").arg(i), {256, 1}, GgmlType::Q4_K, QByteArray(144, '\0'));
    writer.addRawTensor(QStringLiteral("q6k"), {256, 1}, GgmlType::Q6_K, QByteArray(210, '\0'));
    writer.addTensor(QStringLiteral("norm.0"), {4}, {1, 1, 1, 1});
    writer.addTensor(QStringLiteral("norm.1"), {4}, {1, 1, 1, 1});
    const QByteArray bytes = writer.toBytes();
    // The size goes through the shared byte formatter (tested in test_number_format): a few KiB.
    QCOMPARE(
        describeGguf(GgufFile(bytes, QStringLiteral("m.gguf"))),
        QStringLiteral("Q4_K_M \u00b7 %1 \u00b7 3 Q4_K, 1 Q6_K, 2 F32 tensors \u00b7 llama \u00b7 32 layers")
            .arg(gibText(bytes.size())));
    // The size is the file's: a sparse 4.07 GiB file (4.07 x 2^30 bytes, rounded up).
    QTemporaryDir dir;
    QFile big(dir.filePath(QStringLiteral("big.gguf")));
    QVERIFY(big.open(QIODevice::WriteOnly));
    big.write(bytes);
    QVERIFY(big.resize(qint64(std::ceil(4.07 * double(qint64(1) << 30)))));
    big.close();
    QVERIFY(
        describeGguf(GgufFile(big.fileName())).startsWith(QStringLiteral("Q4_K_M \u00b7 4.07 GiB \u00b7 ")));
    // 4.07 GiB against 3.5 GiB: 4.07 / 3.5 = 1.162857 -> "1.16x".
    QCOMPARE(fileSizeAgainstPlannedWeights(qint64(std::ceil(4.07 * double(qint64(1) << 30))),
                                           qint64(3.5 * double(qint64(1) << 30)),
                                           QStringLiteral("Llama 2 7B"), QStringLiteral("q4_k_m")),
             QStringLiteral(
                 "File 4.07 GiB against the plan's 3.50 GiB of weights for Llama 2 7B in q4_k_m (1.16x)"));
    // stories260K's 1.1 MB against Mistral 7B's 13.49 GiB: no "0.00 GiB", no "(0.00x)".
    QCOMPARE(fileSizeAgainstPlannedWeights(1100000, 7241732096ll * 2, QStringLiteral("Mistral 7B"),
                                           QStringLiteral("bf16")),
             QStringLiteral(
                 "File 1.0 MiB against the plan's 13.49 GiB of weights for Mistral 7B in bf16 (under 1 % "
                 "of it: not this model's weights)"));
    GgufWriter bare;
    bare.addTensor(QStringLiteral("w"), {4}, {1, 1, 1, 1}, GgmlType::F16);
    const QByteArray bareBytes = bare.toBytes();
    QCOMPARE(describeGguf(GgufFile(bareBytes, QStringLiteral("bare.gguf"))),
             QStringLiteral("%1 \u00b7 1 F16 tensor").arg(gibText(bareBytes.size())));
  }
};

QTEST_GUILESS_MAIN(TestEncodedWeights)
#include "test_encoded_weights.moc"
