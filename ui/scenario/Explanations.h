// The explanatory texts of the window: what a sink is, what each mitigation does, what a
// dtype means. Used as tooltips and in the What's This help. Not numbers: those live in core.
#pragma once

#include "positional/Mitigation.h"

#include <QString>

namespace sinkscope::ui {

QString mitigationTitle(Mitigation mitigation);        // "NTK-aware scaling"
QString mitigationExplanation(Mitigation mitigation);  // one paragraph, plain text
QString sinkExplanation();
QString contextExplanation();
QString dtypeExplanation();
QString entropyExplanation();
QString effectiveContextExplanation();
QString contextCapExplanation();
QString confidenceExplanation();

}  // namespace sinkscope::ui
