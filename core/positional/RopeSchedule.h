// RoPE frequency schedules as Hugging Face computes them (docs/references.md section 1): default,
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
  qint64 maxPositionEmbeddings = 0;    // tokens
  qint64 originalContext = 0;          // L0 for scaled types (trained context)
  int softmaxHeadDim = 0;              // q.k head dim for the 1/sqrt(d) softmax scale (MLA: nope+rope)
  std::optional<RopeScaling> scaling;  // none: default RoPE
};

struct RopeSchedule {
  QString ropeType;              // "default", "linear", "ntk", "dynamic", "yarn", "llama3", "longrope"
  int rotaryDim = 0;             // d (even)
  std::vector<double> invFreq;   // d/2 values, each the exact float32 HF computes, widened
  double attentionFactor = 1.0;  // multiplies cos and sin, so logits scale by its square
  double softmaxScale = 0.0;     // 1/sqrt(softmaxHeadDim), times mscale^2 for DeepSeek-style yarn
  RopePairLayout layout = RopePairLayout::HalfSplit;
  // Extensions (backward compatible):
  double base = 10000.0;       // the base the frequencies were raised from (b' for ntk/dynamic)
  qint64 originalContext = 0;  // L0 the scaling was computed against, tokens (0: none)
  int headDim = 0;             // per-head dim; dims rotaryDim..headDim-1 are not rotated
};

// The model's own settings, as it ships. Throws Error(BadInput) for a model that does not use
// RoPE (ALiBi / no positional encoding), naming the model.
RopeParameters ropeParametersFor(const ModelSpec& model);
// A runtime's override: the mitigation with scaling factor s (>= 1) replaces the model's own
// scaling, the way vLLM / llama.cpp / transformers apply it. Baseline returns params unchanged.
// The original context L0 is params.originalContext (the trained context). Choices (docs/positional.md):
// llama3 uses low_freq_factor 1 and high_freq_factor 4; yarn the paper's beta 32/1 and 0.1 ln s + 1;
// longrope keeps the model's own per-pair factors and refuses (BadInput) a model that has none;
// streaming / window-only leave the frequencies unchanged; alibi is refused (not a RoPE schedule).
RopeParameters withMitigation(const RopeParameters& params, Mitigation mitigation, double factor);
// Whether withMitigation can apply `mitigation` to params; when not, *reason says why.
bool mitigationApplies(const RopeParameters& params, Mitigation mitigation, QString* reason = nullptr);
// sequenceLength matters for "dynamic" (NTK grows with length) and "longrope" (short/long switch).
// Throws Error(BadInput) naming the field when the parameters are impossible.
RopeSchedule computeRopeSchedule(const RopeParameters& params,
                                 std::optional<qint64> sequenceLength = std::nullopt);

// Defaults for fields a scaling block leaves out, read once from resources/rope_defaults.json
// (each with its source): yarn's beta_fast / beta_slow, llama3's low / high frequency factors.
struct RopeScalingDefaults {
  double yarnBetaFast = 0;
  double yarnBetaSlow = 0;
  double llama3LowFreqFactor = 0;
  double llama3HighFreqFactor = 0;
};
const RopeScalingDefaults& ropeScalingDefaults();

// ---- The formulas underneath, exposed for tests and for the planner's explanations ----

// Rotary dim d = int(headDim x partialRotaryFactor), as HF truncates it.
int rotaryDimFor(const RopeParameters& params);
// NTK-aware base b' = b * alpha^(d/(d-2)) (docs/references.md section 1; alpha = s for static NTK).
double ntkScaledBase(double theta, double alpha, int rotaryDim);
// Dynamic NTK alpha = s * max(L, L0) / L0 - (s - 1).
double dynamicNtkAlpha(double factor, qint64 sequenceLength, qint64 originalContext);
// YaRN's g(s, m) = 0.1 m ln s + 1 (1 when s <= 1).
double yarnMscale(double scale, double mscale = 1.0);

struct YarnCorrectionRange {
  double low = 0;   // pairs below are extrapolated (kept)
  double high = 0;  // pairs above are interpolated (divided by s)
};
// D(r) = d ln(L0 / (2 pi r)) / (2 ln b); floor/ceil when truncate; clamped to [0, d-1].
YarnCorrectionRange yarnCorrectionRange(int rotaryDim, double theta, qint64 originalContext, double betaFast,
                                        double betaSlow, bool truncate);

}  // namespace sinkscope
