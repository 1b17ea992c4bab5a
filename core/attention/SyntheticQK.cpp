#include "attention/SyntheticQK.h"

#include "attention/PositionalScheme.h"
#include "common/Error.h"
#include "common/JsonRead.h"
#include "positional/RopeRotation.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sinkscope {

namespace {

// splitmix64 finaliser: a counter-based generator, so any (seed, stream, index, lane) is
// drawn independently of every other, in any order.
inline quint64 mix(quint64 x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
inline quint64 hashOf(quint64 a, quint64 b, quint64 c = 0, quint64 d = 0) {
  return mix(mix(mix(mix(a) ^ b) ^ c) ^ d);
}

// A vector's components: seed the row once from (head, stream, index), then one finaliser per
// component on the Weyl sequence rowSeed + c * golden (splitmix64's own stream).
inline quint64 rowSeed(quint64 headSeed, quint64 stream, quint64 index) {
  return mix(mix(headSeed ^ mix(stream)) ^ index);
}
inline quint64 componentHash(quint64 row, quint64 component) {
  return mix(row + component * 0x9E3779B97F4A7C15ULL);
}

inline double uniform01(quint64 h) {
  return double(h >> 11) * 0x1.0p-53;
}

// Approximately standard normal: the sum of four 16-bit uniforms (Irwin-Hall, n = 4),
// centred and scaled to unit variance. Tails end at +-3.46 (documented limit).
inline float normalFrom(quint64 h) {
  const quint64 sum = (h & 0xFFFF) + ((h >> 16) & 0xFFFF) + ((h >> 32) & 0xFFFF) + (h >> 48);
  return float((double(sum) + 2.0) / 65536.0 - 2.0) * 1.7320508f;
}

enum Stream : quint64 { kParameters = 1, kSegment = 100, kNoise = 200, kSinkDirection = 300, kOffsets = 400 };

double between(double low, double high, double u) {
  return low + (high - low) * u;
}

}  // namespace

std::complex<double> meanPhasor(double theta, qint64 span) {
  if (span <= 1 || std::abs(theta) < 1e-15) return {1.0, 0.0};
  // (1/L) sum_{d<L} e^(i d theta) = e^(i (L-1) theta / 2) sin(L theta / 2) / (L sin(theta / 2))
  const double l = double(span);
  const double magnitude = std::sin(l * theta / 2) / (l * std::sin(theta / 2));
  return std::polar(1.0, (l - 1) * theta / 2) * magnitude;
}

SyntheticQKConfig SyntheticQKConfig::fromJson(const QString& path) {
  const JsonReader root(readJsonObjectFile(path), path);
  const JsonReader g = root.requireObject(QStringLiteral("generator"));
  SyntheticQKConfig c;
  c.seed = quint64(g.requireInt(QStringLiteral("seed"), 0, std::numeric_limits<qint64>::max()));
  const JsonReader sink = g.requireObject(QStringLiteral("sink_logit_offset_nats"));
  c.sinkLogitOffsetMin = sink.requireDouble(QStringLiteral("min"), -20, 20);
  c.sinkLogitOffsetMax = sink.requireDouble(QStringLiteral("max"), c.sinkLogitOffsetMin, 20);
  const JsonReader weak = g.requireObject(QStringLiteral("weak_sink_layers"));
  c.weakSinkLayers = int(weak.requireInt(QStringLiteral("layers"), 0, 1000));
  c.weakSinkOffset = weak.requireDouble(QStringLiteral("offset_nats"), -50, 0);
  const JsonReader content = g.requireObject(QStringLiteral("content_logit_std_nats"));
  c.contentLogitStdMin = content.requireDouble(QStringLiteral("min"), 0, 20);
  c.contentLogitStdMax = content.requireDouble(QStringLiteral("max"), c.contentLogitStdMin, 20);
  const JsonReader locality = g.requireObject(QStringLiteral("locality"));
  c.localityMin = locality.requireDouble(QStringLiteral("min"), 0, 1);
  c.localityMax = locality.requireDouble(QStringLiteral("max"), c.localityMin, 1);
  for (const QJsonValue& value : g.requireArray(QStringLiteral("segment_lengths_tokens"))) {
    if (!value.isDouble() || value.toDouble() < 1 || value.toDouble() > double(1ll << 40))
      g.fail(QStringLiteral("segment_lengths_tokens"), QStringLiteral("must hold integers in [1, 2^40]"));
    c.segmentLengths.push_back(qint64(value.toDouble()));
  }
  c.bosKeyNormRatio =
      g.requireObject(QStringLiteral("bos_key_norm_ratio")).requireDouble(QStringLiteral("value"), 1e-3, 1e3);
  c.needleLogitOffset = g.requireObject(QStringLiteral("needle_logit_offset_nats"))
                            .requireDouble(QStringLiteral("value"), -20, 20);
  c.coherenceExponent =
      g.requireObject(QStringLiteral("coherence_exponent")).requireDouble(QStringLiteral("value"), 0, 16);
  return c;
}

const SyntheticQKConfig& SyntheticQKConfig::builtin() {
  static const SyntheticQKConfig config = fromJson(QStringLiteral(":/modelled_attention.json"));
  return config;
}

SyntheticQueryKeySource::SyntheticQueryKeySource(const SyntheticQKConfig& config,
                                                 const TrainedPositions& trained, int layer, int head)
    : config_(config), trained_(trained) {
  if (trained_.headDim < 2 || trained_.rotaryDim > trained_.headDim || trained_.rotaryDim % 2 != 0 ||
      trained_.invFreq.size() != size_t(trained_.rotaryDim / 2) || trained_.trainedContext < 1)
    throwBadInput(QStringLiteral("synthetic generator"), QStringLiteral("trained_positions"),
                  QStringLiteral("head_dim %1 / rotary_dim %2 / trained context %3 are inconsistent")
                      .arg(trained_.headDim)
                      .arg(trained_.rotaryDim)
                      .arg(trained_.trainedContext));
  if (trained_.logitScale <= 0) trained_.logitScale = 1.0 / std::sqrt(double(trained_.headDim));
  headSeed_ = hashOf(config_.seed, quint64(layer), quint64(head), 0x53796E7468ULL);
  for (double theta : trained_.invFreq) phasors_.push_back(meanPhasor(theta, trained_.trainedContext));
  drawParameters(layer);
  buildSinkVectors();
}

void SyntheticQueryKeySource::drawParameters(int layer) {
  auto u = [&](quint64 k) { return uniform01(hashOf(headSeed_, kParameters, k)); };
  SyntheticHeadParameters& p = parameters_;
  const double logContext = std::log(double(trained_.trainedContext));
  p.sinkLogit = logContext + between(config_.sinkLogitOffsetMin, config_.sinkLogitOffsetMax, u(0));
  if (layer < config_.weakSinkLayers) p.sinkLogit += config_.weakSinkOffset;
  p.sinkLogit = std::max(0.0, p.sinkLogit);
  p.contentLogitStd = between(config_.contentLogitStdMin, config_.contentLogitStdMax, u(1));
  p.locality = between(config_.localityMin, config_.localityMax, u(2));
  double total = 0;
  std::vector<double> raw;
  for (size_t s = 0; s < config_.segmentLengths.size(); ++s) total += raw.emplace_back(0.05 + u(10 + s));
  for (double r : raw) p.segmentWeights.push_back(std::sqrt(p.locality * r / total));
  for (size_t s = 0; s < config_.segmentLengths.size(); ++s)
    segmentOffsets_.push_back(
        qint64(uniform01(hashOf(headSeed_, kOffsets, s)) * double(config_.segmentLengths[s])));
  // Content logits q.k * scale between unrelated unit-variance vectors have std
  // scale * |q||k| / sqrt(D); equal query and key norms give the drawn std.
  const double d = double(trained_.headDim);
  p.contentNorm = std::sqrt(p.contentLogitStd * std::sqrt(d) / trained_.logitScale);
}

double SyntheticQueryKeySource::coherenceWeight(int pair) const {
  return std::pow(std::abs(phasors_[size_t(pair)]), config_.coherenceExponent);
}

// Mean over trained distances d of the (unscaled) logit q . R(d) k: per rotary pair
// Re(q_p conj(k_p) mu_p), plus the pass-through dims as they are.
double SyntheticQueryKeySource::meanTrainedDot(const std::vector<double>& query,
                                               const std::vector<double>& key) const {
  const int d = trained_.headDim, rotary = trained_.rotaryDim;
  double sum = 0;
  for (int p = 0; p < rotary / 2; ++p) {
    const size_t a = size_t(ropePairFirst(trained_.layout, rotary, p)),
                 b = size_t(ropePairSecond(trained_.layout, rotary, p));
    sum += (std::complex<double>(query[a], query[b]) * std::conj(std::complex<double>(key[a], key[b])) *
            phasors_[size_t(p)])
               .real();
  }
  for (int c = rotary; c < d; ++c) sum += query[size_t(c)] * key[size_t(c)];
  return sum;
}

// Per rotary pair: multiply by the coherence weight and turn by -phase (query side, to align with
// a key at distance 0..T) or +phase (key side, to be aligned with a query). Unit norm on return.
std::vector<double> SyntheticQueryKeySource::aligned(std::vector<double> v, bool weight,
                                                     int phaseSign) const {
  const int rotary = trained_.rotaryDim;
  for (int p = 0; p < rotary / 2; ++p) {
    const size_t a = size_t(ropePairFirst(trained_.layout, rotary, p)),
                 b = size_t(ropePairSecond(trained_.layout, rotary, p));
    std::complex<double> z(v[a], v[b]);
    if (weight) z *= coherenceWeight(p);
    z *= std::polar(1.0, double(phaseSign) * std::arg(phasors_[size_t(p)]));
    v[a] = z.real();
    v[b] = z.imag();
  }
  double norm = 0;
  for (double x : v) norm += x * x;
  norm = std::sqrt(norm);
  if (norm > 0)
    for (double& x : v) x /= norm;
  return v;
}

void SyntheticQueryKeySource::buildSinkVectors() {
  const int d = trained_.headDim;
  std::vector<double> random(static_cast<size_t>(d));
  for (int c = 0; c < d; ++c) random[size_t(c)] = normalFrom(hashOf(headSeed_, kSinkDirection, quint64(c)));
  // The BOS key lives where an alignment can hold at every trained position: pair p gets
  // energy in proportion to its coherence weight |mu_p|^k (low frequencies).
  const std::vector<double> key = aligned(random, true, 0);
  // The query part turned by -arg(mu_p): the phase that centres the alignment on the trained range.
  const std::vector<double> query = aligned(key, false, -1);
  const double alignment = meanTrainedDot(query, key);  // mean logit of the two unit vectors
  SyntheticHeadParameters& p = parameters_;
  p.sinkAlignment = alignment;
  // mean logit = scale * sigma * gamma * A with gamma = ratio * sigma
  const double product = alignment > 1e-12 ? p.sinkLogit / (trained_.logitScale * alignment) : 0.0;
  p.sinkQueryNorm = std::sqrt(product / config_.bosKeyNormRatio);
  p.bosKeyNorm = config_.bosKeyNormRatio * p.sinkQueryNorm;
  bosKey_.resize(size_t(d));
  sinkQuery_.resize(size_t(d));
  for (int c = 0; c < d; ++c) {
    bosKey_[size_t(c)] = float(p.bosKeyNorm * key[size_t(c)]);
    sinkQuery_[size_t(c)] = float(p.sinkQueryNorm * query[size_t(c)]);
  }
}

void SyntheticQueryKeySource::contentVectors(qint64 first, qint64 count, quint64 role, float* out) const {
  const int d = trained_.headDim;
  const size_t scales = config_.segmentLengths.size();
  const float noiseWeight = float(std::sqrt(std::max(0.0, 1.0 - parameters_.locality)));
  const float unit = float(parameters_.contentNorm / std::sqrt(double(d)));  // entries ~ N(0, norm^2 / D)
  std::vector<qint64> cachedSegment(scales, -1);
  std::vector<float> segment(scales * size_t(d));
  for (qint64 t = first; t < first + count; ++t) {
    float* v = out + size_t(t - first) * size_t(d);
    const quint64 noiseRow = rowSeed(headSeed_, kNoise + role, quint64(t));
    for (int c = 0; c < d; ++c) v[c] = noiseWeight * normalFrom(componentHash(noiseRow, quint64(c)));
    for (size_t s = 0; s < scales; ++s) {
      const qint64 index = (t + segmentOffsets_[s]) / config_.segmentLengths[s];
      float* g = segment.data() + s * size_t(d);
      if (index != cachedSegment[s]) {
        cachedSegment[s] = index;
        const float w = float(parameters_.segmentWeights[s]);
        const quint64 segmentRow = rowSeed(headSeed_, kSegment + s, quint64(index));
        for (int c = 0; c < d; ++c) g[c] = w * normalFrom(componentHash(segmentRow, quint64(c)));
      }
      for (int c = 0; c < d; ++c) v[c] += g[c];
    }
    for (int c = 0; c < d; ++c) v[c] *= unit;
  }
}

void SyntheticQueryKeySource::keys(qint64 first, qint64 count, float* out) const {
  constexpr qint64 kChunk = 256;
  const qint64 chunks = (count + kChunk - 1) / kChunk;
  for (qint64 k = 0; k < chunks; ++k) {
    const qint64 start = first + k * kChunk;
    contentVectors(start, std::min(kChunk, first + count - start), 1,
                   out + size_t(k * kChunk) * size_t(headDim()));
  }
  if (first == 0 && count > 0) std::copy(bosKey_.begin(), bosKey_.end(), out);  // the BOS key is constant
}

void SyntheticQueryKeySource::queries(std::span<const qint64> positions, float* out) const {
  const int d = headDim();
  for (size_t r = 0; r < positions.size(); ++r) {
    float* v = out + r * size_t(d);
    contentVectors(positions[r], 1, 0, v);
    for (int c = 0; c < d; ++c) v[c] += sinkQuery_[size_t(c)];
  }
}

// The needle is the key the query at queryPosition retrieves best over the distances seen in
// training: the whole query (content and sink part), weighted by coherence and turned by
// +arg(mu_p) per pair.
bool SyntheticQueryKeySource::needleKey(qint64 queryPosition, float* out) const {
  const int d = headDim();
  std::vector<float> full(static_cast<size_t>(d));
  queries(std::span<const qint64>(&queryPosition, 1), full.data());
  const std::vector<double> query(full.begin(), full.end());
  const std::vector<double> needle = aligned(query, true, +1);
  const double alignment = meanTrainedDot(query, needle);  // mean logit per unit needle length
  // Mean logit over trained distances: the needle offset above the stronger of the head's sink
  // logit and ln(trained context), so that it can win against both the sink and the filler.
  const double logit =
      std::max(parameters_.sinkLogit, std::log(double(trained_.trainedContext))) + config_.needleLogitOffset;
  const double length = alignment > 1e-12 ? logit / (trained_.logitScale * alignment) : 0.0;
  for (int c = 0; c < d; ++c) out[c] = float(length * needle[size_t(c)]);
  return true;
}

}  // namespace sinkscope
