// The planner's confidence in [0, 1] with human-readable reasons, and the context_cap of a
// mitigation in estimate mode. Not quality estimates themselves (see MitigationModel.h).
#pragma once

#include "catalog/ModelSpec.h"
#include "planner/PlannerResources.h"
#include "positional/Mitigation.h"

#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

struct ConfidenceReason {
  QString code;          // stable key: "beyond_trained", "estimated_quality", ...
  double deduction = 0;  // subtracted from 1 (0 for the rule-1 cap itself)
  QString text;          // a sentence a user understands
};

struct Confidence {
  double value = 1.0;
  std::vector<ConfidenceReason> reasons;
};

struct ContextCap {
  qint64 tokens = 0;       // 0 = no cap on the stream length (StreamingLLM)
  double factor = 1.0;     // scaling factor s the mitigation is applied with
  bool fineTuned = false;  // the model ships this scaling (trained with it)
  QString basis;           // why this cap, with its source
};

// The scaling factor a mitigation is applied with: explicit, else the smallest that reaches the
// context from the trained context (at least 1).
double defaultScalingFactor(qint64 contextTokens, qint64 trainedContextTokens);
// Whether the model's own rope_scaling is this mitigation (then it was fine-tuned with it).
bool shipsWithMitigation(const ModelSpec& model, Mitigation mitigation);
// How far the scaling a model ships carries it: max_position_embeddings, but no further than the
// context its vendor supports with a built-in recipe (DeepSeek-V2: 163,840 in config.json, 128K in
// its paper and model card).
qint64 shippedScalingContext(const ModelSpec& model, qint64 trainedContextTokens);
// windowHonoured: whether the runtime applies the model's sliding window (vLLM, transformers;
// llama.cpp runs Mistral-v0.1 with full attention, Runtime.h).
ContextCap estimateContextCap(const ModelSpec& model, Mitigation mitigation, double factor,
                              const PlannerResources& resources, bool windowHonoured = true);

// The verdict a row's confidence must agree with (MitigationModel.h VerdictKind, by name).
enum class ConfidenceTier { Works, Degraded, Collapses };

struct ConfidenceInputs {
  qint64 contextTokens = 0;
  qint64 trainedContextTokens = 0;
  qint64 contextCapTokens = 0;  // 0 = none
  QString mitigation;           // for the texts
  QString extrapolationDetail;  // e.g. "RoPE angles in 36 of 128 rotary dims were never seen"
  bool qualityMeasured = false;
  QStringList defaultedFields;  // model and hardware fields SinkScope defaulted
  QStringList missingHardware;  // figures the throughput lacked
  bool fits = true;
  double memoryMarginShare = 1.0;  // (capacity - total) / capacity
  double weightBitsPerWeight = 16;
  double kvBitsPerElement = 16;
  double anchorDistanceDoublings = 0;  // context outside every reference point's span (mitigation model)
  QString anchorNames;                 // the reference points that carry the estimate
  QString notApplicableReason;         // non-empty: the mitigation cannot be estimated for this model
  bool borrowedSeries = false;         // the quality series is a family member's
  ConfidenceTier tier = ConfidenceTier::Works;  // the verdict at the requested context
  QString verdictText;                          // that verdict in words
  // The verdict at the pessimistic end of the quality band, and that quality: when it collapses
  // and `tier` does not, the estimate cannot rule a collapse out, and confidence is held at the
  // tier's floor.
  ConfidenceTier pessimisticTier = ConfidenceTier::Works;
  double pessimisticQuality = 1.0;
};

// 1 minus the deductions, held inside the verdict's range (works >= worksFloor > degraded >
// collapses, planner.json) and at its floor when the band reaches a collapse, then rule 1
// last: at most 0.8 past the trained context.
Confidence assessConfidence(const ConfidenceInputs& inputs, const ConfidenceWeights& weights);

}  // namespace sinkscope
