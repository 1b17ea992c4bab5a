// Random-weight GGUF models of any size and tensor type, written with GgufWriter: the llama graph
// or one of the architectures measured mode runs (llama.cpp's tensor and key names), every matrix
// of one type, or llama.cpp's "Q4_K_M" mix (docs/tensor-types.md). For conformance tests and
// benchmarks. Not a trained model (its predictions mean nothing) and not a converter.
#pragma once

#include "gguf/GgufFile.h"

#include <QByteArray>
#include <QString>
#include <functional>
#include <map>
#include <vector>

namespace sinkscope::test {

struct GeneratedLlamaShape {
  int embedding = 256;
  int heads = 4;
  int kvHeads = 2;
  int feedForward = 512;
  int layers = 2;
  int vocab = 512;           // at least 259 (<unk> <s> </s> and 256 byte tokens)
  int contextLength = 2048;  // llama.context_length
  bool tiedOutput = false;   // no output.weight: the output projection is token_embd.weight
  // The architecture's own tensors and keys (docs/measured-mode.md, Architectures): "llama",
  // "qwen2" (q/k/v biases), "qwen3" (q/k norms), "phi3" (attn_qkv, ffn_up of 2F rows), "gemma2"
  // and "gemma3" (post-norms; gemma3 q/k norms; always tied for gemma2).
  QString architecture = QStringLiteral("llama");
  int headDim = 0;                    // attention.key_length/value_length when > 0, else embedding / heads
  bool ropeFrequencyFactors = false;  // llama: rope_freqs.weight, divisors drawn from [1, 8]
  // phi3: LongRoPE as the 128K files carry it when > 0: rope_factors_long.weight (divisors in
  // [1, 8]) and rope_factors_short.weight ([1, 1.5]), rope.scaling.original_context_length = this,
  // rope.scaling.attn_factor = ropeAttentionFactor.
  qint64 longRopeOriginalContext = 0;
  double ropeAttentionFactor = 1.0;
  double ropeBase = 10000.0;    // rope.freq_base
  double queryKeyGain = 1.0;    // attn_q / attn_k weights x this: sharper attention
  qint64 slidingWindow = 0;     // attention.sliding_window when > 0
  double attentionSoftcap = 0;  // attn_logit_softcapping unless 0
  double finalSoftcap = 0;      // final_logit_softcapping unless 0
  int effectiveHeadDim() const { return headDim > 0 ? headDim : embedding / heads; }
};

// How matrices are typed. Norms (1-D tensors) stay F32, as llama.cpp leaves them.
struct TensorTypePlan {
  enum class Mix { AllMatrices, Q4_K_M };
  Mix mix = Mix::AllMatrices;
  GgmlType type = GgmlType::F32;  // AllMatrices: the type of every matrix (with llama.cpp's fallback)

  static TensorTypePlan allMatrices(GgmlType type) { return {Mix::AllMatrices, type}; }
  static TensorTypePlan q4KM() { return {Mix::Q4_K_M, GgmlType::Q4_K}; }
  QString describe() const;  // "Q4_K_M" or "all Q6_K"
};

// llama.cpp's tensor_type_fallback: the type a matrix of `wanted` gets when its row length is
// not a whole number of blocks (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, Q2_K/Q3_K -> Q4_0,
// IQ4_XS -> IQ4_NL, then F16 if even that does not fit); `wanted` itself when it fits.
GgmlType fallbackType(GgmlType wanted, qint64 rowLength);

// The type llama.cpp's llama_tensor_get_type gives a llama matrix in a Q4_K_M file (no experts,
// not a 70B): Q6_K for output.weight (token_embd.weight when tied; Q8_0 when its rows are not
// whole 256-blocks), Q6_K for attn_v and ffn_down in the layers use_more_bits picks, else Q4_K;
// then fallbackType. `layer` is the block index of blk.N tensors (ignored for others).
GgmlType q4KMType(const QString& tensorName, qint64 rowLength, int layer, int layers, bool tiedOutput);

// The type `plan` gives a matrix (2-D tensor).
GgmlType plannedMatrixType(const TensorTypePlan& plan, const QString& tensorName, qint64 rowLength, int layer,
                           const GeneratedLlamaShape& shape);

// The tensors of the model in file order, with their shapes (ggml order) and planned types:
// token_embd, output_norm, output (unless tied), rope_freqs, then per layer attn_norm,
// attn_q/k/v (or attn_qkv) and their biases, q/k norms, attn_output, post_attention_norm,
// ffn_norm, ffn_gate/up (or the fused up), ffn_down, post_ffw_norm: those the architecture has.
struct PlannedTensor {
  QString name;
  std::vector<qint64> shape;
  GgmlType type = GgmlType::F32;
};
std::vector<PlannedTensor> llamaTensors(const GeneratedLlamaShape& shape, const TensorTypePlan& plan);

// The model's bytes: metadata llama.cpp loads (SentencePiece vocabulary of `vocab` tokens), weights
// drawn from a seeded generator, each matrix scaled by 1/sqrt(its row length).
QByteArray generatedLlamaBytes(const GeneratedLlamaShape& shape, const TensorTypePlan& plan,
                               quint32 seed = 1);
// The same with the planned tensor list changed first (a tensor removed, added or reshaped), for
// bad-input fixtures.
using PlannedTensorEdit = std::function<void(std::vector<PlannedTensor>&)>;
QByteArray generatedLlamaBytes(const GeneratedLlamaShape& shape, const TensorTypePlan& plan, quint32 seed,
                               const PlannedTensorEdit& edit);
void writeGeneratedLlama(const QString& path, const GeneratedLlamaShape& shape, const TensorTypePlan& plan,
                         quint32 seed = 1);

// How many tensors of each type a GGUF holds ("Q4_K" -> 12), for tests and benchmark logs.
std::map<QString, int> tensorTypeCounts(const GgufFile& file);

}  // namespace sinkscope::test
