// The planner's charts as pure builders over plain data: stacked memory bars against capacity,
// memory against context with the fit limit, throughput, and the confidence gauge. Each has a
// matching table. Not where the plan is computed (PlannerTab runs core/planner off-thread).
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "planner/Plan.h"

#include <vector>

namespace sinkscope::ui {

struct PlannerData {
  Plan plan;                                    // for the scenario's primary mitigation
  std::vector<Mitigation> compared;             // mitigations the user compares, in order
  std::vector<MemoryBreakdown> comparedMemory;  // one per compared mitigation, at the context
  std::vector<MemoryPoint> curve;               // primary mitigation, log-spaced contexts
  QString modelName;
  QString hardwareName;
  const MitigationPlan* row(Mitigation mitigation) const;  // plan.mitigations entry, or null
};

ChartBuilder memoryBarBuilder(std::shared_ptr<const PlannerData> data);
ChartTable memoryBarTable(const PlannerData& data);

ChartBuilder memoryCurveBuilder(std::shared_ptr<const PlannerData> data);
ChartTable memoryCurveTable(const PlannerData& data);

ChartBuilder throughputBuilder(std::shared_ptr<const PlannerData> data);
ChartTable throughputTable(const PlannerData& data);

ChartBuilder confidenceBuilder(std::shared_ptr<const PlannerData> data);
ChartTable confidenceTable(const PlannerData& data);

// Confidence colour bands (low < 0.5 <= medium < 0.8 <= high): the gauge's background.
QColor confidenceColor(double value, const ChartTheme& theme);

}  // namespace sinkscope::ui
