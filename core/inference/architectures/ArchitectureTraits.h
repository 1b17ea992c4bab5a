// How one GGUF `general.architecture` differs from the plain `llama` decoder: tensor names, norms,
// RoPE pair layout, activation, softcaps, sliding layers (docs/measured-mode.md, Architectures).
// Not a forward pass and not a loader: LlamaModel reads these traits, ForwardPass applies them.
#pragma once

#include "positional/RopeSchedule.h"

#include <QString>

namespace sinkscope {

enum class FeedForwardActivation {
  Silu,      // SwiGLU: silu(gate) * up
  GeluTanh,  // GeGLU with the tanh approximation of GELU: gelu(gate) * up
};

// Every field's default is the plain llama graph; an architecture file states what differs.
// Tensor names are llama.cpp's (blk.N.<name>.weight); every architecture accepts a fused
// attn_qkv in place of attn_q/k/v and optional q/k/v (or qkv) biases, as llama.cpp's loader does.
struct ArchitectureTraits {
  QString name;                                          // general.architecture
  RopePairLayout ropeLayout = RopePairLayout::Adjacent;  // llama.cpp "normal"; HalfSplit = NEOX
  bool ropeFrequencyFactors = false;  // may carry rope_freqs.weight (n_rot/2 divisors, Llama 3.x)
  bool longRopeFactors = false;       // may carry rope_factors_long/short.weight (LongRoPE, Phi-3.x 128K)
  bool perHeadQkNorm = false;         // attn_q_norm / attn_k_norm [headDim]: RMSNorm before RoPE
  bool fusedGateUp = false;           // no ffn_gate: ffn_up holds gate (first F rows) then up
  bool postNorms = false;             // post_attention_norm, post_ffw_norm on each sublayer output
  bool embeddingScaledBySqrtWidth = false;  // x0 = embedding * sqrt(E)
  bool outputAlwaysTied = false;            // the head is token_embd; an output.weight is refused
  FeedForwardActivation activation = FeedForwardActivation::Silu;
  // Attention logit softcap c * tanh(s / c) on the scaled scores; 0 = none. Read from
  // {arch}.attn_logit_softcapping when readsAttentionSoftcap, with this default when absent.
  bool readsAttentionSoftcap = false;
  double defaultAttentionSoftcap = 0;
  // The same on the output logits, {arch}.final_logit_softcapping.
  bool readsFinalSoftcap = false;
  double defaultFinalSoftcap = 0;
  // Sliding layers: layer l slides when l % period < period - 1 ({arch}.attention.sliding_window_pattern
  // overrides the period); 0 = no sliding layers. Window: {arch}.attention.sliding_window, else
  // defaultSlidingWindow; a window of 0 turns sliding off (gemma3 without the key).
  int slidingWindowPeriod = 0;
  qint64 defaultSlidingWindow = 0;
  // RoPE base of sliding layers ({arch}.rope.freq_base_swa overrides); 0 = the global base.
  double defaultLocalRopeBase = 0;
  // llama.cpp's query scale 1/sqrt(E / H) instead of 1/sqrt(headDim) for the checkpoint with this
  // many layers (Gemma 2 27B: 46, Gemma 3 27B: 62); 0 = never.
  int queryScaleFromWidthAtLayers = 0;
};

// The traits of a supported architecture, or nullptr.
const ArchitectureTraits* findArchitecture(const QString& name);
// "llama, qwen2, ..." for error messages and docs.
QString supportedArchitectureNames();

}  // namespace sinkscope
