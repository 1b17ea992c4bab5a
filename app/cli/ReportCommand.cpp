// `sinkscope report`: the capacity report of one scenario as PDF, HTML or JSON (DESIGN.md).
// The destination is checked before any work; the file is written atomically.
#include "cli/CliSupport.h"
#include "common/AtomicFile.h"
#include "cli/Commands.h"
#include "cli/ScenarioOptions.h"
#include "common/Error.h"
#include "export/ReportWriter.h"

#include <QFileInfo>
#include <QJsonDocument>

namespace sinkscope::cli {

int runReport(const QStringList& args) {
  return guarded([&] {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A multi-page capacity report (PDF, self-contained HTML, or JSON): scenario, specifications, memory plan, "
        "confidence and context_cap, sink curve, heatmaps, mitigation comparison, method and sources."));
    addScenarioOptions(parser);
    parseOrThrow(parser, QStringLiteral("report"), args);
    const ReportScenario scenario = readScenario(parser, true);
    const QString path = parser.value(QStringLiteral("out"));
    const bool force = parser.isSet(QStringLiteral("force"));
    const bool json = QFileInfo(path).suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) == 0;
    if (!json) ui::checkReportDestination(path, force);  // fail before the work, not after
    const auto report = buildReport(scenario);
    if (!report) throw Error(ErrorKind::Internal, QStringLiteral("report"), QString(), QStringLiteral("cancelled"));
    if (json)
      writeFileAtomically(path, QJsonDocument(reportToJson(*report)).toJson(QJsonDocument::Indented),
                          force ? ExistingFile::Replace : ExistingFile::Refuse);
    else
      ui::writeReport(*report, path, force);
    out() << QFileInfo(path).absoluteFilePath() << Qt::endl;
    return 0;
  });
}

}  // namespace sinkscope::cli
