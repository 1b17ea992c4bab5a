// Creates the analysis tabs that have real data to show, in display order. Not the tabs.
#pragma once

#include "tabs/AnalysisTab.h"

#include <vector>

namespace sinkscope::ui {
std::vector<AnalysisTab*> createAnalysisTabs(AppContext& context, QWidget* parent);
}
