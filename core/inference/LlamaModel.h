// A decoder checkpoint opened from GGUF for CPU measurement: the plain llama graph or one of the
// architectures described as differences from it (architectures/), its hyperparameters and
// views of its per-layer matrices, still encoded in the file's memory map. Not the forward pass.
#pragma once

#include "gguf/GgufFile.h"
#include "inference/EncodedMatrix.h"
#include "inference/architectures/ArchitectureTraits.h"

#include <QString>
#include <limits>
#include <optional>
#include <vector>

namespace sinkscope {

// The hyperparameters measured mode needs, read from "<arch>.*" GGUF keys.
struct LlamaHyperparameters {
  QString architecture;                        // general.architecture (one of supportedArchitectureNames())
  const ArchitectureTraits* traits = nullptr;  // how it differs from llama; static, never null once read
  int layers = 0;                              // block_count
  int embeddingLength = 0;                     // hidden size E
  int feedForwardLength = 0;                   // SwiGLU hidden width F
  int heads = 0;                               // query heads H
  int kvHeads = 0;                             // key/value heads (H / kvHeads queries share one)
  int headDim = 0;                             // per-head dim (attention.key_length, else E / H)
  int rotaryDim = 0;                           // rope.dimension_count, else headDim
  int vocabSize = 0;                           // rows of token_embd
  double rmsEpsilon = 1e-5;                    // attention.layer_norm_rms_epsilon
  double ropeTheta = 10000.0;                  // rope.freq_base (absent in stories260K: 10000)
  qint64 contextLength = 0;                    // context_length as the file states it (tokens)
  QString ropeScalingType;                     // rope.scaling.type, empty when none
  double ropeScalingFactor = 1.0;
  qint64 ropeScalingOriginalContext = 0;  // rope.scaling.original_context_length (tokens)
  bool tiedOutput = false;                // no output.weight: the head reuses token_embd
  double ropeAttentionFactor = 1.0;       // rope.scaling.attn_factor: multiplies cos and sin (LongRoPE files)
  qint64 ropeOriginalContext = 0;  // rope.scaling.original_context_length, else context_length (tokens)
  double attentionSoftcap = 0;     // c of c * tanh(s / c) on scaled attention scores; 0 = none
  double finalSoftcap = 0;         // the same on the output logits; 0 = none
  qint64 slidingWindow = 0;        // keys a sliding layer's query sees, itself included; 0 = none
  int slidingWindowPeriod = 0;     // layer l slides when l % period < period - 1 (0: every layer)
  double localRopeTheta = 0;       // RoPE base of sliding layers; 0 = ropeTheta
  double queryScale = 0;           // softmax scale when not 1/sqrt(headDim) (Gemma 27B); 0 = default
  // Whether layer `layer` attends inside the sliding window.
  bool slides(int layer) const {
    return slidingWindow > 0 &&
           (slidingWindowPeriod == 0 || layer % slidingWindowPeriod < slidingWindowPeriod - 1);
  }
};

// Norm weights and biases are decoded to float at load; the matrices stay encoded. A fused
// attn_qkv (or ffn_up holding gate and up) is viewed as its row blocks, without a copy.
struct LlamaLayer {
  std::vector<float> attentionNorm;  // E
  EncodedMatrix query;               // (H * headDim) x E
  EncodedMatrix key;                 // (kvHeads * headDim) x E
  EncodedMatrix value;               // (kvHeads * headDim) x E
  std::vector<float> queryBias;      // H * headDim, empty when the file has none
  std::vector<float> keyBias;        // kvHeads * headDim, empty when none
  std::vector<float> valueBias;      // kvHeads * headDim, empty when none
  std::vector<float> queryNorm;      // headDim, per-head RMSNorm weight (traits.perHeadQkNorm), else empty
  std::vector<float> keyNorm;        // headDim, likewise
  EncodedMatrix output;              // E x (H * headDim)
  std::vector<float> postAttentionNorm;    // E (traits.postNorms), else empty
  std::vector<float> ffnNorm;              // E
  EncodedMatrix gate;                      // F x E
  EncodedMatrix up;                        // F x E
  EncodedMatrix down;                      // E x F
  std::vector<float> postFeedForwardNorm;  // E (traits.postNorms), else empty
};

class LlamaModel {
 public:
  // Reads and validates hyperparameters and weights; Error(BadInput) names the key or tensor: an
  // unsupported architecture, a missing tensor, wrong dims, a tensor the architecture's graph does
  // not use (llama.cpp refuses those files too), a type the table cannot compute with, a block
  // whose scale is NaN or infinite. Weights are not copied: the model views file's memory map, so `file` must
  // outlive it. Refuses models whose encoded weights exceed maxWeightBytes.
  static LlamaModel load(const GgufFile& file, qint64 maxWeightBytes = std::numeric_limits<qint64>::max());
  static LlamaHyperparameters readHyperparameters(const GgufFile& file);

  const LlamaHyperparameters& hyper() const { return hyper_; }
  const EncodedMatrix& tokenEmbedding() const { return tokenEmbedding_; }  // vocab x E
  const EncodedMatrix& outputHead() const { return tiedOrOwnOutput(); }    // vocab x E
  const std::vector<float>& outputNorm() const { return outputNorm_; }
  // rope_freqs.weight: rotaryDim / 2 divisors of the RoPE frequencies (Llama 3.x), else empty.
  const std::vector<float>& ropeFrequencyFactors() const { return ropeFrequencyFactors_; }
  // The divisors a run over `tokens` tokens uses: rope_freqs, else LongRoPE's long factors past
  // ropeOriginalContext and its short ones within it (as transformers picks them), else empty.
  const std::vector<float>& ropeFactorsFor(qint64 tokens) const;
  const std::vector<LlamaLayer>& layers() const { return layers_; }
  qint64 weightBytes() const { return weightBytes_; }  // encoded bytes of every matrix viewed

 private:
  const EncodedMatrix& tiedOrOwnOutput() const { return hyper_.tiedOutput ? tokenEmbedding_ : output_; }
  EncodedMatrix viewMatrix(const GgufFile& file, const QString& name, qint64 rows, qint64 cols);
  std::vector<float> readVector(const GgufFile& file, const QString& name, int length);
  std::vector<float> readOptionalVector(const GgufFile& file, const QString& name, int length);
  void loadAttention(const GgufFile& file, const QString& prefix, LlamaLayer& layer);
  void loadFeedForward(const GgufFile& file, const QString& prefix, LlamaLayer& layer);
  void refuseUnusedTensors(const GgufFile& file) const;
  LlamaHyperparameters hyper_;
  EncodedMatrix tokenEmbedding_;
  EncodedMatrix output_;
  qint64 weightBytes_ = 0;
  std::vector<float> outputNorm_;
  std::vector<float> ropeFrequencyFactors_;
  std::vector<float> ropeFactorsLong_;   // rope_factors_long.weight, rotaryDim / 2, or empty
  std::vector<float> ropeFactorsShort_;  // rope_factors_short.weight, likewise
  std::vector<LlamaLayer> layers_;
  std::vector<QString> usedTensors_;  // every tensor read, for refuseUnusedTensors
};

}  // namespace sinkscope
