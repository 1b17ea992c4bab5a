// The synthetic query/key generator of modelled mode (docs/modelled-attention.md): Q/K
// statistics of one head, generated key by key from (seed, layer, head, position). It models
// queries and keys only; it never looks at the inference-time scheme or the context length.
#pragma once

#include "attention/QueryKeySource.h"
#include "catalog/ModelSpec.h"

#include <QString>
#include <complex>
#include <vector>

namespace sinkscope {

// Per-model defaults of the generator (resources/modelled_attention.json, each with its source).
struct SyntheticQKConfig {
  quint64 seed = 0;
  double sinkLogitOffsetMin = 0, sinkLogitOffsetMax = 0;  // nats above ln(trained context)
  int weakSinkLayers = 0;                                 // bottom layers with a weaker sink
  double weakSinkOffset = 0;                              // nats added there
  double contentLogitStdMin = 0, contentLogitStdMax = 0;  // nats
  double localityMin = 0, localityMax = 0;                // share of content in shared segments
  std::vector<qint64> segmentLengths;                     // tokens, one per timescale
  double bosKeyNormRatio = 1;                             // |BOS key| / |query sink part|
  double coherenceExponent = 4;                           // k: alignment weight |mu_p|^k per pair
  double needleLogitOffset = 0;                           // nats above max(sink logit, ln trained context)

  static const SyntheticQKConfig& builtin();  // from the resource, loaded once
  static SyntheticQKConfig fromJson(const QString& path);
};

// The positional scheme a head was trained with, up to the trained context: what its queries
// learnt to align with. Built from the model as it ships (never from the runtime mitigation).
struct TrainedPositions {
  int headDim = 0;
  int rotaryDim = 0;            // 0: no rotary dims (ALiBi, NoPE)
  std::vector<double> invFreq;  // rotaryDim / 2 frequencies, radians per token
  RopePairLayout layout = RopePairLayout::HalfSplit;
  double logitScale = 0;      // softmax scale x attention factor^2 during training
  qint64 trainedContext = 0;  // tokens
};

// One head's drawn parameters (see the document for their meaning).
struct SyntheticHeadParameters {
  double sinkLogit = 0;                // mean logit of the BOS key over trained query positions, nats
  double contentLogitStd = 0;          // std of content logits between unrelated tokens, nats
  double locality = 0;                 // share of content variance in segment features
  std::vector<double> segmentWeights;  // w_s, sum of squares = locality
  double sinkQueryNorm = 0, bosKeyNorm = 0, contentNorm = 0;
  double sinkAlignment = 0;  // A: mean over trained positions of the unit sink query . BOS key
};

// Mean of e^(i d theta) over d = 0..span-1 (the phase a head saw during training).
std::complex<double> meanPhasor(double theta, qint64 span);

class SyntheticQueryKeySource final : public QueryKeySource {
 public:
  SyntheticQueryKeySource(const SyntheticQKConfig& config, const TrainedPositions& trained, int layer,
                          int head);

  int headDim() const override { return trained_.headDim; }
  void keys(qint64 first, qint64 count, float* out) const override;
  void queries(std::span<const qint64> positions, float* out) const override;
  bool needleKey(qint64 queryPosition, float* out) const override;

  const SyntheticHeadParameters& parameters() const { return parameters_; }

 private:
  // Content vectors (scaled by contentNorm) for count consecutive positions of one role.
  void contentVectors(qint64 first, qint64 count, quint64 role, float* out) const;
  void drawParameters(int layer);
  double coherenceWeight(int pair) const;
  double meanTrainedDot(const std::vector<double>& query, const std::vector<double>& key) const;
  std::vector<double> aligned(std::vector<double> v, bool weight, int phaseSign) const;
  void buildSinkVectors();

  SyntheticQKConfig config_;
  TrainedPositions trained_;
  quint64 headSeed_ = 0;
  std::vector<qint64> segmentOffsets_;  // random phase of each timescale's segment grid
  SyntheticHeadParameters parameters_;
  std::vector<std::complex<double>> phasors_;  // per rotary pair: meanPhasor over training
  std::vector<float> bosKey_;                  // headDim: the learnt first-token key
  std::vector<float> sinkQuery_;               // headDim: the query part aligned with it
};

}  // namespace sinkscope
