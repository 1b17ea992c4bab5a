// The normalised description of a language model's architecture that every other part of
// SinkScope reads (planner, positional engine, probe). Not a loader: see HfConfigImport.h, GgufImport.h,
// Catalog.h.
#pragma once

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace sinkscope {

enum class AttentionKind { Mha, Gqa, Mqa, Mla, Sliding, Hybrid, Alibi };
QString attentionKindName(AttentionKind kind);  // "mha", "gqa", ...
std::optional<AttentionKind> attentionKindFromName(const QString& name);

// What one layer's attention keeps in its KV cache.
enum class LayerAttention {
  Full,      // every token of the context
  Sliding,   // min(context, slidingWindow) tokens
  Recurrent  // SSM / linear-attention layer: a constant state, no per-token KV
};

// How a rotary pair is laid out inside a head: HF rotates (i, i + d/2); Meta's reference and
// llama.cpp's "normal" mode rotate (2i, 2i + 1). The frequencies are the same.
enum class RopePairLayout { HalfSplit, Adjacent };

// The model's own rope_scaling block, with HF's names; absent fields keep HF's defaults.
struct RopeScaling {
  QString type;                                         // "linear", "dynamic", "yarn", "llama3", "longrope"
  double factor = 1.0;                                  // s
  std::optional<qint64> originalMaxPositionEmbeddings;  // L0, tokens
  std::optional<double> lowFreqFactor;                  // llama3
  std::optional<double> highFreqFactor;                 // llama3
  std::optional<double> betaFast;                       // yarn, default 32
  std::optional<double> betaSlow;                       // yarn, default 1
  std::optional<bool> truncate;                         // yarn, default true
  std::optional<double> mscale;                         // yarn (DeepSeek)
  std::optional<double> mscaleAllDim;                   // yarn (DeepSeek)
  std::optional<double> attentionFactor;                // yarn / longrope explicit factor
  std::vector<double> shortFactor;                      // longrope, one per rotary pair
  std::vector<double> longFactor;                       // longrope, one per rotary pair
};

// Multi-head latent attention (DeepSeek-V2/V3).
struct MlaSpec {
  int kvLoraRank = 0;     // latent width cached per token per layer
  int qLoraRank = 0;      // 0: queries are not compressed
  int qkRopeHeadDim = 0;  // decoupled rope part, cached once per token per layer
  int qkNopeHeadDim = 0;
  int vHeadDim = 0;
};

// How the vendor says to run the model past its trained context (models.json
// "long_context_recipe"): a scaling built into the config, one to add at inference, or none.
struct LongContextRecipe {
  QString mitigation;           // "yarn", "llama3", "longrope", or "none"
  double factor = 1.0;          // s, for a recipe added at inference
  qint64 originalContext = 0;   // tokens the added scaling starts from (0: not stated)
  qint64 supportedContext = 0;  // tokens the vendor supports with the recipe
  bool builtIn = false;         // the shipped config already applies it
  QString source;
};

// Mixture of experts. experts == 0 means a dense feed-forward.
struct MoeSpec {
  int experts = 0;                    // routed experts per MoE layer
  int expertsPerToken = 0;            // routed experts active per token
  qint64 expertIntermediateSize = 0;  // hidden width of one expert's FFN
  int sharedExperts = 0;              // always-active experts (DeepSeek)
  int denseLayers = 0;                // leading layers with a dense FFN (first_k_dense_replace)
  bool isMoe() const { return experts > 0; }
};

// What a checkpoint's own files say about its weights (safetensors headers of a Hub repository).
struct CheckpointWeights {
  qint64 parameters = 0;  // exact: the sum of the tensors' shape products
  qint64 bytes = 0;       // as stored, all tensors
  QString dtypes;         // "BF16", or "BF16 97%, F32 3%" by bytes
  QString source;         // which files gave the figures
};

struct ModelSpec {
  QString id;            // catalogue id, or derived from the file name
  QString displayName;   // "Llama-2-7B"
  QString family;        // "llama", "mistral", "qwen2", ...
  QString architecture;  // HF model_type or GGUF general.architecture
  QString origin;        // "catalogue", or the path of the config.json / .gguf it came from

  int layers = 0;
  qint64 hiddenSize = 0;
  qint64 intermediateSize = 0;  // dense FFN hidden width
  bool gatedFfn = true;         // SwiGLU/GeGLU (3 matrices) vs plain MLP (2 matrices)
  int heads = 0;                // query heads
  int kvHeads = 0;              // key/value heads (== heads for MHA, 1 for MQA)
  int headDim = 0;              // per-head dim; explicit in config or hidden/heads
  qint64 vocabSize = 0;
  bool tiedEmbeddings = false;
  bool attentionBias = false;  // q/k/v projections carry biases (Qwen2, BLOOM, ...)

  AttentionKind attentionKind = AttentionKind::Mha;
  int slidingWindow = 0;                   // tokens; 0 = none
  std::vector<LayerAttention> layerTypes;  // one per layer; empty = every layer Full

  bool usesRope = true;              // false for ALiBi / no positional encoding
  double ropeTheta = 10000.0;        // base b
  double partialRotaryFactor = 1.0;  // share of head_dim that is rotated
  RopePairLayout ropePairLayout = RopePairLayout::HalfSplit;
  std::optional<RopeScaling> ropeScaling;  // as the model ships

  qint64 maxPositionEmbeddings = 0;                    // tokens the config allows
  qint64 trainedContext = 0;                           // tokens it was pre-trained at, before any extension
  std::optional<LongContextRecipe> longContextRecipe;  // catalogue entries only

  std::optional<MlaSpec> mla;
  MoeSpec moe;

  double publishedParameters = 0;                   // total, as published
  std::optional<double> publishedActiveParameters;  // MoE: active per token
  QString source;                                   // where the figures come from
  QString notes;
  QStringList defaultedFields;  // fields SinkScope filled with a default (lower confidence)
  std::optional<CheckpointWeights> checkpointWeights;  // set when the checkpoint's headers were read

  int rotaryDim() const;  // headDim (or MLA rope dim) x partial factor, even
  LayerAttention layerType(int layer) const;
};

// The kind a model's fields imply when no file states it: mla when MLA fields are set, alibi when
// the model uses ALiBi, hybrid for mixed per-layer types, sliding, mqa, gqa, else mha.
AttentionKind inferAttentionKind(const ModelSpec& spec, bool alibi);

// The context the model was trained at: trained_context, else max_position_embeddings (a config
// that does not say; docs/catalog.md), 0 when neither is known. The one place this fallback lives.
qint64 trainedContextOrMaxPositions(const ModelSpec& spec);

// Throws Error(BadInput) naming `source` and the field when dimensions are impossible.
void validateModelSpec(const ModelSpec& spec, const QString& source);

}  // namespace sinkscope
