#include "inference/ForwardPass.h"

#include "attention/HeatmapBins.h"
#include "attention/OnlineSoftmax.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "inference/EncodedProduct.h"
#include "inference/RopeTable.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <optional>

namespace sinkscope {

qint64 forwardWideChunkRows(qint64 width, qint64 tokens) {
  const qint64 rows = std::clamp<qint64>(kForwardWideChunkFloats / std::max<qint64>(width, 1), 64,
                                         std::max<qint64>(tokens, 64));
  return std::min(rows, std::max<qint64>(tokens, 1));
}

RopeParameters ropeParametersForGguf(const LlamaHyperparameters& hyper, qint64 trainedContext) {
  RopeParameters params;
  params.theta = hyper.ropeTheta;
  params.headDim = hyper.headDim;
  params.partialRotaryFactor = double(hyper.rotaryDim) / double(hyper.headDim);
  // llama.cpp "normal" (adjacent pairs) for llama, NEOX (half split) for the others (architectures/).
  params.layout = hyper.traits ? hyper.traits->ropeLayout : RopePairLayout::Adjacent;
  params.maxPositionEmbeddings = hyper.contextLength;
  params.originalContext = trainedContext > 0 ? trainedContext : hyper.contextLength;
  params.softmaxHeadDim = hyper.headDim;
  if (!hyper.ropeScalingType.isEmpty()) {
    RopeScaling scaling;
    scaling.type = hyper.ropeScalingType;
    scaling.factor = hyper.ropeScalingFactor;
    if (hyper.ropeScalingOriginalContext > 0)
      scaling.originalMaxPositionEmbeddings = hyper.ropeScalingOriginalContext;
    params.scaling = scaling;
  }
  return params;
}

KvPolicy layerKvPolicy(const LlamaHyperparameters& h, int layer, const KvPolicy& asked,
                       qint64 configSlidingWindow) {
  const qint64 window = h.slides(layer) ? h.slidingWindow : configSlidingWindow;
  if (window <= 0) return asked;
  KvPolicy policy = asked;
  if (policy.kind == KvPolicy::Kind::Full) {
    policy.kind = KvPolicy::Kind::Window;
    policy.windowTokens = window;
  } else {
    policy.windowTokens = std::min(policy.windowTokens, window);
  }
  return policy;
}

RopeSchedule withModelRopeFactors(RopeSchedule schedule, const LlamaModel& model, qint64 tokens) {
  schedule.attentionFactor *= model.hyper().ropeAttentionFactor;
  const std::vector<float>& factors = model.ropeFactorsFor(tokens);
  if (factors.empty()) return schedule;
  if (factors.size() != schedule.invFreq.size())
    throw Error(
        ErrorKind::Internal, QString(), QStringLiteral("rope_freqs"),
        QStringLiteral("%1 factors for %2 rotary pairs").arg(factors.size()).arg(schedule.invFreq.size()));
  for (size_t i = 0; i < factors.size(); ++i) schedule.invFreq[i] /= double(factors[i]);
  return schedule;
}

// Mitigations act on the global layers, the ones that see the whole context.
RopeSchedule localRopeSchedule(const LlamaHyperparameters& h, qint64 trainedContext) {
  RopeParameters params = ropeParametersForGguf(h, trainedContext);
  params.theta = h.localRopeTheta;
  params.scaling.reset();
  return computeRopeSchedule(params);
}

double attentionScale(const LlamaHyperparameters& h, const RopeSchedule& schedule) {
  const double standard = 1.0 / std::sqrt(double(h.headDim));
  const double scale = schedule.softmaxScale > 0 ? schedule.softmaxScale : standard;
  return h.queryScale > 0 ? scale * h.queryScale / standard : scale;
}

double ForwardResult::sinkRate(double epsilon) const {
  if (heads.empty()) return 0;
  const auto above = std::count_if(heads.begin(), heads.end(),
                                   [&](const HeadAttentionMetrics& m) { return m.meanSinkMass1 > epsilon; });
  return double(above) / double(heads.size());
}

namespace {

RowMatrix rmsNorm(const Eigen::Ref<const RowMatrix>& x, const std::vector<float>& weight, double epsilon) {
  RowMatrix out(x.rows(), x.cols());
  const Eigen::Map<const Eigen::RowVectorXf> w(weight.data(), Eigen::Index(weight.size()));
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    const double meanSquare = double(x.row(r).squaredNorm()) / double(x.cols());
    out.row(r) = x.row(r).cwiseProduct(w) * float(1.0 / std::sqrt(meanSquare + epsilon));
  }
  return out;
}

// Scores per block worth two threads (64 queries x 512 keys x 16 heads: about 2 ms of work);
// below it the threads' start-up and barrier cost more than they save, more so on a busy machine.
constexpr double kParallelBlockElements = 512.0 * 1024;

// Eigen's own threading off, restored on exit: the projections spread their weight tiles over the
// threads themselves (EncodedProduct.h) and attention its heads, so Eigen's regions would nest.
class SingleThreadedEigen {
 public:
  SingleThreadedEigen() : previous_(Eigen::nbThreads()) { Eigen::setNbThreads(1); }
  ~SingleThreadedEigen() { Eigen::setNbThreads(previous_); }
  SingleThreadedEigen(const SingleThreadedEigen&) = delete;
  SingleThreadedEigen& operator=(const SingleThreadedEigen&) = delete;

 private:
  int previous_;
};

// Running sums for one (layer, head).
struct Accumulator {
  double sink1 = 0, sink4 = 0, entropy = 0, previous = 0;
  qint64 count1 = 0, count4 = 0;
  double sink1Inside = 0, sink1Beyond = 0, entropyInside = 0, entropyBeyond = 0;
  qint64 countInside = 0, countBeyond = 0;
};

struct Context {
  const LlamaHyperparameters& hyper;
  const ForwardOptions& options;
  const RopeTable* rope = nullptr;  // the current layer's (sliding layers may have their own base)
  KvPolicy policy;                  // the current layer's: options.kvPolicy inside its sliding window
  qint64 tokens = 0;
  float softmaxScale = 0;
  std::vector<int> heatmapRowOf;  // position -> heatmap row, -1 when not captured
  std::vector<qint64> binStart;
};

// Keys [lo, i] of the contiguous block that query i sees (sinks aside).
qint64 lowestBlockKey(const KvPolicy& policy, qint64 query) {
  return policy.firstWindowKey(query);
}

void poolRow(const Context& context, const float* sinkWeights, int sinkCount, const float* blockWeights,
             qint64 k0, qint64 query, double inverseZ, HeadAttentionMetrics& metrics, int row) {
  PooledHeatmap& heatmap = metrics.heatmap;
  const int bins = heatmap.bins();
  float* out = heatmap.mass.data() + size_t(row) * size_t(bins);
  auto add = [&](qint64 key, float weight) {
    const auto bin = std::upper_bound(context.binStart.begin(), context.binStart.end(), key) -
                     context.binStart.begin() - 1;
    out[bin] += float(weight * inverseZ);
  };
  for (int s = 0; s < sinkCount; ++s) add(s, sinkWeights[s]);
  for (qint64 j = lowestBlockKey(context.policy, query); j <= query; ++j) add(j, blockWeights[j - k0]);
}

// Softmax of one row in place over its visible entries (others set to 0), and its metrics.
// The row is left unnormalised (exp(s - max), 0 where hidden); returns its sum Z.
double softmaxRow(const Context& context, float* sinkScores, int sinkCount, float* blockScores, qint64 k0,
                  qint64 blockWidth, qint64 query, Accumulator& acc, HeadAttentionMetrics& metrics,
                  std::vector<float>& shifted) {
  const qint64 lo = lowestBlockKey(context.policy, query);
  Eigen::Map<Eigen::ArrayXf> sinks(sinkScores, sinkCount);
  Eigen::Map<Eigen::ArrayXf> visible(blockScores + (lo - k0), Eigen::Index(query - lo + 1));
  float maximum = visible.maxCoeff();
  if (sinkCount > 0) maximum = std::max(maximum, sinks.maxCoeff());
  OnlineSoftmax softmax;
  softmax.raiseMaximum(maximum);
  softmax.absorb(std::span<float>(visible.data(), size_t(visible.size())), shifted);
  softmax.absorb(std::span<float>(sinkScores, size_t(sinkCount)), shifted);
  const double z = softmax.sum();
  const double inverse = 1.0 / z;
  std::fill(blockScores, blockScores + (lo - k0), 0.0f);
  std::fill(blockScores + (query - k0 + 1), blockScores + blockWidth, 0.0f);

  if (query == 0) return z;
  const qint64 seen = (query - lo + 1) + sinkCount;
  const double entropy = softmax.entropy();
  const double normalized = seen > 1 ? entropy / std::log(double(seen)) : 0.0;
  auto weightOf = [&](qint64 key) -> double {
    if (key < sinkCount) return sinkScores[key] * inverse;
    return key >= lo && key <= query ? blockScores[key - k0] * inverse : 0.0;
  };
  const double sink1 = weightOf(0);
  double sink4 = 0;
  for (qint64 key = 0; key < 4; ++key) sink4 += weightOf(key);
  acc.sink1 += sink1;
  ++acc.count1;
  acc.entropy += normalized;
  acc.previous += weightOf(query - 1);
  if (query >= 4) {
    acc.sink4 += sink4;
    ++acc.count4;
  }
  if (context.options.trainedContext <= 0 || query < context.options.trainedContext) {
    acc.sink1Inside += sink1;
    acc.entropyInside += normalized;
    ++acc.countInside;
  } else {
    acc.sink1Beyond += sink1;
    acc.entropyBeyond += normalized;
    ++acc.countBeyond;
  }
  if (query == context.tokens - 1) {
    metrics.lastSinkMass1 = sink1;
    metrics.lastSinkMass4 = sink4;
  }
  return z;
}

// One block of queries [c0, c1) of one layer: scores, softmax, metrics, and attention output.
void attendBlock(Context& context, const RowMatrix& queries, const RowMatrix& keys, const RowMatrix& values,
                 qint64 c0, qint64 c1, RowMatrix& attention, std::vector<Accumulator>& accumulators,
                 std::vector<HeadAttentionMetrics>& metrics, int layer) {
  const LlamaHyperparameters& h = context.hyper;
  const KvPolicy& policy = context.policy;
  const int headDim = h.headDim;
  const qint64 rows = c1 - c0;
  const qint64 k0 = lowestBlockKey(policy, c0);
  const qint64 blockWidth = c1 - k0;
  const bool streaming = policy.kind == KvPolicy::Kind::SinksAndWindow && c1 - 1 >= policy.cacheTokens();
  const int sinkCount = streaming ? policy.sinkTokens : 0;

  RowMatrix rotated = queries.middleRows(c0, rows);
  RowMatrix sinkQueries;  // queries re-indexed to the last cache slot (StreamingLLM)
  if (streaming) sinkQueries = rotated;
  for (qint64 r = 0; r < rows; ++r)
    for (int head = 0; head < h.heads; ++head) {
      context.rope->rotate(&rotated(r, head * headDim), c0 + r);
      if (streaming) context.rope->rotate(&sinkQueries(r, head * headDim), policy.cacheTokens() - 1);
    }

  const int group = h.heads / h.kvHeads;
  // Threads only pay off on large blocks; on small ones their start-up and barriers cost more
  // than the work (much more on a busy machine).
  const bool parallel =
      double(rows) * double(sinkCount + blockWidth) * double(h.heads) >= kParallelBlockElements;
#pragma omp parallel for schedule(dynamic) if (parallel)
  for (int head = 0; head < h.heads; ++head) {
    const int kvHead = head / group;
    const int index = layer * h.heads + head;
    RowMatrix scores(rows, sinkCount + blockWidth);
    std::vector<float> shifted;  // scratch for one row's scores minus their maximum
    Eigen::VectorXf inverseZ(rows);
    const auto k = keys.block(k0, kvHead * headDim, blockWidth, headDim);
    const auto v = values.block(k0, kvHead * headDim, blockWidth, headDim);
    scores.rightCols(blockWidth).noalias() =
        context.softmaxScale * rotated.block(0, head * headDim, rows, headDim) * k.transpose();
    if (sinkCount > 0)
      scores.leftCols(sinkCount).noalias() = context.softmaxScale *
                                             sinkQueries.block(0, head * headDim, rows, headDim) *
                                             keys.block(0, kvHead * headDim, sinkCount, headDim).transpose();
    if (h.attentionSoftcap > 0) {  // c * tanh(s / c) on the scaled scores, before the softmax (Gemma 2)
      const float cap = float(h.attentionSoftcap);
      scores.array() = (scores.array() * (1.0f / cap)).tanh() * cap;
    }
    for (qint64 r = 0; r < rows; ++r) {
      const qint64 query = c0 + r;
      // Sink columns count only once the cache is full; before that the keys are in the block.
      const int rowSinks = sinkCount > 0 && query >= policy.cacheTokens() ? sinkCount : 0;
      if (sinkCount > 0 && rowSinks == 0) scores.row(r).head(sinkCount).setZero();
      float* rowData = &scores(r, 0);
      inverseZ[r] =
          float(1.0 / softmaxRow(context, rowData, rowSinks, rowData + sinkCount, k0, blockWidth, query,
                                 accumulators[size_t(index)], metrics[size_t(index)], shifted));
      if (const int heatmapRow = context.heatmapRowOf[size_t(query)]; heatmapRow >= 0)
        poolRow(context, rowData, rowSinks, rowData + sinkCount, k0, query, inverseZ[r],
                metrics[size_t(index)], heatmapRow);
    }
    auto out = attention.block(c0, head * headDim, rows, headDim);
    out.noalias() = scores.rightCols(blockWidth) * v;
    if (sinkCount > 0)
      out.noalias() += scores.leftCols(sinkCount) * values.block(0, kvHead * headDim, sinkCount, headDim);
    out = inverseZ.asDiagonal() * out;
  }
}

[[noreturn]] void throwCancelled();

void checkCancelled(const ForwardOptions& options) {
  if (options.isCancelled && options.isCancelled())
    throwCancelled();  // an outcome of its own (common/Cancelled.h)
}

void validate(const LlamaModel& model, std::span<const int> tokens, const ForwardOptions& options) {
  const LlamaHyperparameters& h = model.hyper();
  if (tokens.empty())
    throwBadInput(QString(), QStringLiteral("tokens"), QStringLiteral("no tokens to measure"));
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] >= h.vocabSize)
      throwBadInput(QString(), QStringLiteral("token %1").arg(i),
                    QStringLiteral("id %1 is outside the vocabulary of %2").arg(tokens[i]).arg(h.vocabSize));
  if (int(options.schedule.invFreq.size()) * 2 > h.headDim)
    throw Error(ErrorKind::Internal, QString(), QStringLiteral("rope schedule"),
                QStringLiteral("rotary dim exceeds the head dim"));
  const KvPolicy& policy = options.kvPolicy;
  if (policy.kind != KvPolicy::Kind::Full && (policy.windowTokens < 1 || policy.sinkTokens < 0))
    throwBadInput(QString(), QStringLiteral("window"),
                  QStringLiteral("the window must hold at least one token"));
}

// Multiply-adds of one attention block (scores and weighted values; the softmax counted as 16
// more per score), the unit in which progress is reported.
double attentionWork(const Context& context, qint64 c0, qint64 c1) {
  const KvPolicy& policy = context.policy;
  const bool streaming = policy.kind == KvPolicy::Kind::SinksAndWindow && c1 - 1 >= policy.cacheTokens();
  const double width = double(c1 - lowestBlockKey(policy, c0)) + (streaming ? policy.sinkTokens : 0);
  return double(c1 - c0) * width * double(context.hyper.heads) * (2.0 * context.hyper.headDim + 16.0);
}

double layerProjectionWork(const LlamaHyperparameters& h) {
  const double e = h.embeddingLength, q = double(h.heads) * h.headDim, kv = double(h.kvHeads) * h.headDim;
  return e * (2.0 * q + 2.0 * kv) + 3.0 * e * h.feedForwardLength;
}

// Every multiply-add the pass will do: projections, attention blocks and the output head.
double totalWork(Context context, int chunk) {
  const LlamaHyperparameters& h = context.hyper;
  double attention = 0;
  for (int l = 0; l < h.layers; ++l) {
    context.policy = layerKvPolicy(h, l, context.options.kvPolicy, context.options.configSlidingWindow);
    for (qint64 c0 = 0; c0 < context.tokens; c0 += chunk)
      attention += attentionWork(context, c0, std::min(context.tokens, c0 + chunk));
  }
  const double n = double(context.tokens);
  return double(h.layers) * n * layerProjectionWork(h) + attention +
         n * double(h.vocabSize) * h.embeddingLength;
}

// Reports the share of the pass's work done (ForwardOptions::progress).
class WorkMeter {
 public:
  WorkMeter(const ForwardOptions& options, double total) : options_(options), total_(std::max(total, 1.0)) {}
  void add(double work) {
    done_ += work;
    if (options_.progress) options_.progress(std::min(1.0, done_ / total_));
  }
  void finish() {
    if (options_.progress) options_.progress(1.0);
  }

 private:
  const ForwardOptions& options_;
  double total_;
  double done_ = 0;
};

[[noreturn]] void throwCancelled() {
  throw Cancelled();
}

// Adds a bias to every row; an empty bias adds nothing.
void addBias(RowMatrix& x, const std::vector<float>& bias) {
  if (bias.empty()) return;
  x.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias.data(), Eigen::Index(bias.size()));
}

// RMSNorm of every head's slice (weight.size() wide) of every row: Qwen 3 and Gemma 3 q/k norms.
void normalizeHeads(RowMatrix& x, const std::vector<float>& weight, double epsilon) {
  if (weight.empty()) return;
  const Eigen::Index width = Eigen::Index(weight.size());
  const Eigen::Map<const Eigen::RowVectorXf> w(weight.data(), width);
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    for (Eigen::Index c = 0; c + width <= x.cols(); c += width) {
      auto head = x.row(r).segment(c, width);
      const double meanSquare = double(head.squaredNorm()) / double(width);
      head = head.cwiseProduct(w) * float(1.0 / std::sqrt(meanSquare + epsilon));
    }
}

// y (+)= x · Wᵀ with the weights decoded tile by tile; throws when cancelled.
void projectInto(const Eigen::Ref<const RowMatrix>& x, const EncodedMatrix& w, Eigen::Ref<RowMatrix> y,
                 bool accumulate, const ForwardOptions& options, WorkMeter& meter) {
  if (!multiplyByTransposed(x, w, y, accumulate, options.isCancelled)) throwCancelled();
  meter.add(double(x.rows()) * double(w.rows) * double(w.cols));
}

RowMatrix project(const Eigen::Ref<const RowMatrix>& x, const EncodedMatrix& w, const ForwardOptions& options,
                  WorkMeter& meter) {
  RowMatrix y(x.rows(), w.rows);
  projectInto(x, w, y, false, options, meter);
  return y;
}

// gate = act(gate) * up in place: SiLU, or GELU with its tanh approximation (ggml_gelu).
void gatedActivation(RowMatrix& gate, const RowMatrix& up, FeedForwardActivation activation) {
  if (activation == FeedForwardActivation::Silu) {
    gate.array() = gate.array() / (1.0f + (-gate.array()).exp()) * up.array();
    return;
  }
  constexpr float kSqrtTwoOverPi = 0.79788456080286535588f;
  constexpr float kCubic = 0.044715f;
  const auto g = gate.array();
  gate.array() = 0.5f * g * (1.0f + (kSqrtTwoOverPi * g * (1.0f + kCubic * g * g)).tanh()) * up.array();
}

// x += down(act(gate(norm x)) * up(norm x)) (post-normed when the architecture says), in chunks of rows.
void feedForward(RowMatrix& x, const LlamaLayer& layer, const LlamaHyperparameters& h,
                 const ForwardOptions& options, WorkMeter& meter) {
  const qint64 n = x.rows();
  const qint64 step = forwardWideChunkRows(2 * qint64(h.feedForwardLength), n);
  for (qint64 r0 = 0; r0 < n; r0 += step) {
    const qint64 rows = std::min<qint64>(step, n - r0);
    const RowMatrix normed = rmsNorm(x.middleRows(r0, rows), layer.ffnNorm, h.rmsEpsilon);
    RowMatrix gate = project(normed, layer.gate, options, meter);
    const RowMatrix up = project(normed, layer.up, options, meter);
    gatedActivation(gate, up, h.traits ? h.traits->activation : FeedForwardActivation::Silu);
    if (layer.postFeedForwardNorm.empty()) {
      projectInto(gate, layer.down, x.middleRows(r0, rows), true, options, meter);
    } else {
      x.middleRows(r0, rows) +=
          rmsNorm(project(gate, layer.down, options, meter), layer.postFeedForwardNorm, h.rmsEpsilon);
    }
  }
}

// Output head, in row chunks so that N x vocab logits never exist at once: argmax and nll.
void predictNextTokens(const LlamaModel& model, const RowMatrix& x, std::span<const int> tokens,
                       const ForwardOptions& options, WorkMeter& meter, ForwardResult& result) {
  const LlamaHyperparameters& h = model.hyper();
  const qint64 n = x.rows();
  result.argmax.resize(size_t(n));
  result.nll.resize(size_t(n - 1));
  const qint64 step = forwardWideChunkRows(h.vocabSize, n);
  for (qint64 r0 = 0; r0 < n; r0 += step) {
    checkCancelled(options);
    const qint64 rows = std::min<qint64>(step, n - r0);
    RowMatrix logits = project(rmsNorm(x.middleRows(r0, rows), model.outputNorm(), h.rmsEpsilon),
                               model.outputHead(), options, meter);
    if (h.finalSoftcap > 0) {  // c * tanh(z / c) on the logits (Gemma 2)
      const float cap = float(h.finalSoftcap);
      logits.array() = (logits.array() * (1.0f / cap)).tanh() * cap;
    }
    for (qint64 r = 0; r < rows; ++r) {
      const qint64 p = r0 + r;
      Eigen::Index best = 0;
      const float maximum = logits.row(r).maxCoeff(&best);
      result.argmax[size_t(p)] = int(best);
      if (p + 1 < n) {
        const double logSum =
            double(maximum) + std::log(double((logits.row(r).array() - maximum).exp().sum()));
        result.nll[size_t(p)] = float(logSum - double(logits(r, tokens[size_t(p + 1)])));
      }
    }
  }
}

}  // namespace

ForwardResult runForward(const LlamaModel& model, std::span<const int> tokens,
                         const ForwardOptions& options) {
  validate(model, tokens, options);
  const SingleThreadedEigen singleThreaded;
  const LlamaHyperparameters& h = model.hyper();
  const qint64 n = qint64(tokens.size());
  const int chunk = std::max(16, options.chunkTokens);
  const RopeTable rope(withModelRopeFactors(options.schedule, model, n), n);
  const std::optional<RopeTable> localRope =
      h.localRopeTheta > 0
          ? std::optional<RopeTable>(RopeTable(localRopeSchedule(h, options.trainedContext), n))
          : std::nullopt;
  Context context{h,
                  options,
                  &rope,
                  options.kvPolicy,
                  n,
                  0.0f,
                  std::vector<int>(size_t(n), -1),
                  heatmapBinStarts(n, std::max(8, options.heatmapBins), 4)};
  context.softmaxScale = float(attentionScale(h, options.schedule));

  std::vector<qint64> heatmapRows;
  for (qint64 row : options.heatmapRows)
    if (row >= 0 && row < n) heatmapRows.push_back(row);
  std::sort(heatmapRows.begin(), heatmapRows.end());
  heatmapRows.erase(std::unique(heatmapRows.begin(), heatmapRows.end()), heatmapRows.end());
  for (size_t i = 0; i < heatmapRows.size(); ++i) context.heatmapRowOf[size_t(heatmapRows[i])] = int(i);

  ForwardResult result;
  result.heads.resize(size_t(h.layers) * size_t(h.heads));
  std::vector<Accumulator> accumulators(result.heads.size());
  for (size_t i = 0; i < result.heads.size(); ++i) {
    HeadAttentionMetrics& m = result.heads[i];
    m.layer = int(i) / h.heads;
    m.head = int(i) % h.heads;
    m.heatmap.queryPositions = heatmapRows;
    m.heatmap.binStart = context.binStart;
    m.heatmap.exactKeyColumns = int(std::min<qint64>(4, n));
    m.heatmap.mass.assign(heatmapRows.size() * size_t(m.heatmap.bins()), 0.0f);
  }

  RowMatrix x(n, h.embeddingLength);
  for (qint64 p = 0; p < n; ++p) model.tokenEmbedding().decodeRows(tokens[size_t(p)], 1, &x(p, 0));
  if (h.traits && h.traits->embeddingScaledBySqrtWidth) x *= std::sqrt(float(h.embeddingLength));  // Gemma

  WorkMeter meter(options, totalWork(context, chunk));
  for (int l = 0; l < h.layers; ++l) {
    const LlamaLayer& layer = model.layers()[size_t(l)];
    context.policy = layerKvPolicy(h, l, options.kvPolicy, options.configSlidingWindow);
    context.rope = h.slides(l) && localRope ? &*localRope : &rope;
    RowMatrix attention(n, h.heads * h.headDim);
    {
      const RowMatrix normed = rmsNorm(x, layer.attentionNorm, h.rmsEpsilon);
      RowMatrix queries = project(normed, layer.query, options, meter);
      RowMatrix keys = project(normed, layer.key, options, meter);
      RowMatrix values = project(normed, layer.value, options, meter);
      addBias(queries, layer.queryBias);
      addBias(keys, layer.keyBias);
      addBias(values, layer.valueBias);
      normalizeHeads(queries, layer.queryNorm, h.rmsEpsilon);
      normalizeHeads(keys, layer.keyNorm, h.rmsEpsilon);
      for (qint64 p = 0; p < n; ++p)
        for (int g = 0; g < h.kvHeads; ++g) context.rope->rotate(&keys(p, g * h.headDim), p);
      for (qint64 c0 = 0; c0 < n; c0 += chunk) {
        checkCancelled(options);
        const qint64 c1 = std::min(n, c0 + chunk);
        attendBlock(context, queries, keys, values, c0, c1, attention, accumulators, result.heads, l);
        meter.add(attentionWork(context, c0, c1));
      }
    }
    if (layer.postAttentionNorm.empty())
      projectInto(attention, layer.output, x, true, options, meter);
    else
      x += rmsNorm(project(attention, layer.output, options, meter), layer.postAttentionNorm, h.rmsEpsilon);
    feedForward(x, layer, h, options, meter);
  }
  predictNextTokens(model, x, tokens, options, meter, result);

  for (size_t i = 0; i < result.heads.size(); ++i) {
    const Accumulator& a = accumulators[i];
    HeadAttentionMetrics& m = result.heads[i];
    auto mean = [](double sum, qint64 count) { return count > 0 ? sum / double(count) : 0.0; };
    m.meanSinkMass1 = mean(a.sink1, a.count1);
    m.meanSinkMass4 = mean(a.sink4, a.count4);
    m.meanNormalizedEntropy = mean(a.entropy, a.count1);
    m.meanPreviousTokenMass = mean(a.previous, a.count1);
    m.meanSinkMass1Inside = mean(a.sink1Inside, a.countInside);
    m.meanSinkMass1Beyond = mean(a.sink1Beyond, a.countBeyond);
    m.meanNormalizedEntropyInside = mean(a.entropyInside, a.countInside);
    m.meanNormalizedEntropyBeyond = mean(a.entropyBeyond, a.countBeyond);
  }
  meter.finish();
  return result;
}

}  // namespace sinkscope
