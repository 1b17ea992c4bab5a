// The comparison layer over the mitigation rows of a plan: the recommendation (with runner-up)
// and the source document's worked example beside SinkScope's estimate. Not the estimates themselves.
#pragma once

#include "planner/Plan.h"
#include "planner/ReferencePoints.h"

namespace sinkscope {

// Rows the plan's runtime can turn on, those that fit first, then the verdict at the requested
// context (works > degraded > collapses),
// then effective × quality, then confidence. Inside the vendor-supported range a setting that
// replaces the model's own built-in scaling is never recommended.
Recommendation recommendMitigation(const Plan& plan, const ModelSpec& model);
std::vector<DocumentComparison> compareWithSourceDocument(const ModelSpec& model, const Plan& plan,
                                                          const ReferenceSet& references);

}  // namespace sinkscope
