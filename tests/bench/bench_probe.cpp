// Benchmarks of the attention probe (run on request, not by ctest). Ratios are against an Eigen
// float GEMM of the same shape measured in the same run. Usage: bench_probe [-iterations 1].
#include "attention/AttentionProbe.h"
#include "attention/SinkCurve.h"
#include "attention/SyntheticQK.h"

#include <Eigen/Core>
#include <QElapsedTimer>
#include <QtTest>
#include <cmath>
#include <random>

using namespace sinkscope;

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr int kHeadDim = 128;

TrainedPositions llama2Head() {
  TrainedPositions t;
  t.headDim = kHeadDim;
  t.rotaryDim = kHeadDim;
  for (int p = 0; p < kHeadDim / 2; ++p) t.invFreq.push_back(std::pow(10000.0, -2.0 * p / kHeadDim));
  t.logitScale = 1.0 / std::sqrt(double(kHeadDim));
  t.trainedContext = 4096;
  return t;
}

PositionalScheme ropeScheme(const TrainedPositions& t) {
  PositionalScheme s;
  s.kind = PositionalScheme::Kind::Rope;
  s.rope.rotaryDim = t.rotaryDim;
  s.rope.invFreq = t.invFreq;
  s.softmaxScale = t.logitScale;
  return s;
}

// Best of `repeats` wall-clock seconds.
template <typename F>
double bestSeconds(F&& body, int repeats = 3) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    QElapsedTimer timer;
    timer.start();
    body();
    best = std::min(best, double(timer.nsecsElapsed()) * 1e-9);
  }
  return best;
}

struct Shape {
  int rows = 256;
  qint64 keys = 65536;
};

std::vector<float> randomMatrix(qint64 rows, int cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<float> v(size_t(rows) * size_t(cols));
  for (float& x : v) x = normal(rng);
  return v;
}

}  // namespace

class BenchProbe : public QObject {
  Q_OBJECT
 private slots:
  // The probe's score computation (QK^T over 8192-key blocks for all rows at once) and the whole
  // streamed pass (scores + online softmax + metrics) against one Eigen GEMM of the same shape
  // (rows x head_dim times head_dim x keys). Every row sees every key (rows at the end).
  void scoreRateVersusGemm() {
    const Shape shape;
    const std::vector<float> keysData = randomMatrix(shape.keys, kHeadDim, 1);
    const std::vector<float> queriesData = randomMatrix(shape.keys, kHeadDim, 2);
    const Eigen::Map<const RowMatrix> keys(keysData.data(), Eigen::Index(shape.keys), kHeadDim);
    const RowMatrix queries =
        Eigen::Map<const RowMatrix>(queriesData.data(), Eigen::Index(shape.keys), kHeadDim)
            .bottomRows(shape.rows) *
        (1.0f / std::sqrt(float(kHeadDim)));
    RowMatrix full(shape.rows, Eigen::Index(shape.keys));
    const double gemm = bestSeconds([&] { full.noalias() = queries * keys.transpose(); });
    RowMatrix block;
    const qint64 blockKeys = 8192;
    const double blocked = bestSeconds([&] {
      for (qint64 b0 = 0; b0 < shape.keys; b0 += blockKeys)
        block.noalias() = queries * keys.middleRows(Eigen::Index(b0), Eigen::Index(blockKeys)).transpose();
    });
    const DenseQueryKeySource source(kHeadDim, queriesData, keysData);
    ProbeRequest request;
    request.contextTokens = shape.keys;
    for (int r = 0; r < shape.rows; ++r) request.queryPositions.push_back(shape.keys - shape.rows + r);
    request.keyBlockTokens = blockKeys;
    const double probe = bestSeconds([&] { (void)runAttentionProbe(source, PositionalScheme{}, request); });
    const double flops = 2.0 * shape.rows * double(shape.keys) * kHeadDim;
    qInfo(
        "shape %d x %d x %lld: Eigen GEMM %.1f GFLOP/s; probe score blocks %.1f GFLOP/s (ratio %.2f); "
        "whole streamed probe pass %.1f GFLOP/s (ratio %.2f)",
        shape.rows, kHeadDim, qlonglong(shape.keys), flops / gemm * 1e-9, flops / blocked * 1e-9,
        gemm / blocked, flops / probe * 1e-9, gemm / probe);
    QBENCHMARK_ONCE {
      (void)runAttentionProbe(source, PositionalScheme{}, request);
    }
  }

  // Sink curve over 1K..128K (doubling), 64 sampled queries, head_dim 128, synthetic keys
  // generated and rotated block by block (target: under 1 s on 2 cores).
  void sinkCurve1Kto128K() {
    const TrainedPositions trained = llama2Head();
    const SyntheticQueryKeySource source(SyntheticQKConfig::builtin(), trained, 12, 3);
    const PositionalScheme scheme = ropeScheme(trained);
    SinkCurveRequest request;
    for (qint64 n = 1024; n <= 131072; n *= 2) request.contexts.push_back(n);
    request.queriesPerContext = 64;
    request.trainedContext = trained.trainedContext;
    const double seconds = bestSeconds([&] {
      (void)computeSinkCurve(
          source, [&](qint64) { return scheme; }, request);
    });
    qInfo("sink curve 1K..128K, 64 queries, head_dim 128: %.3f s", seconds);
    QBENCHMARK_ONCE {
      (void)computeSinkCurve(
          source, [&](qint64) { return scheme; }, request);
    }
  }

  // Heatmap at 131,072 tokens, 256 rows x 256 bins (target: under 1 s on 2 cores).
  void heatmap128K() {
    const TrainedPositions trained = llama2Head();
    const SyntheticQueryKeySource source(SyntheticQKConfig::builtin(), trained, 12, 3);
    ProbeRequest request;
    request.contextTokens = 131072;
    request.queryPositions = evenlySpacedQueries(131072, 256, 0);
    request.bins = 256;
    const double seconds =
        bestSeconds([&] { (void)runAttentionProbe(source, ropeScheme(trained), request); });
    qInfo("heatmap 131072 tokens, 256 rows x 256 bins: %.3f s", seconds);
    QBENCHMARK_ONCE {
      (void)runAttentionProbe(source, ropeScheme(trained), request);
    }
  }

  // Where the time of a synthetic pass goes: generating 131,072 keys and rotating them.
  void keyGenerationAndRotation() {
    const TrainedPositions trained = llama2Head();
    const SyntheticQueryKeySource source(SyntheticQKConfig::builtin(), trained, 12, 3);
    std::vector<float> keys(size_t(2048) * kHeadDim);
    const RopeSchedule rope = ropeScheme(trained).rope;
    const double generate = bestSeconds([&] {
      for (qint64 b0 = 0; b0 < 131072; b0 += 2048) source.keys(b0, 2048, keys.data());
    });
    const double rotate = bestSeconds([&] {
      for (qint64 b0 = 0; b0 < 131072; b0 += 2048)
        applyRopeConsecutive(rope, kHeadDim, b0, 2048, keys.data());
    });
    qInfo("131072 keys: generate %.3f s, rotate %.3f s", generate, rotate);
    QBENCHMARK_ONCE {
      source.keys(0, 2048, keys.data());
    }
  }
};

QTEST_APPLESS_MAIN(BenchProbe)
#include "bench_probe.moc"
