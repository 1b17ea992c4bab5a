#include "inference/ReferenceForward.h"

#include "common/Error.h"
#include "inference/RopeTable.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <optional>

namespace sinkscope {

using Vector = Eigen::VectorXf;

namespace {

// W v with each weight row decoded on its own and summed in double: independent of the tiled
// products of the batched pass (EncodedProduct.h), sharing only the type table's decoders.
Vector times(const EncodedMatrix& w, const Vector& v) {
  Vector out(w.rows);
  std::vector<float> row(size_t(w.cols));
  for (qint64 r = 0; r < w.rows; ++r) {
    w.decodeRows(r, 1, row.data());
    double sum = 0;
    for (qint64 c = 0; c < w.cols; ++c) sum += double(row[size_t(c)]) * double(v[c]);
    out[r] = float(sum);
  }
  return out;
}

Vector embeddingOf(const EncodedMatrix& embedding, int token) {
  Vector out(embedding.cols);
  embedding.decodeRows(token, 1, out.data());
  return out;
}

Vector rmsNorm(const Vector& x, const std::vector<float>& weight, double epsilon) {
  const double meanSquare = double(x.squaredNorm()) / double(x.size());
  return x.cwiseProduct(Eigen::Map<const Vector>(weight.data(), Eigen::Index(weight.size()))) *
         float(1.0 / std::sqrt(meanSquare + epsilon));
}

// x + bias; no bias, x.
Vector plus(Vector x, const std::vector<float>& bias) {
  if (!bias.empty()) x += Eigen::Map<const Vector>(bias.data(), Eigen::Index(bias.size()));
  return x;
}

// Each head's slice RMS-normalised with `weight` (q/k norms); no weight, no change.
void normalizeEachHead(Vector& x, const std::vector<float>& weight, double epsilon) {
  const Eigen::Index d = Eigen::Index(weight.size());
  for (Eigen::Index c = 0; d > 0 && c + d <= x.size(); c += d) {
    const Vector head = x.segment(c, d);
    x.segment(c, d) = rmsNorm(head, weight, epsilon);
  }
}

double softcapped(double value, double cap) {
  return cap > 0 ? cap * std::tanh(value / cap) : value;
}

// act(gate) * up, one value: SiLU, or GELU in its tanh form.
float gated(float gate, float up, FeedForwardActivation activation) {
  if (activation == FeedForwardActivation::Silu) return gate / (1.0f + std::exp(-gate)) * up;
  const double g = gate;
  return float(0.5 * g * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (g + 0.044715 * g * g * g)))) * up;
}

}  // namespace

// Per layer: keys (unrotated) and values of every token fed so far, one row each.
struct IncrementalForward::State {
  RopeTable rope;
  std::optional<RopeTable> localRope;  // sliding layers' own base, when the architecture has one
  float softmaxScale;
  std::vector<std::vector<std::vector<float>>> keys;    // layer, position, kvHeads * headDim
  std::vector<std::vector<std::vector<float>>> values;  // layer, position, kvHeads * headDim
};

IncrementalForward::IncrementalForward(const LlamaModel& model, const RopeSchedule& schedule, KvPolicy policy,
                                       qint64 maxPositions)
    : model_(model), policy_(policy) {
  const auto& h = model.hyper();
  const float scale = float(attentionScale(h, schedule));
  std::optional<RopeTable> localRope;
  if (h.localRopeTheta > 0) localRope.emplace(localRopeSchedule(h, 0), maxPositions);
  state_ = std::make_unique<State>(
      State{RopeTable(withModelRopeFactors(schedule, model, maxPositions), maxPositions),
            std::move(localRope),
            scale,
            {},
            {}});
  state_->keys.resize(size_t(h.layers));
  state_->values.resize(size_t(h.layers));
}

IncrementalForward::~IncrementalForward() = default;

std::vector<float> IncrementalForward::step(int token) {
  const auto& h = model_.hyper();
  if (token < 0 || token >= h.vocabSize)
    throwBadInput(QString(), QStringLiteral("token"),
                  QStringLiteral("id %1 is outside the vocabulary").arg(token));
  if (position_ >= state_->rope.positions())
    throw Error(ErrorKind::Internal, QString(), QStringLiteral("position"),
                QStringLiteral("beyond the decoder's rotation table"));
  const qint64 p = position_++;
  const int d = h.headDim;
  const int group = h.heads / h.kvHeads;
  const ArchitectureTraits& traits = *h.traits;

  Vector x = embeddingOf(model_.tokenEmbedding(), token);
  if (traits.embeddingScaledBySqrtWidth) x *= std::sqrt(float(h.embeddingLength));
  for (int l = 0; l < h.layers; ++l) {
    const LlamaLayer& layer = model_.layers()[size_t(l)];
    const RopeTable& rope = h.slides(l) && state_->localRope ? *state_->localRope : state_->rope;
    // The cache this token attends to in this layer, and the position each cached key is rotated
    // at: absolute for a full cache, the slot inside the cache otherwise (StreamingLLM re-indexing).
    const KvPolicy policy = layerKvPolicy(h, l, policy_);
    std::vector<qint64> kept;
    for (qint64 j = 0; j <= p; ++j)
      if (policy.sees(p, j)) kept.push_back(j);
    const bool reindex = policy.kind != KvPolicy::Kind::Full;
    const qint64 queryPosition = reindex ? qint64(kept.size()) - 1 : p;

    const Vector normed = rmsNorm(x, layer.attentionNorm, h.rmsEpsilon);
    Vector q = plus(times(layer.query, normed), layer.queryBias);
    Vector k = plus(times(layer.key, normed), layer.keyBias);
    normalizeEachHead(q, layer.queryNorm, h.rmsEpsilon);
    normalizeEachHead(k, layer.keyNorm, h.rmsEpsilon);
    if (!reindex)  // a full cache keeps keys rotated at their absolute position, as runtimes do
      for (int g = 0; g < h.kvHeads; ++g) rope.rotate(k.data() + g * d, p);
    const Vector v = plus(times(layer.value, normed), layer.valueBias);
    state_->keys[size_t(l)].emplace_back(k.data(), k.data() + k.size());
    state_->values[size_t(l)].emplace_back(v.data(), v.data() + v.size());
    for (int head = 0; head < h.heads; ++head) rope.rotate(q.data() + head * d, queryPosition);

    Vector attention = Vector::Zero(h.heads * d);
    std::vector<float> rotatedKey(static_cast<size_t>(d));
    std::vector<double> scores(kept.size());
    for (int head = 0; head < h.heads; ++head) {
      const int g = head / group;
      double maximum = -INFINITY;
      for (size_t slot = 0; slot < kept.size(); ++slot) {
        const std::vector<float>& key = state_->keys[size_t(l)][size_t(kept[slot])];
        std::copy(key.begin() + g * d, key.begin() + (g + 1) * d, rotatedKey.begin());
        if (reindex) rope.rotate(rotatedKey.data(), qint64(slot));
        double dot = 0;
        for (int i = 0; i < d; ++i) dot += double(q[head * d + i]) * double(rotatedKey[size_t(i)]);
        scores[slot] = softcapped(dot * state_->softmaxScale, h.attentionSoftcap);
        maximum = std::max(maximum, scores[slot]);
      }
      double z = 0;
      for (double& s : scores) z += (s = std::exp(s - maximum));
      for (size_t slot = 0; slot < kept.size(); ++slot) {
        const std::vector<float>& value = state_->values[size_t(l)][size_t(kept[slot])];
        for (int i = 0; i < d; ++i)
          attention[head * d + i] += float(scores[slot] / z) * value[size_t(g * d + i)];
      }
    }
    const Vector attended = times(layer.output, attention);
    x +=
        layer.postAttentionNorm.empty() ? attended : rmsNorm(attended, layer.postAttentionNorm, h.rmsEpsilon);
    const Vector normed2 = rmsNorm(x, layer.ffnNorm, h.rmsEpsilon);
    const Vector gate = times(layer.gate, normed2);
    const Vector up = times(layer.up, normed2);
    Vector hidden(gate.size());
    for (Eigen::Index i = 0; i < gate.size(); ++i) hidden[i] = gated(gate[i], up[i], traits.activation);
    const Vector fed = times(layer.down, hidden);
    x += layer.postFeedForwardNorm.empty() ? fed : rmsNorm(fed, layer.postFeedForwardNorm, h.rmsEpsilon);
  }
  Vector logits = times(model_.outputHead(), rmsNorm(x, model_.outputNorm(), h.rmsEpsilon));
  for (float& logit : logits) logit = float(softcapped(logit, h.finalSoftcap));
  return {logits.data(), logits.data() + logits.size()};
}

std::vector<int> greedyDecode(const LlamaModel& model, const RopeSchedule& schedule,
                              const std::vector<int>& prompt, int newTokens, int stopToken) {
  IncrementalForward decoder(model, schedule, KvPolicy{}, qint64(prompt.size()) + newTokens + 1);
  std::vector<int> ids = prompt;
  std::vector<float> logits;
  for (int id : prompt) logits = decoder.step(id);
  for (int i = 0; i < newTokens && !logits.empty(); ++i) {
    const int next = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
    ids.push_back(next);
    if (next == stopToken) break;
    logits = decoder.step(next);
  }
  return ids;
}

}  // namespace sinkscope
