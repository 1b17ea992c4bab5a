// The plan as JSON, exactly the `sinkscope plan --json` contract of docs/design.md (snake_case,
// byte counts as integers, every estimate labelled modelled/measured). Not the text table.
#pragma once

#include "planner/Plan.h"

#include <QJsonObject>

namespace sinkscope {

QJsonObject planToJson(const Plan& plan);
QJsonObject memoryToJson(const MemoryBreakdown& memory);
QJsonObject confidenceToJson(const Confidence& confidence);
QJsonObject mitigationPlanToJson(const MitigationPlan& row);

}  // namespace sinkscope
