// Builders for the Mitigations tab's chart over the planner's results: each applicable
// mitigation's effective context as a bar with its band, the requested and trained contexts
// marked, and its table. Not the mitigation model (core/planner) and not the tab.
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "charts/PlannerCharts.h"
#include "planner/MitigationComparison.h"

#include <memory>
#include <vector>

namespace sinkscope::ui {

struct MitigationsData {
  PlannerData planner;
  std::vector<DocumentComparison> document;  // the source document's rows for this model
};

ChartBuilder effectiveContextBuilder(std::shared_ptr<const MitigationsData> data);
ChartTable effectiveContextTable(const MitigationsData& data);

}  // namespace sinkscope::ui
