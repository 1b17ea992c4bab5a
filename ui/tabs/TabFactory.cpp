#include "tabs/TabFactory.h"

#include "tabs/HeatmapTab.h"
#include "tabs/MeasuredTab.h"
#include "tabs/MitigationsTab.h"
#include "tabs/PlannerTab.h"
#include "tabs/SinkCurveTab.h"

namespace sinkscope::ui {

std::vector<AnalysisTab*> createAnalysisTabs(AppContext& context, QWidget* parent) {
  return {new HeatmapTab(context, parent), new SinkCurveTab(context, parent), new PlannerTab(context, parent),
          new MitigationsTab(context, parent), new MeasuredTab(context, parent)};
}

}  // namespace sinkscope::ui
