#include "inference/ReferenceForward.h"

#include "common/Error.h"
#include "inference/RopeTable.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

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
  return x.cwiseProduct(Eigen::Map<const Vector>(weight.data(), Eigen::Index(weight.size()))) * float(1.0 / std::sqrt(meanSquare + epsilon));
}

}  // namespace

// Per layer: keys (unrotated) and values of every token fed so far, one row each.
struct IncrementalForward::State {
  RopeTable rope;
  float softmaxScale;
  std::vector<std::vector<std::vector<float>>> keys;    // layer, position, kvHeads * headDim
  std::vector<std::vector<std::vector<float>>> values;  // layer, position, kvHeads * headDim
};

IncrementalForward::IncrementalForward(const LlamaModel& model, const RopeSchedule& schedule, KvPolicy policy, qint64 maxPositions)
    : model_(model), policy_(policy) {
  const auto& h = model.hyper();
  if (!model.isPlainLlama())
    throw Error(ErrorKind::Internal, QString(), QStringLiteral("architecture"),
                QStringLiteral("the reference decoder runs the plain llama graph only, not this %1 file").arg(h.architecture));
  const float scale = float(schedule.softmaxScale > 0 ? schedule.softmaxScale : 1.0 / std::sqrt(double(h.headDim)));
  state_ = std::make_unique<State>(State{RopeTable(schedule, maxPositions), scale, {}, {}});
  state_->keys.resize(size_t(h.layers));
  state_->values.resize(size_t(h.layers));
}

IncrementalForward::~IncrementalForward() = default;

std::vector<float> IncrementalForward::step(int token) {
  const auto& h = model_.hyper();
  if (token < 0 || token >= h.vocabSize) throwBadInput(QString(), QStringLiteral("token"), QStringLiteral("id %1 is outside the vocabulary").arg(token));
  if (position_ >= state_->rope.positions())
    throw Error(ErrorKind::Internal, QString(), QStringLiteral("position"), QStringLiteral("beyond the decoder's rotation table"));
  const qint64 p = position_++;
  const int d = h.headDim;
  const int group = h.heads / h.kvHeads;

  // The cache this token attends to, and the position each cached key is rotated at: absolute
  // for a full cache, the slot inside the cache otherwise (StreamingLLM re-indexing).
  std::vector<qint64> kept;
  for (qint64 j = 0; j <= p; ++j)
    if (policy_.sees(p, j)) kept.push_back(j);
  const bool reindex = policy_.kind != KvPolicy::Kind::Full;
  const qint64 queryPosition = reindex ? qint64(kept.size()) - 1 : p;

  Vector x = embeddingOf(model_.tokenEmbedding(), token);
  for (int l = 0; l < h.layers; ++l) {
    const LlamaLayer& layer = model_.layers()[size_t(l)];
    const Vector normed = rmsNorm(x, layer.attentionNorm, h.rmsEpsilon);
    Vector q = times(layer.query, normed);
    Vector k = times(layer.key, normed);
    if (!reindex)  // a full cache keeps keys rotated at their absolute position, as runtimes do
      for (int g = 0; g < h.kvHeads; ++g) state_->rope.rotate(k.data() + g * d, p);
    const Vector v = times(layer.value, normed);
    state_->keys[size_t(l)].emplace_back(k.data(), k.data() + k.size());
    state_->values[size_t(l)].emplace_back(v.data(), v.data() + v.size());
    for (int head = 0; head < h.heads; ++head) state_->rope.rotate(q.data() + head * d, queryPosition);

    Vector attention = Vector::Zero(h.heads * d);
    std::vector<float> rotatedKey(static_cast<size_t>(d));
    std::vector<double> scores(kept.size());
    for (int head = 0; head < h.heads; ++head) {
      const int g = head / group;
      double maximum = -INFINITY;
      for (size_t slot = 0; slot < kept.size(); ++slot) {
        const std::vector<float>& key = state_->keys[size_t(l)][size_t(kept[slot])];
        std::copy(key.begin() + g * d, key.begin() + (g + 1) * d, rotatedKey.begin());
        if (reindex) state_->rope.rotate(rotatedKey.data(), qint64(slot));
        double dot = 0;
        for (int i = 0; i < d; ++i) dot += double(q[head * d + i]) * double(rotatedKey[size_t(i)]);
        scores[slot] = dot * state_->softmaxScale;
        maximum = std::max(maximum, scores[slot]);
      }
      double z = 0;
      for (double& s : scores) z += (s = std::exp(s - maximum));
      for (size_t slot = 0; slot < kept.size(); ++slot) {
        const std::vector<float>& value = state_->values[size_t(l)][size_t(kept[slot])];
        for (int i = 0; i < d; ++i) attention[head * d + i] += float(scores[slot] / z) * value[size_t(g * d + i)];
      }
    }
    x += times(layer.output, attention);
    const Vector normed2 = rmsNorm(x, layer.ffnNorm, h.rmsEpsilon);
    const Vector gate = times(layer.gate, normed2);
    const Vector up = times(layer.up, normed2);
    const Vector hidden = (gate.array() / (1.0f + (-gate.array()).exp()) * up.array()).matrix();
    x += times(layer.down, hidden);
  }
  const Vector logits = times(model_.outputHead(), rmsNorm(x, model_.outputNorm(), h.rmsEpsilon));
  return {logits.data(), logits.data() + logits.size()};
}

std::vector<int> greedyDecode(const LlamaModel& model, const RopeSchedule& schedule, const std::vector<int>& prompt,
                              int newTokens, int stopToken) {
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
