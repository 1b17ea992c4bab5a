// RoPE frequency schedules as Hugging Face computes them (REFERENCES.md section 1): default,
// linear, NTK-aware, dynamic NTK, YaRN, Llama 3, LongRoPE. Not the rotation of vectors itself.
#pragma once

#include "catalog/ModelSpec.h"
#include "positional/Mitigation.h"

#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

// Everything a schedule needs, independent of where it came from (catalogue, config.json, GGUF).
struct RopeParameters {
  double theta = 10000.0;            // base b
  int headDim = 0;                   // per-head dim (the rope part for MLA)
  double partialRotaryFactor = 1.0;  // rotary dim d = headDim x factor
  RopePairLayout layout = RopePairLayout::HalfSplit;
  qint64 maxPositionEmbeddings = 0;  // tokens
  qint64 originalContext = 0;        // L0 for scaled types (trained context)
  int softmaxHeadDim = 0;            // q.k head dim for the 1/sqrt(d) softmax scale (MLA: nope+rope)
  std::optional<RopeScaling> scaling;  // none: default RoPE
};

struct RopeSchedule {
  QString ropeType;                // "default", "linear", "dynamic", "yarn", "llama3", "longrope"
  int rotaryDim = 0;               // d (even)
  std::vector<double> invFreq;     // d/2 values, each the exact float32 HF computes, widened
  double attentionFactor = 1.0;    // multiplies cos and sin, so logits scale by its square
  double softmaxScale = 0.0;       // 1/sqrt(softmaxHeadDim), times mscale^2 for DeepSeek-style yarn
  RopePairLayout layout = RopePairLayout::HalfSplit;
};

// The model's own settings, as it ships.
RopeParameters ropeParametersFor(const ModelSpec& model);
// A runtime's override: the mitigation with scaling factor s (>= 1) replaces the model's own
// scaling, the way vLLM / llama.cpp / transformers apply it. Baseline returns params unchanged.
RopeParameters withMitigation(const RopeParameters& params, Mitigation mitigation, double factor);
// sequenceLength matters for "dynamic" (NTK grows with length) and "longrope" (short/long switch).
RopeSchedule computeRopeSchedule(const RopeParameters& params, std::optional<qint64> sequenceLength = std::nullopt);

}  // namespace sinkscope
