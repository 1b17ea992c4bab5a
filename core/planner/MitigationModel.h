// The calibrated mitigation model: effective context (a length), the verdict at the requested
// length (works / degraded / collapses) with its quality band and the published point it rests
// on, anchored on resources/references.json. Not the memory or the launch flags (Memory.h, LaunchFlags.h).
#pragma once

#include "catalog/ModelSpec.h"
#include "catalog/Runtime.h"
#include "planner/PlannerResources.h"
#include "planner/ReferencePoints.h"
#include "positional/Mitigation.h"

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace sinkscope {

enum class VerdictKind { Works, Degraded, Collapses, Unknown };
QString verdictName(VerdictKind kind);  // "works", "degraded", "collapses", "unknown"

// What the setting does at the requested length, and the published point the answer rests on.
struct Verdict {
  VerdictKind kind = VerdictKind::Unknown;
  qint64 contextTokens = 0;  // the length it speaks of
  Band quality;              // expected quality retention there (per position)
  QString setting;           // the setting as reference points name it ("llama3" for Llama 3.1 as shipped)
  bool fineTuned = false;  // its state: trained with this setting (a vendor recipe added at inference is not)
  QString basisId;         // the point of the same setting and state its quality is read from (empty: none)
  QString basis;           // that point in words, or "no published point for ...; extrapolated from ..."
  bool extrapolated = false;  // the length lies past every published point for this setting
  QString text;               // one sentence: "at 32K: collapses (quality ...); rests on ..."
};

struct MitigationEstimate {
  Mitigation mitigation = Mitigation::Baseline;
  double factor = 1.0;
  bool fineTuned = false;             // the model ships (was trained with) this scaling
  bool applicable = true;             // false: e.g. longrope without the model's searched factors
  qint64 reachTokens = 0;             // relative distance the positional scheme handles (0: none)
  qint64 farthestDistanceTokens = 0;  // the largest query-key distance at the context (windows cap it)
  bool sinkEvicted = false;           // a window drops the first tokens, which training never did
  bool windowHonoured = false;        // the runtime applies the model's all-layer sliding window
  bool vendorRecipe = false;          // the vendor's documented recipe (e.g. Qwen's YaRN x4 from 32K)
  QString series;                     // id of the model's own published series used, if any
  bool borrowedSeries = false;        // that series is a family member's
  // Tokens: the longest context up to the requested one at which the setting still works
  // (quality >= the works threshold), never longer than what its window or cache lets it recall.
  Band effectiveContext;
  qint64 effectiveContextStrict = 0;  // RULER-style (score >= 85.6)
  Band qualityRetention;              // share of in-distribution quality kept (perplexity ratio)
  QStringList anchors;                // reference ids that carry the estimate
  double extrapolationDoublings = 0;  // how far the context lies outside every anchor's span
  Verdict verdict;                    // at the requested context
  QString explanation;                // sentences a user can read
  // What fine-tuning with this mitigation (factor s, as PI/YaRN did) would buy; empty when shipped.
  std::optional<Band> fineTunedEffectiveContext;
  std::optional<Band> fineTunedQualityRetention;
  QString fineTuningCost;
};

struct MitigationScenario {
  qint64 contextTokens = 0;
  double factor = 1.0;
  qint64 streamingCacheTokens = 0;      // sinks + window
  Runtime runtime = Runtime::LlamaCpp;  // decides whether a sliding window is honoured
};

MitigationEstimate estimateMitigation(const ModelSpec& model, Mitigation mitigation,
                                      const MitigationScenario& scenario, const PlannerResources& resources,
                                      const ReferenceSet& references);

// How the planner configures a mitigation when the user asks for designContextTokens: the factor
// s (the model's own for baseline and for a scaling it ships, the vendor's for its documented
// recipe, 1 for streaming and ALiBi, else designContext / trained, at least 1) and the
// StreamingLLM cache (sinks + window, planner.json).
double plannerMitigationFactor(const ModelSpec& model, Mitigation mitigation, qint64 designContextTokens);
// Whether (mitigation, factor) is the vendor's documented recipe added at inference (not built in).
bool isVendorRecipe(const ModelSpec& model, Mitigation mitigation, double factor);
qint64 plannerStreamingCacheTokens(const ModelSpec& model, const PlannerResources& resources);

// The mitigation configured for designContextTokens (as `sinkscope plan --context design` does)
// evaluated at each of contexts: the effective-context curve. At contexts == design it is the
// plan's own row estimate.
std::vector<MitigationEstimate> estimateMitigationCurve(const ModelSpec& model, Mitigation mitigation,
                                                        qint64 designContextTokens,
                                                        const std::vector<qint64>& contexts,
                                                        const PlannerResources& resources,
                                                        const ReferenceSet& references,
                                                        Runtime runtime = Runtime::LlamaCpp);

// The largest context at which the mitigation (factor s) leaves no rotary dim with angles training
// never produced, per the positional engine's phase coverage. Throws Error(BadInput) when the
// model's RoPE settings cannot be read.
qint64 phaseCoverageReach(const ModelSpec& model, Mitigation mitigation, double factor,
                          qint64 trainedContext);

}  // namespace sinkscope
