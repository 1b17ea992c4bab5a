// File → Export Report in the window: asks where (the file dialog confirms replacing a file),
// builds the report off the GUI thread with a progress dialog and Cancel, writes it atomically,
// and reports failure in a message box. Not the report or its writers (core/report, ReportWriter).
#pragma once

#include "report/Report.h"

class QWidget;

namespace sinkscope::ui {

// Returns the written path, or an empty string when cancelled or failed (the user was told why).
QString exportReportInteractively(QWidget* parent, const ReportScenario& scenario);

}  // namespace sinkscope::ui
