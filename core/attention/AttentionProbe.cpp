#include "attention/AttentionProbe.h"

#include "attention/OnlineSoftmax.h"
#include "common/Cancelled.h"
#include "common/Error.h"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>

namespace sinkscope {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// One row's online softmax, and the weights kept beside it, relative to the same running maximum.
struct RowState {
  OnlineSoftmax softmax;
  std::array<double, 4> firstKeys{};  // e^(l_j - M) for keys 0..3
};

struct Needle {
  NeedleResult result;
  double logit = 0;        // the needle's own logit against the last query
  double fillerLogit = 0;  // logit of the filler key it replaces
  qint64 larger = 0;       // keys other than the filler with a larger logit
};

class ProbeRun {
 public:
  ProbeRun(const QueryKeySource& source, const PositionalScheme& scheme, const ProbeRequest& request)
      : source_(source), scheme_(scheme), request_(request), headDim_(source.headDim()) {}

  ProbeResult run(const ProbeCallbacks& callbacks);

 private:
  void validate();
  RowMatrix rotatedQueries(bool atCacheSlot) const;
  qint64 windowStart(qint64 query) const;  // first non-sink key the query sees
  void prepareNeedles();
  // Adds the row's logits for keys firstKey.. to its online state (overwriting them with e^(l - M));
  // addAlibi adds the ALiBi bias by token distance (equal to the cache-slot distance for every key
  // but the evicting sinks). The last row's biased logits are counted for the needles first.
  void absorb(int row, float* logits, qint64 firstKey, qint64 keyCount, bool addAlibi);
  void countNeedles(const float* logits, qint64 firstKey, qint64 keyCount);
  void absorbSinkSlots(const RowMatrix& cacheQueries);
  qint64 keysToScore() const;
  ProbeResult finish();

  const QueryKeySource& source_;
  const PositionalScheme& scheme_;
  ProbeRequest request_;
  int headDim_;
  double logitScale_ = 1;
  std::vector<qint64> positions_;  // ascending
  std::vector<RowState> states_;
  std::vector<qint64> binStart_;
  std::vector<double> binMass_;  // rows x bins, relative to each row's running maximum
  std::vector<Needle> needles_;
  std::vector<float> shifted_;  // scratch: l - M of the block being absorbed
};

void ProbeRun::validate() {
  const qint64 n = request_.contextTokens;
  if (n < 1)
    throwBadInput(QStringLiteral("probe"), QStringLiteral("context"), QStringLiteral("must be at least 1"));
  if (source_.maxContext() && n > *source_.maxContext())
    throwBadInput(
        QStringLiteral("probe"), QStringLiteral("context"),
        QStringLiteral("%1 exceeds the %2 tokens this source holds").arg(n).arg(*source_.maxContext()));
  if (headDim_ < 1)
    throwBadInput(QStringLiteral("probe"), QStringLiteral("head_dim"), QStringLiteral("must be positive"));
  if (scheme_.kind == PositionalScheme::Kind::Rope &&
      (scheme_.rope.rotaryDim > headDim_ ||
       scheme_.rope.invFreq.size() != size_t(scheme_.rope.rotaryDim / 2)))
    throwBadInput(QStringLiteral("probe"), QStringLiteral("rotary_dim"),
                  QStringLiteral("does not fit the head"));
  positions_ = request_.queryPositions;
  std::sort(positions_.begin(), positions_.end());
  positions_.erase(std::unique(positions_.begin(), positions_.end()), positions_.end());
  if (positions_.empty())
    throwBadInput(QStringLiteral("probe"), QStringLiteral("query_positions"), QStringLiteral("none given"));
  if (positions_.front() < 0 || positions_.back() >= n)
    throwBadInput(QStringLiteral("probe"), QStringLiteral("query_positions"),
                  QStringLiteral("must lie in [0, %1)").arg(n));
  if (request_.keyBlockTokens < 1) request_.keyBlockTokens = 8192;
}

RowMatrix ProbeRun::rotatedQueries(bool atCacheSlot) const {
  RowMatrix queries(Eigen::Index(positions_.size()), headDim_);
  source_.queries(positions_, queries.data());
  if (scheme_.kind == PositionalScheme::Kind::Rope) {
    std::vector<qint64> rotation(positions_);
    if (atCacheSlot)
      for (qint64& position : rotation) position = scheme_.queryPosition(position);
    applyRope(scheme_.rope, headDim_, rotation, queries.data());
  }
  queries *= float(logitScale_);
  return queries;
}

qint64 ProbeRun::windowStart(qint64 query) const {
  return scheme_.cache.firstWindowKey(query);
}

void ProbeRun::prepareNeedles() {
  const qint64 last = positions_.back();
  std::vector<float> key(static_cast<size_t>(headDim_));
  if (request_.needleDepths.empty() || last < 2 || !source_.needleKey(last, key.data())) return;
  Eigen::RowVectorXf query(headDim_);
  source_.queries(std::span<const qint64>(&last, 1), query.data());
  const qint64 querySlot = scheme_.queryPosition(last);
  if (scheme_.kind == PositionalScheme::Kind::Rope)
    applyRope(scheme_.rope, headDim_, std::span<const qint64>(&querySlot, 1), query.data());
  for (double depth : request_.needleDepths) {
    Needle needle;
    needle.result.depth = depth;
    const double clamped = std::clamp(depth, 0.0, 1.0);
    needle.result.keyPosition = 1 + qint64(std::llround(clamped * double(last - 2)));
    const qint64 slot = scheme_.keyPosition(last, needle.result.keyPosition);
    needle.result.inCache = slot >= 0;
    if (needle.result.inCache) {
      std::vector<float> rotated(key);
      if (scheme_.kind == PositionalScheme::Kind::Rope)
        applyRope(scheme_.rope, headDim_, std::span<const qint64>(&slot, 1), rotated.data());
      const Eigen::Map<const Eigen::RowVectorXf> k(rotated.data(), headDim_);
      needle.logit = logitScale_ * double(query.dot(k));
      if (scheme_.kind == PositionalScheme::Kind::Alibi)
        needle.logit -= scheme_.alibiSlope * double(querySlot - slot);
    }
    needles_.push_back(needle);
  }
}

void ProbeRun::absorb(int row, float* logits, qint64 firstKey, qint64 keyCount, bool addAlibi) {
  if (keyCount <= 0) return;
  const qint64 query = positions_[size_t(row)];
  Eigen::Map<Eigen::ArrayXf> l(logits, Eigen::Index(keyCount));
  if (addAlibi && scheme_.kind == PositionalScheme::Kind::Alibi) {
    const float start = float(-scheme_.alibiSlope * double(query - firstKey));
    l += start + float(scheme_.alibiSlope) *
                     Eigen::ArrayXf::LinSpaced(Eigen::Index(keyCount), 0.f, float(keyCount - 1));
  }
  if (!needles_.empty() && row + 1 == int(positions_.size())) countNeedles(logits, firstKey, keyCount);
  RowState& state = states_[size_t(row)];
  double* bins = binMass_.empty() ? nullptr : binMass_.data() + size_t(row) * (binStart_.size() - 1);
  const double factor = state.softmax.absorbBlock(std::span<float>(logits, size_t(keyCount)), shifted_);
  if (factor != 1.0) {  // earlier weights follow the grown maximum
    for (double& value : state.firstKeys) value *= factor;
    if (bins)
      for (size_t b = 0; b + 1 < binStart_.size(); ++b) bins[b] *= factor;
  }
  const auto& weights = l;  // now e^(l_j - M)
  for (qint64 j = firstKey; j < std::min<qint64>(firstKey + keyCount, 4); ++j)
    state.firstKeys[size_t(j)] += double(weights[Eigen::Index(j - firstKey)]);
  if (!bins) return;
  size_t bin = size_t(std::upper_bound(binStart_.begin(), binStart_.end(), firstKey) - binStart_.begin()) - 1;
  for (qint64 j = firstKey; j < firstKey + keyCount; ++bin) {
    const qint64 end = std::min(firstKey + keyCount, binStart_[bin + 1]);
    bins[bin] += double(weights.segment(Eigen::Index(j - firstKey), Eigen::Index(end - j)).sum());
    j = end;
  }
}

void ProbeRun::countNeedles(const float* logits, qint64 firstKey, qint64 keyCount) {
  const Eigen::Map<const Eigen::ArrayXf> l(logits, Eigen::Index(keyCount));
  for (Needle& needle : needles_) {
    if (!needle.result.inCache) continue;
    needle.larger += (l > float(needle.logit)).count();
    const qint64 at = needle.result.keyPosition - firstKey;
    if (at >= 0 && at < keyCount) {
      needle.fillerLogit = double(l[Eigen::Index(at)]);
      if (l[Eigen::Index(at)] > float(needle.logit)) --needle.larger;
    }
  }
}

// Rows whose cache has evicted keys see the sink keys 0..S-1 at slots 0..S-1 while the query
// sits at slot S+W-1: a different relative distance than in token positions, so a separate product.
void ProbeRun::absorbSinkSlots(const RowMatrix& cacheQueries) {
  const qint64 sinks = scheme_.cache.keptSinkTokens();
  if (!scheme_.evicts() || sinks <= 0) return;
  const qint64 firstEvicting = scheme_.cache.cacheTokens();
  const auto begin = std::lower_bound(positions_.begin(), positions_.end(), firstEvicting);
  const int rowBegin = int(begin - positions_.begin());
  const int rowCount = int(positions_.size()) - rowBegin;
  if (rowCount <= 0) return;
  RowMatrix keys(Eigen::Index(sinks), headDim_);
  source_.keys(0, sinks, keys.data());
  if (scheme_.kind == PositionalScheme::Kind::Rope)
    applyRopeConsecutive(scheme_.rope, headDim_, 0, sinks, keys.data());
  RowMatrix scores = cacheQueries.middleRows(rowBegin, rowCount) * keys.transpose();
  const qint64 querySlot = firstEvicting - 1;
  for (int r = 0; r < rowCount; ++r) {
    float* logits = scores.row(r).data();
    if (scheme_.kind == PositionalScheme::Kind::Alibi)  // slots 0..S-1 against query slot S+W-1
      for (qint64 j = 0; j < sinks; ++j) logits[j] -= float(scheme_.alibiSlope * double(querySlot - j));
    absorb(rowBegin + r, logits, 0, sinks, false);
  }
}

qint64 ProbeRun::keysToScore() const {
  qint64 total = 0;
  for (qint64 b0 = 0; b0 < request_.contextTokens; b0 += request_.keyBlockTokens) ++total;
  return std::max<qint64>(total, 1);
}

ProbeResult ProbeRun::run(const ProbeCallbacks& callbacks) {
  validate();
  logitScale_ = scheme_.logitScale(headDim_);
  states_.assign(positions_.size(), RowState{});
  if (request_.bins > 0) {
    binStart_ = heatmapBinStarts(request_.contextTokens, request_.bins, request_.exactKeyColumns);
    binMass_.assign(positions_.size() * (binStart_.size() - 1), 0.0);
  }
  const RowMatrix queries = rotatedQueries(false);
  prepareNeedles();
  const qint64 n = request_.contextTokens;
  const qint64 blockTokens = request_.keyBlockTokens;
  const qint64 blocks = keysToScore();
  RowMatrix keys(Eigen::Index(std::min(blockTokens, n)), headDim_);
  RowMatrix scores;
  const int rowCount = int(positions_.size());
  qint64 blockIndex = 0;
  for (qint64 b0 = 0; b0 < n; b0 += blockTokens, ++blockIndex) {
    stopIfCancelled(callbacks.isCancelled);
    const qint64 b1 = std::min(n, b0 + blockTokens);
    // Active rows: position >= b0 (causal) and window start < b1; both bounds are monotone.
    const int rowLo = int(std::lower_bound(positions_.begin(), positions_.end(), b0) - positions_.begin());
    int rowHi = rowLo;
    while (rowHi < rowCount && windowStart(positions_[size_t(rowHi)]) < b1) ++rowHi;
    if (rowHi > rowLo) {
      const qint64 count = b1 - b0;
      keys.resize(Eigen::Index(count), headDim_);
      source_.keys(b0, count, keys.data());
      if (scheme_.kind == PositionalScheme::Kind::Rope)
        applyRopeConsecutive(scheme_.rope, headDim_, b0, count, keys.data());
      scores.noalias() = queries.middleRows(rowLo, rowHi - rowLo) * keys.transpose();
      // Serial on purpose: the GEMM above is where Eigen uses both cores; extra OpenMP regions
      // per block cost more than they gain on a loaded machine (measured, see the benchmark).
      for (int r = rowLo; r < rowHi; ++r) {
        const qint64 query = positions_[size_t(r)];
        const qint64 lo = std::max(b0, windowStart(query));
        const qint64 hi = std::min(b1, query + 1);
        if (hi > lo) absorb(r, scores.row(r - rowLo).data() + (lo - b0), lo, hi - lo, true);
      }
    }
    if (callbacks.progress) callbacks.progress(double(blockIndex + 1) / double(blocks));
  }
  absorbSinkSlots(rotatedQueries(true));
  return finish();
}

ProbeResult ProbeRun::finish() {
  ProbeResult result;
  result.queryPositions = positions_;
  for (size_t r = 0; r < positions_.size(); ++r) {
    const RowState& state = states_[r];
    RowMetrics metrics;
    const double sum = state.softmax.sum();
    metrics.sinkMass1 = state.firstKeys[0] / sum;
    for (double value : state.firstKeys) metrics.sinkMass4 += value / sum;
    metrics.entropy = std::max(0.0, state.softmax.entropy());
    const double maximum = std::log(double(positions_[r] + 1));
    metrics.normalizedEntropy = maximum > 0 ? metrics.entropy / maximum : 0.0;
    result.rows.push_back(metrics);
  }
  if (!binStart_.empty()) {
    PooledHeatmap& map = result.heatmap;
    map.queryPositions = positions_;
    map.binStart = binStart_;
    map.exactKeyColumns = std::min<int>(request_.exactKeyColumns, map.bins());
    map.mass.resize(binMass_.size());
    const size_t bins = binStart_.size() - 1;
    for (size_t r = 0; r < positions_.size(); ++r)
      for (size_t b = 0; b < bins; ++b)
        map.mass[r * bins + b] = float(binMass_[r * bins + b] / states_[r].softmax.sum());
  }
  const RowState& last = states_.back();
  for (const Needle& needle : needles_) {
    NeedleResult out = needle.result;
    if (out.inCache) {
      const double own = std::exp(needle.logit - last.softmax.maximum());
      const double filler = std::exp(needle.fillerLogit - last.softmax.maximum());
      out.weight = own / (last.softmax.sum() - filler + own);
      out.rank = 1 + needle.larger;
    } else {
      out.weight = 0;
      out.rank = -1;
    }
    result.needles.push_back(out);
  }
  return result;
}

}  // namespace

ProbeResult runAttentionProbe(const QueryKeySource& source, const PositionalScheme& scheme,
                              const ProbeRequest& request, const ProbeCallbacks& callbacks) {
  ProbeRun run(source, scheme, request);
  return run.run(callbacks);
}

std::vector<qint64> evenlySpacedQueries(qint64 contextTokens, int count, qint64 minimum) {
  std::vector<qint64> positions;
  const qint64 last = contextTokens - 1;
  const qint64 first = std::clamp<qint64>(minimum, 0, last);
  if (count <= 1 || first == last) return {last};
  for (int k = 0; k < count; ++k)
    positions.push_back(first + qint64(std::llround(double(k) * double(last - first) / double(count - 1))));
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  return positions;
}

std::vector<qint64> queriesAroundTrained(qint64 contextTokens, qint64 trainedContext, int count,
                                         qint64 minimum) {
  if (trainedContext <= minimum || contextTokens <= trainedContext || count < 4)
    return evenlySpacedQueries(contextTokens, count, minimum);
  std::vector<qint64> inside = evenlySpacedQueries(trainedContext, count / 2, minimum);
  // Past the trained context: trainedContext .. N-1 (includes the last query).
  std::vector<qint64> past = evenlySpacedQueries(contextTokens, count - count / 2, trainedContext);
  inside.insert(inside.end(), past.begin(), past.end());
  std::sort(inside.begin(), inside.end());
  inside.erase(std::unique(inside.begin(), inside.end()), inside.end());
  return inside;
}

}  // namespace sinkscope
