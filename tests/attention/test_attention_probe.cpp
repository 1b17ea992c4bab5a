// The streamed probe against a naive dense O(N^2) attention computed independently in double
// (docs/references.md section 5 metrics), plus hand-built rows with known answers.
#include "TestSupport.h"
#include "attention/AttentionProbe.h"
#include "common/Cancelled.h"
#include "common/Error.h"

#include <QtTest>
#include <cmath>
#include <complex>
#include <random>

using namespace sinkscope;

namespace {

struct Dense {
  int headDim = 0;
  qint64 tokens = 0;
  std::vector<float> queries, keys;
};

Dense randomDense(qint64 tokens, int headDim, unsigned seed, float keyScale = 1.f) {
  Dense d{headDim, tokens, {}, {}};
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  d.queries.resize(size_t(tokens * headDim));
  d.keys.resize(size_t(tokens * headDim));
  for (float& v : d.queries) v = normal(rng);
  for (float& v : d.keys) v = keyScale * normal(rng);
  return d;
}

// A source with a needle, for retrieval tests: the needle key is a fixed vector.
class NeedleSource final : public QueryKeySource {
 public:
  NeedleSource(Dense dense, std::vector<float> needle) : d_(std::move(dense)), needle_(std::move(needle)) {}
  int headDim() const override { return d_.headDim; }
  void keys(qint64 first, qint64 count, float* out) const override {
    std::copy_n(d_.keys.begin() + first * d_.headDim, count * d_.headDim, out);
  }
  void queries(std::span<const qint64> positions, float* out) const override {
    for (size_t r = 0; r < positions.size(); ++r)
      std::copy_n(d_.queries.begin() + positions[r] * d_.headDim, d_.headDim, out + r * size_t(d_.headDim));
  }
  bool needleKey(qint64, float* out) const override {
    std::copy(needle_.begin(), needle_.end(), out);
    return true;
  }

 private:
  Dense d_;
  std::vector<float> needle_;
};

// Independent rotation: complex pairs, angle computed directly in double.
std::vector<double> rotated(const float* v, int headDim, const PositionalScheme& s, qint64 position) {
  std::vector<double> out(v, v + headDim);
  if (s.kind != PositionalScheme::Kind::Rope) return out;
  const int d = s.rope.rotaryDim;
  for (int p = 0; p < d / 2; ++p) {
    const int a = s.rope.layout == RopePairLayout::HalfSplit ? p : 2 * p;
    const int b = s.rope.layout == RopePairLayout::HalfSplit ? p + d / 2 : 2 * p + 1;
    const std::complex<double> z(v[a], v[b]);
    const std::complex<double> r =
        s.rope.attentionFactor * z * std::polar(1.0, double(position) * s.rope.invFreq[size_t(p)]);
    out[size_t(a)] = r.real();
    out[size_t(b)] = r.imag();
  }
  return out;
}

// Cache slot of key j for query i, written from the StreamingLLM description (docs/references.md s. 4).
qint64 slotOf(const PositionalScheme& s, qint64 i, qint64 j) {
  if (j > i) return -1;
  const qint64 sinks = s.cache.sinkTokens, window = s.cache.windowTokens;
  if (window == 0 || i + 1 <= sinks + window) return j;
  if (j < sinks) return j;
  if (j <= i - window) return -1;
  return sinks + window - (i - j) - 1;
}

std::vector<double> naiveLogits(const Dense& d, const PositionalScheme& s, qint64 i,
                                const float* replaceKey = nullptr, qint64 replaceAt = -1) {
  const double scale = s.softmaxScale > 0 ? s.softmaxScale : 1.0 / std::sqrt(double(d.headDim));
  const qint64 querySlot = slotOf(s, i, i);
  const std::vector<double> q = rotated(&d.queries[size_t(i * d.headDim)], d.headDim, s, querySlot);
  std::vector<double> logits(size_t(i + 1), -INFINITY);
  for (qint64 j = 0; j <= i; ++j) {
    const qint64 slot = slotOf(s, i, j);
    if (slot < 0) continue;
    const float* key = j == replaceAt ? replaceKey : &d.keys[size_t(j * d.headDim)];
    const std::vector<double> k = rotated(key, d.headDim, s, slot);
    double dot = 0;
    for (int c = 0; c < d.headDim; ++c) dot += q[size_t(c)] * k[size_t(c)];
    logits[size_t(j)] =
        scale * dot - (s.kind == PositionalScheme::Kind::Alibi ? s.alibiSlope * double(querySlot - slot) : 0);
  }
  return logits;
}

std::vector<double> softmax(const std::vector<double>& logits) {
  double m = -INFINITY;
  for (double l : logits) m = std::max(m, l);
  std::vector<double> w(logits.size());
  double z = 0;
  for (size_t j = 0; j < logits.size(); ++j)
    z += (w[j] = std::isinf(logits[j]) ? 0.0 : std::exp(logits[j] - m));
  for (double& x : w) x /= z;
  return w;
}

PositionalScheme ropeScheme(int rotaryDim, RopePairLayout layout, double factor) {
  PositionalScheme s;
  s.kind = PositionalScheme::Kind::Rope;
  s.rope.rotaryDim = rotaryDim;
  s.rope.layout = layout;
  s.rope.attentionFactor = factor;
  for (int p = 0; p < rotaryDim / 2; ++p) s.rope.invFreq.push_back(std::pow(10000.0, -2.0 * p / rotaryDim));
  return s;
}

void compareWithNaive(const Dense& d, const PositionalScheme& scheme, qint64 block) {
  const DenseQueryKeySource source(d.headDim, d.queries, d.keys);
  ProbeRequest request;
  request.contextTokens = d.tokens;
  request.queryPositions = {d.tokens - 1, 0, 1, 3, 4, 57, 58, 100, d.tokens / 2, d.tokens - 2};
  request.bins = 24;
  request.exactKeyColumns = 4;
  request.keyBlockTokens = block;
  const auto result = runAttentionProbe(source, scheme, request);
  QCOMPARE(result.queryPositions.back(), d.tokens - 1);
  const PooledHeatmap& map = result.heatmap;
  QCOMPARE(map.bins(), 24);
  for (int r = 0; r < map.rows(); ++r) {
    const qint64 i = map.queryPositions[size_t(r)];
    const std::vector<double> w = softmax(naiveLogits(d, scheme, i));
    const RowMetrics expected = rowMetrics(std::span<const double>(w));
    const RowMetrics& got = result.rows[size_t(r)];
    QVERIFY2(std::abs(got.sinkMass1 - expected.sinkMass1) < 1e-5, qPrintable(QString::number(i)));
    SINKSCOPE_COMPARE_NEAR(got.sinkMass4, expected.sinkMass4, 1e-5);
    QVERIFY2(std::abs(got.entropy - expected.entropy) < 1e-5,
             qPrintable(QStringLiteral("row %1: %2 vs %3").arg(i).arg(got.entropy).arg(expected.entropy)));
    SINKSCOPE_COMPARE_NEAR(got.normalizedEntropy, expected.normalizedEntropy, 1e-5);
    double rowSum = 0;
    for (int b = 0; b < map.bins(); ++b) {
      double want = 0;
      for (qint64 j = map.binStart[size_t(b)]; j < std::min<qint64>(map.binStart[size_t(b) + 1], i + 1); ++j)
        want += w[size_t(j)];
      QVERIFY2(std::abs(map.at(r, b) - want) < 1e-5,
               qPrintable(QStringLiteral("row %1 bin %2").arg(i).arg(b)));
      if (map.binStart[size_t(b)] > i) QCOMPARE(map.at(r, b), 0.0f);  // causal
      rowSum += map.at(r, b);
    }
    SINKSCOPE_COMPARE_NEAR(rowSum, 1.0, 1e-5);  // rows sum to 1
  }
}

}  // namespace

class TestAttentionProbe : public QObject {
  Q_OBJECT
 private slots:
  void matchesNaiveRopeHalfSplitPartial() {
    PositionalScheme s = ropeScheme(12, RopePairLayout::HalfSplit, 1.2);
    s.softmaxScale = 0.3;
    compareWithNaive(randomDense(300, 16, 1), s, 37);
  }
  void matchesNaiveRopeAdjacent() {
    compareWithNaive(randomDense(257, 8, 2), ropeScheme(8, RopePairLayout::Adjacent, 1.0), 64);
  }
  void matchesNaiveAlibi() {
    PositionalScheme s;
    s.kind = PositionalScheme::Kind::Alibi;
    s.alibiSlope = 0.0625;
    compareWithNaive(randomDense(300, 16, 3), s, 50);
  }
  void matchesNaiveNoPosition() { compareWithNaive(randomDense(200, 16, 4), PositionalScheme{}, 2048); }
  void matchesNaiveStreamingRope() {
    PositionalScheme s = ropeScheme(16, RopePairLayout::HalfSplit, 1.0);
    s.cache = KvCache::sinksAndWindow(4, 50);
    compareWithNaive(randomDense(300, 16, 5), s, 33);
  }
  void matchesNaiveWindowOnly() {
    PositionalScheme s = ropeScheme(16, RopePairLayout::HalfSplit, 1.0);
    s.cache = KvCache::window(54);
    compareWithNaive(randomDense(300, 16, 6), s, 40);
  }
  void matchesNaiveStreamingAlibi() {
    PositionalScheme s;
    s.kind = PositionalScheme::Kind::Alibi;
    s.alibiSlope = 0.25;
    s.cache = KvCache::sinksAndWindow(4, 30);
    compareWithNaive(randomDense(300, 16, 7), s, 29);
  }

  // StreamingLLM: cache = keys 0..3 + last W keys; slots by position inside the cache.
  void streamingReindexesPositions() {
    PositionalScheme s;
    s.cache = KvCache::sinksAndWindow(4, 1020);
    QCOMPARE(s.queryPosition(100), qint64(100));  // cache not full yet: own positions
    QCOMPARE(s.keyPosition(100, 50), qint64(50));
    QCOMPARE(s.queryPosition(1023), qint64(1023));           // exactly full
    QCOMPARE(s.queryPosition(5000), qint64(1023));           // 4 + 1020 - 1
    QCOMPARE(s.keyPosition(5000, 2), qint64(2));             // sinks keep slots 0..3
    QCOMPARE(s.keyPosition(5000, 5000 - 1019), qint64(4));   // oldest window key
    QCOMPARE(s.keyPosition(5000, 5000 - 1020), qint64(-1));  // evicted
    QCOMPARE(s.keyPosition(5000, 4), qint64(-1));
    QCOMPARE(s.keyPosition(5000, 5001), qint64(-1));  // future
  }

  // One cache model for the probe and the forward pass: which keys a query sees, written from the
  // StreamingLLM description (docs/references.md section 4), and the slot of each seen key.
  void cacheSeesWhatItSlots() {
    const std::vector<KvCache> caches{KvCache::full(), KvCache::window(7), KvCache::sinksAndWindow(3, 5),
                                      KvCache::sinksAndWindow(0, 6)};
    for (const KvCache& cache : caches) {
      PositionalScheme s;
      s.cache = cache;
      for (qint64 q = 0; q < 30; ++q)
        for (qint64 k = 0; k < 32; ++k) {
          const qint64 sinks = cache.keptSinkTokens(), window = cache.windowTokens;
          const bool expected =
              k <= q && (!cache.evicts() || q < sinks + window || k < sinks || k > q - window);
          QVERIFY2(cache.sees(q, k) == expected,
                   qPrintable(QStringLiteral("query %1, key %2").arg(q).arg(k)));
          QCOMPARE(cache.keySlot(q, k), expected ? slotOf(s, q, k) : qint64(-1));
          if (expected)
            QCOMPARE(cache.querySlot(q) - cache.keySlot(q, k), k < sinks ? cache.querySlot(q) - k : q - k);
        }
    }
    QCOMPARE(KvCache::sinksAndWindow(4, 1020).cacheTokens(), qint64(1024));
    QCOMPARE(KvCache::window(7).firstWindowKey(20), qint64(14));
    QCOMPARE(KvCache::sinksAndWindow(3, 5).firstWindowKey(7), qint64(0));  // cache not full yet
    QCOMPARE(KvCache::sinksAndWindow(3, 5).firstWindowKey(8), qint64(4));
  }

  // Needle: a key planted at a depth replaces the filler key; weight and rank exact.
  void needleMatchesNaive() {
    const Dense d = randomDense(400, 16, 8);
    std::vector<float> needle(16);
    for (int c = 0; c < 16; ++c) needle[size_t(c)] = 0.8f * d.queries[size_t(399 * 16 + c)];
    for (bool streaming : {false, true}) {
      PositionalScheme s = ropeScheme(16, RopePairLayout::HalfSplit, 1.0);
      if (streaming) s.cache = KvCache::sinksAndWindow(4, 100);
      const NeedleSource source(d, needle);
      ProbeRequest request;
      request.contextTokens = 400;
      request.queryPositions = {399, 10};
      request.needleDepths = {0.0, 0.25, 0.5, 0.9, 1.0};
      request.keyBlockTokens = 64;
      const auto result = runAttentionProbe(source, s, request);
      QCOMPARE(result.needles.size(), size_t(5));
      for (const NeedleResult& n : result.needles) {
        QCOMPARE(n.keyPosition, 1 + qint64(std::llround(n.depth * 397)));
        const std::vector<double> logits = naiveLogits(d, s, 399, needle.data(), n.keyPosition);
        if (std::isinf(logits[size_t(n.keyPosition)])) {
          QVERIFY(streaming);
          QVERIFY(!n.inCache);
          QCOMPARE(n.weight, 0.0);
          continue;
        }
        QVERIFY(n.inCache);
        const std::vector<double> w = softmax(logits);
        QVERIFY2(std::abs(n.weight - w[size_t(n.keyPosition)]) < 1e-5, qPrintable(QString::number(n.depth)));
        qint64 rank = 1;
        for (size_t j = 0; j < logits.size(); ++j)
          if (qint64(j) != n.keyPosition && logits[j] > logits[size_t(n.keyPosition)] + 1e-4) ++rank;
        QCOMPARE(n.rank, rank);
      }
    }
  }

  // Hand-built: all logits equal (zero queries) gives the uniform row: S_1 = 1/(i+1),
  // S_4 = 4/(i+1), H = ln(i+1), normalised entropy 1 (docs/references.md section 5).
  void uniformRowKnownAnswers() {
    Dense d = randomDense(1000, 8, 9);
    std::fill(d.queries.begin(), d.queries.end(), 0.f);
    const DenseQueryKeySource source(8, d.queries, d.keys);
    ProbeRequest request;
    request.contextTokens = 1000;
    request.queryPositions = {999, 99};
    const auto result = runAttentionProbe(source, ropeScheme(8, RopePairLayout::HalfSplit, 1.0), request);
    SINKSCOPE_COMPARE_NEAR(result.rows[0].sinkMass1, 0.01, 1e-6);
    SINKSCOPE_COMPARE_NEAR(result.rows[0].sinkMass4, 0.04, 1e-6);
    SINKSCOPE_COMPARE_NEAR(result.rows[0].entropy, std::log(100.0), 1e-5);
    SINKSCOPE_COMPARE_NEAR(result.rows[1].normalizedEntropy, 1.0, 1e-6);
  }

  // Hand-built: one key with a logit advantage a over n-1 equal keys gets e^a/(e^a + n - 1).
  void dominantFirstKeyKnownAnswer() {
    const int n = 500;
    std::vector<float> queries(size_t(n * 2), 0.f), keys(size_t(n * 2), 0.f);
    for (int i = 0; i < n; ++i) queries[size_t(2 * i)] = 1.f;  // q = (1, 0)
    keys[0] = 5.f * std::sqrt(2.f);                            // logit of key 0 = 5 after 1/sqrt(2)
    const DenseQueryKeySource source(2, queries, keys);
    ProbeRequest request;
    request.contextTokens = n;
    request.queryPositions = {n - 1};
    request.keyBlockTokens = 7;
    const auto result = runAttentionProbe(source, PositionalScheme{}, request);
    const double a = std::exp(5.0) / (std::exp(5.0) + n - 1);
    SINKSCOPE_COMPARE_NEAR(result.rows[0].sinkMass1, a, 1e-6);
    const double rest = (1 - a) / (n - 1);
    const double entropy = -a * std::log(a) - (n - 1) * rest * std::log(rest);
    SINKSCOPE_COMPARE_NEAR(result.rows[0].entropy, entropy, 1e-5);
  }

  void rowMetricsHandBuilt() {
    const std::vector<double> row{0.5, 0.25, 0.125, 0.0625, 0.0625};
    const RowMetrics m = rowMetrics(std::span<const double>(row));
    QCOMPARE(m.sinkMass1, 0.5);
    QCOMPARE(m.sinkMass4, 0.9375);
    const double h =
        0.5 * std::log(2.0) + 0.25 * std::log(4.0) + 0.125 * std::log(8.0) + 2 * 0.0625 * std::log(16.0);
    SINKSCOPE_COMPARE_NEAR(m.entropy, h, 1e-12);
    SINKSCOPE_COMPARE_NEAR(m.normalizedEntropy, h / std::log(5.0), 1e-12);
    const std::vector<float> oneHot{1.f, 0.f, 0.f};
    QCOMPARE(rowMetrics(std::span<const float>(oneHot)).entropy, 0.0);
  }

  void cancellationAndProgress() {
    const Dense d = randomDense(1000, 8, 10);
    const DenseQueryKeySource source(8, d.queries, d.keys);
    ProbeRequest request;
    request.contextTokens = 1000;
    request.queryPositions = {999};
    request.keyBlockTokens = 100;
    int polls = 0;
    std::vector<double> seen;
    ProbeCallbacks callbacks{[&] { return ++polls > 3; }, [&](double f) { seen.push_back(f); }};
    // Cancelled is an outcome of its own (common/Cancelled.h), never an Error nor an empty result.
    QVERIFY_THROWS_EXCEPTION(Cancelled, runAttentionProbe(source, PositionalScheme{}, request, callbacks));
    QCOMPARE(seen.size(), size_t(3));
    callbacks.isCancelled = nullptr;
    seen.clear();
    QCOMPARE(runAttentionProbe(source, PositionalScheme{}, request, callbacks).rows.size(), size_t(1));
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    QCOMPARE(seen.back(), 1.0);
  }

  void rejectsBadRequests() {
    const Dense d = randomDense(100, 8, 11);
    const DenseQueryKeySource source(8, d.queries, d.keys);
    ProbeRequest request;
    request.contextTokens = 100;
    request.queryPositions = {100};
    QVERIFY_THROWS_EXCEPTION(Error, runAttentionProbe(source, PositionalScheme{}, request));
    request.contextTokens = 101;
    request.queryPositions = {99};
    QVERIFY_THROWS_EXCEPTION(Error, runAttentionProbe(source, PositionalScheme{}, request));
  }

  // The bin edges every heatmap uses (modelled and measured), checked against their definition:
  // exact single-key bins first, then whole-token bins whose sizes differ by at most one and
  // cover [0, N) without gaps, min(bins, N) bins in all.
  void binEdgesSplitEvenly_data() {
    QTest::addColumn<qint64>("tokens");
    QTest::addColumn<int>("bins");
    QTest::addColumn<int>("exact");
    QTest::newRow("measured, short text") << qint64(6) << 64 << 4;
    QTest::newRow("measured, fewer keys than bins") << qint64(50) << 64 << 4;
    QTest::newRow("measured, 700 keys") << qint64(700) << 64 << 4;
    QTest::newRow("modelled, 32K") << qint64(32768) << 128 << 4;
    QTest::newRow("uneven split") << qint64(1001) << 7 << 2;
    QTest::newRow("no exact bins") << qint64(10) << 3 << 0;
  }
  void binEdgesSplitEvenly() {
    QFETCH(qint64, tokens);
    QFETCH(int, bins);
    QFETCH(int, exact);
    const std::vector<qint64> starts = heatmapBinStarts(tokens, bins, exact);
    QCOMPARE(qint64(starts.size()) - 1, std::min<qint64>(bins, tokens));
    QCOMPARE(starts.front(), qint64(0));
    QCOMPARE(starts.back(), tokens);
    for (int j = 0; j < exact; ++j) QCOMPARE(starts[size_t(j) + 1] - starts[size_t(j)], qint64(1));
    qint64 smallest = tokens, largest = 0;
    for (size_t b = size_t(exact); b + 1 < starts.size(); ++b) {
      smallest = std::min(smallest, starts[b + 1] - starts[b]);
      largest = std::max(largest, starts[b + 1] - starts[b]);
    }
    QVERIFY2(smallest >= 1 && largest - smallest <= 1,
             qPrintable(QStringLiteral("pooled bins of %1 to %2 tokens").arg(smallest).arg(largest)));
  }

  void binsAndQuerySelection() {
    const std::vector<qint64> b = heatmapBinStarts(1000, 10, 4);
    QCOMPARE(b.size(), size_t(11));
    QCOMPARE(b[4], qint64(4));
    QCOMPARE(b.back(), qint64(1000));
    QCOMPARE(heatmapBinStarts(3, 10, 4), (std::vector<qint64>{0, 1, 2, 3}));
    QCOMPARE(heatmapBinStarts(100, 4, 4).size(), size_t(5));
    const std::vector<qint64> q = queriesAroundTrained(32768, 4096, 64);
    QCOMPARE(q.back(), qint64(32767));
    QVERIFY(std::count_if(q.begin(), q.end(), [](qint64 p) { return p < 4096; }) >= 30);
    QVERIFY(std::count_if(q.begin(), q.end(), [](qint64 p) { return p >= 4096; }) >= 30);
    const std::vector<qint64> e = evenlySpacedQueries(100, 5, 4);
    QCOMPARE(e, (std::vector<qint64>{4, 28, 52, 75, 99}));
  }
};

QTEST_APPLESS_MAIN(TestAttentionProbe)
#include "test_attention_probe.moc"
