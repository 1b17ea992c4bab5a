// The numbers of the mitigation model: reach, quality retention at a length, effective context,
// and the published point each quality figure is read from (its basis). Not the sentences (VerdictText.h).
#pragma once

#include "catalog/ModelSpec.h"
#include "planner/MitigationModel.h"
#include "planner/PlannerResources.h"
#include "planner/ReferencePoints.h"
#include "positional/Mitigation.h"

#include <QString>
#include <QStringList>

namespace sinkscope::retention {

// One evaluation of the model's equations with one set of knobs (central, optimistic or pessimistic).
struct Knobs {
  double gamma = 0;       // past-reach decay
  double fineTuned = 1;   // retention per doubling, fine-tuned
  double untuned = 1;     // retention per doubling, untuned
  double streaming = 1;   // StreamingLLM retention
  double extension = 1;   // multiplier on the literature's untuned extension (1 central, 0.5 pessimistic)
  double windowOnly = 1;  // retention when a window evicts the sink tokens
};
Knobs centralKnobs(const ReferenceSet& r);

// A mitigation as configured for one model, runtime and requested length.
struct Setting {
  const ModelSpec* model = nullptr;
  Mitigation mitigation = Mitigation::Baseline;
  bool fineTuned = false;
  bool vendorRecipe = false;
  qint64 trained = 0;
  qint64 context = 0;
  qint64 window = 0;      // the all-layer window the runtime honours (0: none)
  qint64 cache = 0;       // StreamingLLM's sinks + window
  qint64 phaseReach = 0;  // from the positional engine (0: not computed)
  double factor = 1;
  double literatureExtension = 1;  // untuned extension (planner.json context_extension)
  // The farthest query-key distance at length `length`.
  qint64 farthestAt(qint64 length) const;
  bool windowRolledInTraining() const { return window > 0 && window < trained; }
  bool sinkEvictedAt(qint64 length) const {
    return mitigation != Mitigation::Streaming && window > 0 && length > window && window >= trained;
  }
};

qint64 trainedOf(const ModelSpec& model);
// Every caching layer keeps a sliding window: the farthest distance any query sees is the window.
qint64 allLayerWindow(const ModelSpec& model);

// The mitigation as the reference points name the setting: a shipped scaling by its own name.
QString settingName(const Setting& s);
// Whether a reference point measured the same setting in the same state: its mitigation is the
// setting's name, it was fine-tuned exactly when the setting was (a vendor's recipe added at
// inference is not), and it honoured the model's window as the runtime does.
bool sameSettingAndState(const ReferencePoint& point, const Setting& s);

qint64 reachFor(const Setting& s, const Knobs& k);
// An untuned RoPE scaling under a window that already keeps every distance inside the trained
// range: it buys nothing and still compresses positions by its factor, so past the trained length
// it pays the untuned retention per doubling (up to log2(factor)), as it would without the window.
bool compressesInsideWindow(const Setting& s);

// Where a quality figure comes from. `point` is the published point of the same setting and state
// the figure is read from, or null; then `derivedFrom` names the parameters' points the figure is
// extrapolated from (empty inside the trained context, where nothing needs a point).
struct QualityBasis {
  const ReferencePoint* point = nullptr;
  QStringList derivedFrom;
  bool inDistribution = false;  // within the trained context and reach: quality 1 by construction
};

// Quality, effective context and their bands at s.context, from the published series when there
// is one, else the equations; `basis` is where the central quality comes from, chosen on the same
// path that computes it.
void estimateQuality(const Setting& s, const ReferencePoint* series, const ReferenceSet& references,
                     const VerdictThresholds& thresholds, MitigationEstimate& e,
                     QualityBasis* basis = nullptr);

// Reference ids that speak for this setting (the estimate's `anchors`).
QStringList anchorsFor(const Setting& s, const Knobs& central, const ReferenceSet& references);
// Points that measure quality against length (claims and training losses do not span lengths).
bool spansLengths(const ReferencePoint& point);
// SinkScope's own measured-mode runs stored as points: shown beside the estimate (and preferred in
// its explanation), never fitted, so never the basis of a modelled figure.
bool isOwnMeasurement(const ReferencePoint& point);
// How far s.context lies outside the basis candidates (the published points of the same setting and
// state), in doublings; with none, every doubling past the trained context counts. StreamingLLM
// re-uses positions inside its cache: its distance is past the longest published stream.
double extrapolationDoublings(const Setting& s, const ReferenceSet& references);
// RULER-style effective context from the passkey-style one.
qint64 strictEffective(const ModelSpec& model, double effective, const ReferenceSet& references);

}  // namespace sinkscope::retention
