// `sinkscope chart`: one chart of a scenario, headless, drawn by the same builder as the window,
// as PNG (at --scale, default 2x), SVG or PDF (vector), or its data as CSV or JSON (units in the
// column names). The destination is checked before any work; the file is written atomically.
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/ScenarioOptions.h"
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "export/ReportCharts.h"

#include <QFileInfo>
#include <QJsonDocument>

namespace sinkscope::cli {

namespace {

enum class Output { Png, Svg, Pdf, Csv, Json };

Output outputFor(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("png")) return Output::Png;
  if (suffix == QLatin1String("svg")) return Output::Svg;
  if (suffix == QLatin1String("pdf")) return Output::Pdf;
  if (suffix == QLatin1String("csv")) return Output::Csv;
  if (suffix == QLatin1String("json")) return Output::Json;
  throwBadInput(
      path, QStringLiteral("extension"),
      QStringLiteral("unknown chart format '.%1' (expected .png, .svg, .pdf, .csv or .json)").arg(suffix));
}

void checkDestination(const QString& path, bool force) {
  const QFileInfo info(path);
  const QFileInfo folder(info.absolutePath());
  if (info.isDir()) throwBadInput(path, QString(), QStringLiteral("is a directory"));
  if (!folder.isDir())
    throwBadInput(path, QString(), QStringLiteral("folder '%1' does not exist").arg(folder.filePath()));
  if (!folder.isWritable())
    throwBadInput(path, QString(), QStringLiteral("folder '%1' is not writable").arg(folder.filePath()));
  if (info.exists() && !force)
    throwBadInput(path, QString(), QStringLiteral("already exists (use --force to replace it)"));
}

}  // namespace

int runChart(const QStringList& args) {
  return guarded([&] {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "One chart of a scenario, drawn as in the window: PNG, SVG or PDF, or its data as CSV or JSON."));
    addScenarioOptions(parser);
    parser.addOptions({
        {QStringLiteral("chart"), QStringLiteral("heatmap, sink-curve, memory, mitigations or confidence."),
         QStringLiteral("KIND")},
        {QStringLiteral("width"),
         QStringLiteral("Width in logical pixels (PDF: points); default per chart, 900."),
         QStringLiteral("W")},
        {QStringLiteral("height"),
         QStringLiteral("Height in logical pixels (PDF: points); default per chart."), QStringLiteral("H")},
        {QStringLiteral("scale"), QStringLiteral("PNG pixels per logical pixel, 0.5 to 4 (default 2)."),
         QStringLiteral("S")},
    });
    parseOrThrow(parser, QStringLiteral("chart"), args);
    const QString kindName = requireOption(parser, QStringLiteral("chart"));
    const auto kind = chartKindFromName(kindName);
    if (!kind)
      throwUsage(QStringLiteral("--chart"),
                 QStringLiteral("unknown chart '%1' (known: heatmap, sink-curve, memory, "
                                "mitigations, confidence)")
                     .arg(kindName));
    const ReportScenario scenario = readScenario(parser, false);
    const auto width =
        optionalCount(parser, QStringLiteral("width"), ui::kMinExportWidth, ui::kMaxExportSide);
    const auto height =
        optionalCount(parser, QStringLiteral("height"), ui::kMinExportHeight, ui::kMaxExportSide);
    const double scale =
        parser.isSet(QStringLiteral("scale"))
            ? parsePositiveDouble(QStringLiteral("--scale"), parser.value(QStringLiteral("scale")))
            : ui::kDefaultPngScale;
    // The scale before the work (at the smallest size only the scale can be refused); the pixel
    // count once the chart's size is known.
    if (const QString problem = ui::pngSizeProblem(QSize(ui::kMinExportWidth, ui::kMinExportHeight), scale);
        !problem.isEmpty())
      throwUsage(QStringLiteral("--scale"), problem);
    const QString path = parser.value(QStringLiteral("out"));
    const bool force = parser.isSet(QStringLiteral("force"));
    const Output output = outputFor(path);
    checkDestination(path, force);  // fail before the work, not after
    const bool attention = *kind == ChartKind::Heatmap || *kind == ChartKind::SinkCurve;
    // Ctrl+C stops the probe: Cancelled ends the command through guarded() with exit 130.
    const Report report = buildReport(scenario, ReportCallbacks{stopOnInterrupt(), {}},
                                      QDateTime::currentDateTimeUtc(), attention);
    auto builder = ui::chartBuilderFor(report, *kind);
    const auto table = ui::chartTableFor(report, *kind);
    if (!builder || !table)
      throwBadInput(
          scenario.model, QStringLiteral("chart"),
          QStringLiteral("no %1 data for this model (its attention cannot be modelled)").arg(kindName));
    builder =
        ui::withHeading(*builder, ui::chartHeadingFor(report, *kind));  // title and caption in the image
    const QSize natural = ui::defaultChartSize(report, *kind, int(width.value_or(900)));
    const QSize size(natural.width(), int(height.value_or(natural.height())));
    if (const QString problem = ui::pngSizeProblem(size, scale); output == Output::Png && !problem.isEmpty())
      throwUsage(
          parser.isSet(QStringLiteral("scale")) ? QStringLiteral("--scale") : QStringLiteral("--width"),
          problem);
    QByteArray bytes;
    switch (output) {
      // The same rendering as the window's Save… (ui/charts/ChartExport).
      case Output::Png:
        bytes = ui::renderChart(*builder, ui::ChartFormat::Png, size, scale);
        break;
      case Output::Svg:
        bytes = ui::renderChart(*builder, ui::ChartFormat::Svg, size);
        break;
      case Output::Pdf:
        bytes = ui::renderChart(*builder, ui::ChartFormat::Pdf, size);
        break;
      case Output::Csv:
        bytes = table->toCsv().toUtf8();
        break;
      case Output::Json: {
        QJsonObject object = ui::chartTableToJson(*table);
        object.insert(QStringLiteral("chart"), chartKindName(*kind));
        object.insert(
            QStringLiteral("data"),
            chartDataToJson(report.charts)
                .value(*kind == ChartKind::SinkCurve ? QStringLiteral("sink_curve") : chartKindName(*kind)));
        bytes = QJsonDocument(object).toJson(QJsonDocument::Indented);
        break;
      }
    }
    writeFileAtomically(path, bytes, force ? ExistingFile::Replace : ExistingFile::Refuse);
    out() << QFileInfo(path).absoluteFilePath() << Qt::endl;
    return 0;
  });
}

}  // namespace sinkscope::cli
