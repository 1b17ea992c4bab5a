// File → Export Report in the window: asks where, confirms replacing an existing file, builds the
// report off the GUI thread with a progress dialog and Cancel, writes it atomically, and reports
// failure naming the path. Not the report or its writers (core/report, ReportWriter).
#pragma once

#include "report/Report.h"

#include <functional>

class QWidget;

namespace sinkscope::ui {

// How the export asks the user. The defaults are Qt's dialogs; tests inject their answers.
struct ReportExportPrompts {
  std::function<QString(QWidget* parent)> choosePath;                        // empty: cancelled
  std::function<bool(QWidget* parent, const QString& path)> confirmReplace;  // the file exists: replace it?
  std::function<void(QWidget* parent, const QString& message)> showError;
  static ReportExportPrompts dialogs();
};

// What an export came to: the written path, or an empty path when it was cancelled (by the user in
// a prompt or with the progress dialog's Cancel while building) or failed (the user was told why).
struct ReportExportOutcome {
  QString path;
  bool cancelledWhileBuilding = false;  // Cancel pressed while the report was being built
};

// A path without .pdf/.html/.htm gets .pdf. Nothing is left behind on failure or cancel.
ReportExportOutcome exportReportInteractively(
    QWidget* parent, const ReportScenario& scenario,
    const ReportExportPrompts& prompts = ReportExportPrompts::dialogs());

}  // namespace sinkscope::ui
