// `sinkscope report`: the capacity report of one scenario as PDF, HTML or JSON (docs/design.md).
// The destination is checked before any work; the file is written atomically.
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/ScenarioOptions.h"
#include "common/AtomicFile.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "common/JsonRead.h"
#include "export/ReportWriter.h"
#include "inference/Measurement.h"
#include "inference/Tokenizer.h"
#include "measure/MeasureSession.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <functional>

namespace sinkscope::cli {

int runReport(const QStringList& args) {
  return guarded([&] {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A multi-page capacity report (PDF, self-contained HTML, or JSON): scenario, "
                       "specifications, memory plan, "
                       "confidence and context_cap, sink curve, heatmaps, mitigation comparison, literature "
                       "reference points, "
                       "measured results of a GGUF checkpoint (--gguf), method and sources."));
    addScenarioOptions(parser);
    parser.addOptions({
        {QStringLiteral("gguf"),
         QStringLiteral("Measure this GGUF checkpoint for each compared mitigation and add the "
                        "measured results (as `sinkscope measure`)."),
         QStringLiteral("FILE")},
        {QStringLiteral("text"),
         QStringLiteral("UTF-8 text to measure (default: the bundled sample, "
                        ":/texts/simple-stories.txt)."),
         QStringLiteral("FILE")},
        {QStringLiteral("measure-context"),
         QStringLiteral("Measure the first N tokens (default: the whole text)."), QStringLiteral("N")},
        {QStringLiteral("trained-context"),
         QStringLiteral("Trained context of the checkpoint, overriding its GGUF metadata."),
         QStringLiteral("N")},
        {QStringLiteral("sliding-window"),
         QStringLiteral("Measure with the config's sliding window of N tokens on every layer without a "
                        "window of its own, as vLLM does (default: as llama.cpp runs the file)."),
         QStringLiteral("N")},
    });
    parseOrThrow(parser, QStringLiteral("report"), args);
    ReportScenario scenario = readScenario(parser, true);
    scenario.ggufPath = parser.value(QStringLiteral("gguf"));
    scenario.textPath = parser.value(QStringLiteral("text"));
    // The limits of `sinkscope measure --context` and --trained-context.
    scenario.measureContextTokens =
        optionalCount(parser, QStringLiteral("measure-context"), 2, kMaxMeasuredTokens);
    scenario.measureTrainedContext =
        optionalCount(parser, QStringLiteral("trained-context"), 16, kMaxContextTokens);
    scenario.measureSlidingWindow =  // the limits of `sinkscope measure --sliding-window`
        optionalCount(parser, QStringLiteral("sliding-window"), 1, kMaxMeasuredTokens);
    const QString path = parser.value(QStringLiteral("out"));
    const bool force = parser.isSet(QStringLiteral("force"));
    const bool json = QFileInfo(path).suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) == 0;
    if (!json) ui::checkReportDestination(path, force);  // fail before the work, not after
    TerminalProgress progress(QStringLiteral("report"));
    // The report reads a text only: token ids are measure's (--tokens).
    const FlagNames flags{{measure_field::kContext, QStringLiteral("--measure-context")},
                          {kTokenIdsField, QStringLiteral("with sinkscope measure --tokens")}};
    const std::function<bool()> interrupted = stopOnInterrupt();
    // Cancelled (Ctrl+C) ends the command through guarded(): exit 130, nothing written.
    const Report report = namingFlags(flags, [&] {
      return buildReport(scenario, ReportCallbacks{interrupted, [&](double f, const QString& stage) {
                                                     progress.update(f, stage);
                                                   }});
    });
    progress.finish();
    stopIfCancelled(interrupted);  // Ctrl+C after the last stage: nothing is written
    if (json) {
      const QJsonObject object = reportToJson(report);
      requireFiniteNumbers(object, path);  // never a success with nulls (docs/limits.md)
      writeFileAtomically(path, QJsonDocument(object).toJson(QJsonDocument::Indented),
                          force ? ExistingFile::Replace : ExistingFile::Refuse);
    } else
      ui::writeReport(report, path, force);
    out() << QFileInfo(path).absoluteFilePath() << Qt::endl;
    return 0;
  });
}

}  // namespace sinkscope::cli
