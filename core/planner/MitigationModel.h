// The calibrated mitigation model: effective context, quality retention and their bands for one
// mitigation at one context, anchored on resources/references.json, with its explanation.
// Not the memory or the launch flags (Memory.h, LaunchFlags.h).
#pragma once

#include "catalog/ModelSpec.h"
#include "planner/PlannerResources.h"
#include "planner/ReferencePoints.h"
#include "positional/Mitigation.h"

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace sinkscope {

struct Band {
  double central = 0;
  double low = 0;
  double high = 0;
};

struct MitigationEstimate {
  Mitigation mitigation = Mitigation::Baseline;
  double factor = 1.0;
  bool fineTuned = false;           // the model ships (was trained with) this scaling
  bool applicable = true;           // false: e.g. longrope without the model's searched factors
  qint64 reachTokens = 0;           // relative distance the positional scheme handles (0: none)
  qint64 farthestDistanceTokens = 0;// the largest query-key distance at the context (windows cap it)
  bool sinkEvicted = false;         // a window drops the first tokens, which training never did
  Band effectiveContext;            // tokens, passkey-style (>= 80 % retrieval)
  qint64 effectiveContextStrict = 0;// RULER-style (score >= 85.6)
  Band qualityRetention;            // share of in-distribution quality kept (perplexity ratio)
  QStringList anchors;              // reference ids that carry the estimate
  double extrapolationDoublings = 0;// how far the context lies outside every anchor's span
  QString explanation;              // sentences a user can read
  // What fine-tuning with this mitigation (factor s, as PI/YaRN did) would buy; empty when shipped.
  std::optional<Band> fineTunedEffectiveContext;
  std::optional<Band> fineTunedQualityRetention;
  QString fineTuningCost;
};

struct MitigationScenario {
  qint64 contextTokens = 0;
  double factor = 1.0;
  qint64 streamingCacheTokens = 0;  // sinks + window
  bool windowEnforced = true;       // the engine applies the config's sliding window
};

MitigationEstimate estimateMitigation(const ModelSpec& model, Mitigation mitigation, const MitigationScenario& scenario,
                                      const PlannerResources& resources, const ReferenceSet& references);

// How the planner configures a mitigation when the user asks for designContextTokens: the factor
// s (the model's own for baseline and for a scaling it ships, 1 for streaming and ALiBi, else
// designContext / trained, at least 1) and the StreamingLLM cache (sinks + window, planner.json).
double plannerMitigationFactor(const ModelSpec& model, Mitigation mitigation, qint64 designContextTokens);
qint64 plannerStreamingCacheTokens(const ModelSpec& model, const PlannerResources& resources);

// The mitigation configured for designContextTokens (as `sinkscope plan --context design` does)
// evaluated at each of contexts: the effective-context curve. At contexts == design it is the
// plan's own row estimate.
std::vector<MitigationEstimate> estimateMitigationCurve(const ModelSpec& model, Mitigation mitigation,
                                                        qint64 designContextTokens, const std::vector<qint64>& contexts,
                                                        const PlannerResources& resources,
                                                        const ReferenceSet& references);

// The largest context at which the mitigation (factor s) leaves no rotary dim with angles training
// never produced, per the positional engine's phase coverage; 0 when it cannot be computed.
qint64 phaseCoverageReach(const ModelSpec& model, Mitigation mitigation, double factor, qint64 trainedContext);

}  // namespace sinkscope
