// The words of the mitigation model: the verdict at the requested length with the point it rests
// on, and the explanation a user reads. Not the numbers (RetentionModel.h computes them and the basis).
#pragma once

#include "planner/MitigationModel.h"
#include "planner/RetentionModel.h"

#include <QString>

namespace sinkscope::retention {

// The verdict for a computed estimate: its kind from the central quality, its basis as
// estimateQuality chose it (the point of the same setting and state the figure is read from, or
// "no published point ..." naming what it is extrapolated from).
Verdict makeVerdict(const MitigationEstimate& e, const Setting& s, const QualityBasis& basis,
                    const ReferenceSet& references, const VerdictThresholds& thresholds);
// The verdict of a row that cannot be estimated (longrope without searched factors).
Verdict unknownVerdict(const Setting& s);

QString explain(const Setting& s, const MitigationEstimate& e, const ReferenceSet& references);
// What fine-tuning with this mitigation costs, as published; empty when nothing is published.
QString fineTuningCostFor(Mitigation mitigation);

}  // namespace sinkscope::retention
