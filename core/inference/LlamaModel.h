// A Llama-family checkpoint loaded from GGUF into float weights for CPU measurement: its
// hyperparameters and per-layer matrices, validated. Not the forward pass (see ForwardPass.h).
#pragma once

#include "inference/GgufFile.h"

#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

// The hyperparameters measured mode needs, read from "<arch>.*" GGUF keys.
struct LlamaHyperparameters {
  QString architecture;        // general.architecture ("llama")
  int layers = 0;              // block_count
  int embeddingLength = 0;     // hidden size E
  int feedForwardLength = 0;   // SwiGLU hidden width F
  int heads = 0;               // query heads H
  int kvHeads = 0;             // key/value heads (H / kvHeads queries share one)
  int headDim = 0;             // per-head dim (attention.key_length, else E / H)
  int rotaryDim = 0;           // rope.dimension_count, else headDim
  int vocabSize = 0;           // rows of token_embd
  double rmsEpsilon = 1e-5;    // attention.layer_norm_rms_epsilon
  double ropeTheta = 10000.0;  // rope.freq_base (absent in stories260K: 10000)
  qint64 contextLength = 0;    // context_length as the file states it (tokens)
  QString ropeScalingType;     // rope.scaling.type, empty when none
  double ropeScalingFactor = 1.0;
  qint64 ropeScalingOriginalContext = 0;  // rope.scaling.original_context_length (tokens)
  bool tiedOutput = false;     // no output.weight: the head reuses token_embd
};

// Row-major float matrices: rows x cols, row r at data[r * cols]. A GGUF tensor of shape
// [in, out] (ggml order) is an out x in matrix here, so y = W x.
struct FloatMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<float> data;
};

struct LlamaLayer {
  std::vector<float> attentionNorm;  // E
  FloatMatrix query;                 // (H * headDim) x E
  FloatMatrix key;                   // (kvHeads * headDim) x E
  FloatMatrix value;                 // (kvHeads * headDim) x E
  FloatMatrix output;                // E x (H * headDim)
  std::vector<float> ffnNorm;        // E
  FloatMatrix gate;                  // F x E
  FloatMatrix up;                    // F x E
  FloatMatrix down;                  // E x F
};

class LlamaModel {
 public:
  // Reads and validates hyperparameters and weights; Error(BadInput) names the key or tensor.
  // Refuses models whose float weights would exceed maxWeightBytes.
  static LlamaModel load(const GgufFile& file, qint64 maxWeightBytes = qint64(8) << 30);
  static LlamaHyperparameters readHyperparameters(const GgufFile& file);

  const LlamaHyperparameters& hyper() const { return hyper_; }
  const FloatMatrix& tokenEmbedding() const { return tokenEmbedding_; }  // vocab x E
  const FloatMatrix& outputHead() const { return tiedOrOwnOutput(); }    // vocab x E
  const std::vector<float>& outputNorm() const { return outputNorm_; }
  const std::vector<LlamaLayer>& layers() const { return layers_; }

 private:
  const FloatMatrix& tiedOrOwnOutput() const { return hyper_.tiedOutput ? tokenEmbedding_ : output_; }
  LlamaHyperparameters hyper_;
  FloatMatrix tokenEmbedding_;
  FloatMatrix output_;
  std::vector<float> outputNorm_;
  std::vector<LlamaLayer> layers_;
};

}  // namespace sinkscope
