// Modelled attention for a catalogue model without weights: the model's trained positional
// setting for the generator, and the scheme a runtime applies for each mitigation at length N.
// Not the generator (SyntheticQK.h) nor the probe (AttentionProbe.h).
#pragma once

#include "attention/PositionalScheme.h"
#include "attention/SinkCurve.h"
#include "attention/SyntheticQK.h"
#include "catalog/ModelSpec.h"
#include "positional/Mitigation.h"

#include <memory>

namespace sinkscope {

// StreamingLLM cache layout defaults (resources/modelled_attention.json "streaming").
struct StreamingCache {
  qint64 sinkTokens = 4;
  qint64 windowTokens = 1020;
  static const StreamingCache& builtin();
};

// The context the head's queries learnt their alignment over: the trained context, or, when the
// model ships a static RoPE scaling (an extension it was trained with: Llama 3.1, LongRoPE,
// YaRN, PI fine-tunes), its max_position_embeddings.
qint64 alignmentContextFor(const ModelSpec& model);
// RoPE as the model ships (or no rotary dims for ALiBi/NoPE), over alignmentContextFor(model).
TrainedPositions trainedPositionsFor(const ModelSpec& model);
// The query . key head dim of the probe (MLA: nope + rope part).
int probeHeadDimFor(const ModelSpec& model);

// The factor s a runtime would set to reach targetContext: max(1, N / trained context).
double defaultMitigationFactor(const ModelSpec& model, qint64 targetContext);

struct ModelledScheme {
  Mitigation mitigation = Mitigation::Baseline;
  double factor = 1.0;
  StreamingCache streaming;
};

// The scheme head `head` runs with for a sequence of sequenceLength tokens. Throws
// Error(BadInput) naming the mitigation when it does not apply to the model (e.g. alibi on a
// RoPE model, longrope without factors).
PositionalScheme modelledSchemeFor(const ModelSpec& model, const ModelledScheme& choice, int head,
                                   qint64 sequenceLength);

// The generator for (layer, head) of the model, with the built-in configuration and `seed`.
std::unique_ptr<SyntheticQueryKeySource> modelledSource(const ModelSpec& model, int layer, int head,
                                                        std::optional<quint64> seed = std::nullopt);

}  // namespace sinkscope
