// A Llama-family checkpoint opened from GGUF for CPU measurement: its hyperparameters and views
// of its per-layer matrices, still encoded in the file's memory map. Not the forward pass.
#pragma once

#include "inference/EncodedMatrix.h"
#include "inference/GgufFile.h"

#include <QString>
#include <limits>
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

// Norm weights are decoded to float at load (E floats each); the matrices stay encoded.
struct LlamaLayer {
  std::vector<float> attentionNorm;  // E
  EncodedMatrix query;               // (H * headDim) x E
  EncodedMatrix key;                 // (kvHeads * headDim) x E
  EncodedMatrix value;               // (kvHeads * headDim) x E
  EncodedMatrix output;              // E x (H * headDim)
  std::vector<float> ffnNorm;        // E
  EncodedMatrix gate;                // F x E
  EncodedMatrix up;                  // F x E
  EncodedMatrix down;                // E x F
};

class LlamaModel {
 public:
  // Reads and validates hyperparameters and weights; Error(BadInput) names the key or tensor: a
  // missing tensor, wrong dims, a type the table cannot compute with, a block whose scale is NaN
  // or infinite. Weights are not copied: the model views file's memory map, so `file` must
  // outlive it. Refuses models whose encoded weights exceed maxWeightBytes.
  static LlamaModel load(const GgufFile& file, qint64 maxWeightBytes = std::numeric_limits<qint64>::max());
  static LlamaHyperparameters readHyperparameters(const GgufFile& file);

  const LlamaHyperparameters& hyper() const { return hyper_; }
  const EncodedMatrix& tokenEmbedding() const { return tokenEmbedding_; }  // vocab x E
  const EncodedMatrix& outputHead() const { return tiedOrOwnOutput(); }    // vocab x E
  const std::vector<float>& outputNorm() const { return outputNorm_; }
  const std::vector<LlamaLayer>& layers() const { return layers_; }
  qint64 weightBytes() const { return weightBytes_; }  // encoded bytes of every matrix viewed

 private:
  const EncodedMatrix& tiedOrOwnOutput() const { return hyper_.tiedOutput ? tokenEmbedding_ : output_; }
  EncodedMatrix viewMatrix(const GgufFile& file, const QString& name, qint64 rows, qint64 cols);
  LlamaHyperparameters hyper_;
  EncodedMatrix tokenEmbedding_;
  EncodedMatrix output_;
  qint64 weightBytes_ = 0;
  std::vector<float> outputNorm_;
  std::vector<LlamaLayer> layers_;
};

}  // namespace sinkscope
