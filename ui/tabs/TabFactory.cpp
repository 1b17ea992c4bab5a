#include "tabs/TabFactory.h"

#include "tabs/PlannerTab.h"

namespace sinkscope::ui {

std::vector<AnalysisTab*> createAnalysisTabs(AppContext& context, QWidget* parent) {
  return {new PlannerTab(context, parent)};
}

}  // namespace sinkscope::ui
