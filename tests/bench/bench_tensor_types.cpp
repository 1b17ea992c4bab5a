// Decoding speed of every row of the tensor-type table (core/inference/TensorTypes.h): 1 Mi values
// (a 1024 x 1024 matrix, L2-sized tiles are the forward pass's business) dequantized to float,
// against the F32 row (a memcpy) in the same run. Run: build/tests/bench/bench_tensor_types
#include "inference/TensorTypes.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QtTest>
#include <vector>

using namespace sinkscope;

namespace {
constexpr qint64 kValues = 1 << 20;

// Seconds per decode of kValues values, the best of `repeats` runs.
double decodeSeconds(const TensorTypeTraits& traits, const QByteArray& encoded, std::vector<float>& out,
                     int repeats) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    QElapsedTimer timer;
    timer.start();
    traits.dequantize(reinterpret_cast<const std::byte*>(encoded.constData()), out.data(), kValues);
    best = std::min(best, double(timer.nsecsElapsed()) * 1e-9);
  }
  return best;
}
}  // namespace

class BenchTensorTypes : public QObject {
  Q_OBJECT
  std::vector<float> values_ = std::vector<float>(size_t(kValues));

 private slots:
  void initTestCase() {
    QRandomGenerator random(1);
    for (float& v : values_) v = float(random.generateDouble() * 2 - 1);
  }

  void dequantize_data() {
    QTest::addColumn<quint32>("typeId");
    for (const TensorTypeTraits& traits : computableTensorTypes())
      QTest::newRow(traits.name) << quint32(traits.type);
  }
  void dequantize() {
    QFETCH(quint32, typeId);
    const TensorTypeTraits& traits = *tensorTypeTraits(GgmlType(typeId));
    QByteArray encoded(qsizetype(traits.rowBytes(kValues)), '\0');
    traits.quantize(values_.data(), reinterpret_cast<std::byte*>(encoded.data()), kValues);
    std::vector<float> out(static_cast<size_t>(kValues));
    QBENCHMARK {
      traits.dequantize(reinterpret_cast<const std::byte*>(encoded.constData()), out.data(), kValues);
    }
    static QSet<quint32> reported;  // QBENCHMARK may call this function several times
    if (reported.contains(typeId)) return;
    reported.insert(typeId);
    const TensorTypeTraits& f32 = *tensorTypeTraits(GgmlType::F32);
    QByteArray plain(kValues * 4, '\0');
    f32.quantize(values_.data(), reinterpret_cast<std::byte*>(plain.data()), kValues);
    const double seconds = decodeSeconds(traits, encoded, out, 20),
                 reference = decodeSeconds(f32, plain, out, 20);
    qInfo("%-6s %7.0f M values/s, %5.1f x the F32 copy's time", traits.name, kValues / seconds * 1e-6,
          seconds / reference);
  }
};

QTEST_GUILESS_MAIN(BenchTensorTypes)
#include "bench_tensor_types.moc"
