// The HTML form of a report: one self-contained file (CSS inline, charts as PNG data: URIs at
// 2x drawn by the same builders as the window), and the checked, atomic writing of either form.
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "export/ReportCharts.h"
#include "export/ReportWriter.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>

namespace sinkscope::ui {

namespace {

QString esc(const QString& s) {
  return s.toHtmlEscaped();
}
// A table cell: escaped, its line breaks kept.
QString cell(const QString& s) {
  return esc(s).replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

const char* kStyle = R"(
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; max-width: 60rem;
       margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; font-size: 15px; }
header.report { border-bottom: 2px solid #1f3a5f; margin-bottom: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { color: #1f3a5f; border-bottom: 1px solid #1f3a5f; padding-bottom: .2rem; margin-top: 2.2rem; font-size: 1.3rem; }
.meta { color: #555; font-style: italic; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 .4rem; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #ddd;
         overflow-wrap: anywhere; }
th { background: #e3e9f1; }
tr:nth-child(even) td { background: #f6f7f9; }
table.kv td:first-child { font-weight: bold; width: 30%; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: .3rem 0; }
.note { color: #444; font-size: .85rem; font-style: italic; }
figure { margin: 1rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-weight: bold; color: #1f3a5f; margin-bottom: .3rem; }
footer { margin-top: 3rem; border-top: 1px solid #bbb; color: #555; font-size: .85rem; padding-top: .5rem; }
code { font-size: .85rem; background: #f3f3f3; padding: .1rem .25rem; overflow-wrap: anywhere; }
)";

QString tableHtml(const ReportTable& t) {
  QString html = QStringLiteral("<table>");
  if (!t.title.isEmpty()) html += QStringLiteral("<caption>%1</caption>").arg(esc(t.title));
  html += QStringLiteral("<thead><tr>");
  for (const QString& c : t.columns) html += QStringLiteral("<th>%1</th>").arg(esc(c));
  html += QStringLiteral("</tr></thead><tbody>");
  for (const QStringList& row : t.rows) {
    html += QStringLiteral("<tr>");
    for (const QString& text : row) html += QStringLiteral("<td>%1</td>").arg(cell(text));
    html += QStringLiteral("</tr>");
  }
  html += QStringLiteral("</tbody></table>");
  if (!t.note.isEmpty()) html += QStringLiteral("<p class=\"note\">%1</p>").arg(esc(t.note));
  return html;
}

QString chartHtml(const Report& report, ChartKind kind) {
  const auto builder = chartBuilderFor(report, kind);
  if (!builder) return QString();
  const QSize size = defaultChartSize(report, kind, 900);
  const QImage image = renderChartImage(*builder, ChartTheme::print(), size, 2.0);
  QByteArray png;
  QBuffer buffer(&png);
  buffer.open(QIODevice::WriteOnly);
  image.save(&buffer, "PNG");
  return QStringLiteral(
             "<figure id=\"chart-%1\"><figcaption>%2</figcaption><img alt=\"%2\" width=\"%3\" "
             "height=\"%4\" src=\"data:image/png;base64,%5\"></figure>")
      .arg(chartKindName(kind), esc(chartCaption(report, kind)))
      .arg(size.width())
      .arg(size.height())
      .arg(QString::fromLatin1(png.toBase64()));
}

// number 0: no number (the appendix).
QString sectionHtml(const Report& report, int number, const ReportSection& s) {
  const QString heading = number > 0 ? QStringLiteral("%1. %2").arg(number).arg(s.title) : s.title;
  QString html = QStringLiteral("<section id=\"%1\"><h2>%2</h2>").arg(esc(s.id), esc(heading));
  for (const QString& p : s.paragraphs) html += QStringLiteral("<p>%1</p>").arg(esc(p));
  if (!s.keyValues.empty()) {
    html += QStringLiteral("<table class=\"kv\"><tbody>");
    for (const ReportKeyValue& kv : s.keyValues)
      html += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(esc(kv.key), cell(kv.value));
    html += QStringLiteral("</tbody></table>");
  }
  for (ChartKind kind : s.charts) html += chartHtml(report, kind);
  for (const ReportTable& t : s.tables) html += tableHtml(t);
  if (!s.bullets.isEmpty()) {
    html += QStringLiteral("<ul>");
    for (const QString& b : s.bullets) html += QStringLiteral("<li>%1</li>").arg(esc(b));
    html += QStringLiteral("</ul>");
  }
  return html + QStringLiteral("</section>\n");
}

}  // namespace

std::optional<ReportFormat> reportFormatForPath(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("pdf")) return ReportFormat::Pdf;
  if (suffix == QLatin1String("html") || suffix == QLatin1String("htm")) return ReportFormat::Html;
  return std::nullopt;
}

QByteArray renderReportHtml(const Report& report) {
  const QString date = report.generatedUtc.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
  QString html = QStringLiteral(
                     "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<meta name=\"generator\" content=\"SinkScope "
                     "%1\"><title>%2</title><style>%3</style></head>\n<body>")
                     .arg(esc(report.version), esc(report.title), QString::fromUtf8(kStyle));
  html += QStringLiteral(
              "<header class=\"report\"><h1>%1</h1><p class=\"meta\">SinkScope %2 · generated %3 UTC · "
              "all figures modelled unless marked measured</p></header>\n")
              .arg(esc(report.title), esc(report.version), esc(date));
  int number = 0;
  for (const ReportSection& s : report.sections)
    if (!isAppendixSection(s)) html += sectionHtml(report, ++number, s);
  html += QStringLiteral("<section id=\"sources\"><h2>%1. Sources</h2><ul>").arg(++number);
  for (const QString& source : report.sources) html += QStringLiteral("<li>%1</li>").arg(esc(source));
  html += QStringLiteral("</ul></section>\n");
  for (const ReportSection& s : report.sections)
    if (isAppendixSection(s)) html += sectionHtml(report, 0, s);
  html += QStringLiteral(
              "<footer>Generated by SinkScope %1 on %2 UTC. Reproduce the plan's numbers "
              "with <code>%3</code>.</footer>\n</body></html>\n")
              .arg(esc(report.version), esc(date), esc(report.planCommand));
  return html.toUtf8();
}

ReportFormat checkReportDestination(const QString& path, bool replaceExisting) {
  const auto format = reportFormatForPath(path);
  if (!format)
    throwBadInput(
        path, QStringLiteral("extension"),
        QStringLiteral("unknown report format '.%1' (expected .pdf or .html)").arg(QFileInfo(path).suffix()));
  const QFileInfo info(path);
  if (info.isDir()) throwBadInput(path, QString(), QStringLiteral("is a directory"));
  const QFileInfo folder(info.absolutePath());
  if (!folder.isDir())
    throwBadInput(path, QString(), QStringLiteral("folder '%1' does not exist").arg(folder.filePath()));
  if (!folder.isWritable())
    throwBadInput(path, QString(), QStringLiteral("folder '%1' is not writable").arg(folder.filePath()));
  if (info.exists() && !replaceExisting)
    throwBadInput(path, kExistingFileField, QStringLiteral("already exists"));
  return *format;
}

void writeReport(const Report& report, const QString& path, bool replaceExisting) {
  const ReportFormat format = checkReportDestination(path, replaceExisting);
  const QByteArray bytes = format == ReportFormat::Pdf ? renderReportPdf(report) : renderReportHtml(report);
  writeFileAtomically(path, bytes, replaceExisting ? ExistingFile::Replace : ExistingFile::Refuse);
}

}  // namespace sinkscope::ui
