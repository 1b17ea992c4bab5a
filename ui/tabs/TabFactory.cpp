#include "tabs/TabFactory.h"

namespace sinkscope::ui {

std::vector<AnalysisTab*> createAnalysisTabs(AppContext& context, QWidget* parent) {
  (void)context;
  (void)parent;
  return {};
}

}  // namespace sinkscope::ui
