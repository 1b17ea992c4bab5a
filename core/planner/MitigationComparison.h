// The comparison layer over the mitigation rows of a plan: the recommendation (with runner-up)
// and the source document's worked example beside SinkScope's estimate. Not the estimates themselves.
#pragma once

#include "planner/Plan.h"
#include "planner/ReferencePoints.h"

namespace sinkscope {

Recommendation recommendMitigation(const Plan& plan);
std::vector<DocumentComparison> compareWithSourceDocument(const ModelSpec& model, const Plan& plan,
                                                          const ReferenceSet& references);

}  // namespace sinkscope
