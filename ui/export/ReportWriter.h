// Writes a Report (core/report) as a multi-page PDF (vector text, axes and curves; heatmaps as
// embedded images) or a self-contained HTML file (charts as embedded PNG data: URIs), drawing
// every chart with the same builders as the window. Not the report's content (core/report).
#pragma once

#include "report/Report.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace sinkscope::ui {

enum class ReportFormat { Pdf, Html };
std::optional<ReportFormat> reportFormatForPath(const QString& path);  // by extension

QByteArray renderReportPdf(const Report& report);
QByteArray renderReportHtml(const Report& report);

// Checks the destination before any work: a known extension (.pdf, .html/.htm), an existing
// writable folder, and no existing file unless replaceExisting. Throws Error(BadInput) naming the path.
ReportFormat checkReportDestination(const QString& path, bool replaceExisting);
// Renders and writes atomically (QSaveFile): on failure nothing is left behind. Throws Error(BadInput).
void writeReport(const Report& report, const QString& path, bool replaceExisting);

}  // namespace sinkscope::ui
