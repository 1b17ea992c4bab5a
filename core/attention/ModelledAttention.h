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
#include <optional>

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
  bool honourWindow =
      true;  // false: the runtime ignores the model's sliding window (llama.cpp on Mistral-v0.1)
};

// The scheme head `head` of layer `layer` runs with for a sequence of sequenceLength tokens.
// A layer the model runs with a sliding window (Mistral-v0.1, Gemma-2's local layers) keeps only
// the last slidingWindow keys, as vLLM and transformers run it; relative distances, which are all
// RoPE sees, are unchanged. Throws Error(BadInput) naming the mitigation when it does not apply
// to the model (e.g. alibi on a RoPE model, longrope without factors).
PositionalScheme modelledSchemeFor(const ModelSpec& model, const ModelledScheme& choice, int layer, int head,
                                   qint64 sequenceLength);
// The model's own sliding window at `layer` in tokens; 0 when the layer attends to every key.
qint64 modelWindowAt(const ModelSpec& model, int layer);

// What the modelled probe runs for one (layer, head) choice: the one place the window's Heatmap
// and Sink curve tabs and the report choose the layer, the heads, the contexts and the rows.
// The documented default is the LAST layer with the heads averaged (kProbeLayerLast,
// kProbeHeadsAveraged): the layer whose attention the output is read from. Averaged heads are
// spread evenly over the query heads, the same kProbeAveragedHeads for the curve and the heatmaps,
// so "mean over heads" means one thing in every modelled view (docs/modelled-attention.md).
inline constexpr int kProbeLayerLast = -1;      // layer choice: the model's last layer
inline constexpr int kProbeHeadsAveraged = -1;  // head choice: the mean over evenly spread heads
inline constexpr int kProbeAveragedHeads = 4;
inline constexpr int kSinkCurveQueries = 32;  // sampled query rows per context
inline constexpr qint64 kSinkCurveFirstContext = 512;
inline constexpr int kHeatmapRows = 64;   // query rows of a heatmap
inline constexpr int kHeatmapBins = 128;  // key bins, the first kHeatmapExactColumns one key each
inline constexpr int kHeatmapExactColumns = 4;

struct ModelledProbeRequest {
  int layer = 0;                  // resolved, 0-based
  bool lastLayer = false;         // layer is the model's last
  std::vector<int> curveHeads;    // heads whose sink curves are averaged (one: that head)
  std::vector<int> heatmapHeads;  // heads whose heatmaps are averaged
  double factor = 1.0;            // the mitigations' scaling factor s (defaultMitigationFactor)
  SinkCurveRequest curve;         // contexts doubling from 512 up to the requested one, plus the trained one
  ProbeRequest heatmap;           // kHeatmapRows rows, kHeatmapBins bins at the requested context
  std::optional<quint64> seed;    // the generator's seed; none: resources/modelled_attention.json's
  // The chart data's head field: the one head, or -1 when heads are averaged.
  int curveHead() const { return curveHeads.size() == 1 ? curveHeads.front() : -1; }
  int heatmapHead() const { return heatmapHeads.size() == 1 ? heatmapHeads.front() : -1; }
};

// layer: 0-based, or kProbeLayerLast (also for an out-of-range value); head: 0-based, or
// kProbeHeadsAveraged (also for an out-of-range value).
ModelledProbeRequest modelledProbeRequest(const ModelSpec& model, qint64 contextTokens,
                                          int layer = kProbeLayerLast, int head = kProbeHeadsAveraged);
// "mean over 4 query heads (0, 8, 16, 24)", "mean over all 8 query heads", "head 5": which heads
// a chart, `probe` or a report averages (docs/modelled-attention.md, Mean over heads).
QString headsText(const ModelSpec& model, const std::vector<int>& heads);
// "layer 21 (the last), mean over 4 query heads (0, 8, 16, 24)", "layer 3, head 5": what a chart shows.
QString probeTargetText(const ModelSpec& model, int layer, const std::vector<int>& heads);

// The generator for (layer, head) of the model, with the built-in configuration and `seed`.
std::unique_ptr<SyntheticQueryKeySource> modelledSource(const ModelSpec& model, int layer, int head,
                                                        std::optional<quint64> seed = std::nullopt);

}  // namespace sinkscope
