// The report's measured results: runs a GGUF checkpoint over a text for each compared mitigation
// measured mode can run (core/inference Measurement, exactly as `sinkscope measure`), or takes
// runs the window already finished, and lays out the "Measured results" section.
#include "common/Error.h"
#include "inference/MeasureInput.h"
#include "inference/Measurement.h"
#include "measure/MeasureSession.h"
#include "report/ReportSections.h"

#include <QFileInfo>
#include <cmath>

namespace sinkscope {

namespace {

QString textNameFor(const QString& textPath) {
  if (textPath.isEmpty() || textPath == kSampleTextPath)
    return QStringLiteral("%1 (bundled sample)").arg(QFileInfo(kSampleTextPath).fileName());
  return QFileInfo(textPath).fileName();
}

// Runs the checkpoint once per compared mitigation, in the one measured session (core/measure);
// throws Cancelled when asked to stop.
void runMeasurements(const ReportScenario& scenario, ReportMeasured& measured,
                     const ReportCallbacks& callbacks) {
  MeasureInput input;
  input.ggufPath = scenario.ggufPath;
  input.textPath = scenario.textPath;
  input.contextTokens = scenario.measureContextTokens;
  input.trainedContext = scenario.measureTrainedContext;
  const MeasureSession session(input);
  MeasureSettings settings;
  settings.isCancelled = callbacks.isCancelled;
  settings.configSlidingWindow = scenario.measureSlidingWindow;
  MeasuredRuns runs =
      session.runEach(scenario.mitigations, settings, [&callbacks](const MeasureProgress& progress) {
        if (callbacks.progress)
          callbacks.progress(0.9 + 0.08 * progress.fraction, QStringLiteral("measured, ") + progress.text());
      });
  measured.runs = std::move(runs.runs);
  measured.notMeasured = std::move(runs.notMeasured);
}

QString nats(double value) {
  return QString::number(value, 'f', 4);
}
QString perplexity(double meanNll) {
  return QString::number(std::exp(meanNll), 'f', 3);
}

double meanOver(const std::vector<float>& values, qint64 from, qint64 to) {
  double sum = 0;
  qint64 count = 0;
  for (qint64 p = std::max<qint64>(0, from); p < to && p < qint64(values.size()); ++p, ++count)
    sum += values[size_t(p)];
  return count > 0 ? sum / double(count) : std::nan("");
}

QString kvText(const Measurement& m) {
  switch (m.kvPolicy.kind) {
    case KvPolicy::Kind::Full:
      return QStringLiteral("full cache");
    case KvPolicy::Kind::Window:
      return QStringLiteral("window of %1").arg(m.kvPolicy.windowTokens);
    case KvPolicy::Kind::SinksAndWindow:
      return QStringLiteral("%1 sinks + window of %2")
          .arg(m.kvPolicy.sinkTokens)
          .arg(m.kvPolicy.windowTokens);
  }
  return QString();
}

ReportTable lossTable(const ReportMeasured& measured) {
  const Measurement& first = *measured.runs.front();
  const qint64 trained = first.trainedContext;
  ReportTable t{
      QStringLiteral("Mean loss before and after the trained context (measured)"),
      {QStringLiteral("Run"), QStringLiteral("NLL before (nats)"), QStringLiteral("Perplexity before"),
       QStringLiteral("NLL after (nats)"), QStringLiteral("Perplexity after"),
       QStringLiteral("context_cap (tokens)"), QStringLiteral("Effective (tokens)")},
      {},
      QStringLiteral(
          "Before: positions 0 to %1; after: positions %2 and later (a position predicts the next "
          "token). Perplexity = exp(mean NLL). context_cap: where the loss in excess of the window "
          "control starts a sustained rise (CUSUM, docs/measured-mode.md), or every token when it "
          "never does.")
          .arg(trained - 1)
          .arg(trained)};
  for (const auto& run : measured.runs) {
    const Measurement& m = *run;
    const bool beyond = m.positionsBeyond > 0;
    const bool scales =
        m.schedule.ropeType != QLatin1String("default") && m.mitigation != Mitigation::Baseline;
    const QString label =
        scales ? QStringLiteral("%1 (s = %2, %3)")
                     .arg(mitigationName(m.mitigation), QString::number(m.factor, 'g', 4), kvText(m))
               : QStringLiteral("%1 (%2)").arg(mitigationName(m.mitigation), kvText(m));
    t.rows.push_back(
        {label, nats(m.meanNllInside), perplexity(m.meanNllInside),
         beyond ? nats(m.meanNllBeyond) : QStringLiteral("none"),
         beyond ? perplexity(m.meanNllBeyond) : QStringLiteral("none"),
         QStringLiteral("%1%2").arg(tokensFull(m.contextCap),
                                    m.lossSpike.detected ? QStringLiteral(" (loss spike)") : QString()),
         tokensFull(m.effectiveContext)});
  }
  const double inside = meanOver(first.controlNll, 0, trained),
               after = meanOver(first.controlNll, trained, qint64(first.controlNll.size()));
  t.rows.push_back({QStringLiteral("window control (baseline RoPE, last %1 keys)").arg(trained), nats(inside),
                    perplexity(inside), std::isnan(after) ? QStringLiteral("none") : nats(after),
                    std::isnan(after) ? QStringLiteral("none") : perplexity(after), QStringLiteral("n/a"),
                    QStringLiteral("n/a")});
  return t;
}

ReportTable sinkTable(const ReportMeasured& measured) {
  ReportTable t{
      QStringLiteral("Attention sink metrics per layer (measured, mean over heads)"),
      {QStringLiteral("Layer"), QStringLiteral("Run"), QStringLiteral("S₁ (share on token 0)"),
       QStringLiteral("Largest head S₁"), QStringLiteral("S₄ (share on tokens 0-3)"),
       QStringLiteral("Normalised entropy"), QStringLiteral("Sink heads")},
      {},
      QStringLiteral(
          "Means over queries of each head, then over the layer's heads (docs/references.md section 5). "
          "A sink head has mean S₁ (α₁) above %1 (Gu et al. 2024).")
          .arg(kSinkRateEpsilon)};
  const int layers = measured.runs.front()->hyper.layers;
  for (int layer = 0; layer < layers; ++layer)
    for (const auto& run : measured.runs) {
      double s1 = 0, s4 = 0, entropy = 0, largest = 0;
      int heads = 0, sinks = 0;
      for (const HeadAttentionMetrics& h : run->forward.heads) {
        if (h.layer != layer) continue;
        s1 += h.meanSinkMass1;
        s4 += h.meanSinkMass4;
        entropy += h.meanNormalizedEntropy;
        largest = std::max(largest, h.meanSinkMass1);
        sinks += h.meanSinkMass1 > kSinkRateEpsilon ? 1 : 0;
        ++heads;
      }
      if (heads == 0) continue;
      t.rows.push_back({QString::number(layer), mitigationName(run->mitigation), nats(s1 / heads),
                        nats(largest), nats(s4 / heads), nats(entropy / heads),
                        QStringLiteral("%1 of %2").arg(sinks).arg(heads)});
    }
  return t;
}

}  // namespace

QString ReportMeasured::commandFor(const Measurement& run) const {
  const QString text = textName.endsWith(QLatin1String("(bundled sample)")) ? kSampleTextPath : textName;
  QString command = QStringLiteral("sinkscope measure --gguf %1 --text %2 --context %3")
                        .arg(checkpointFile, text)
                        .arg(run.tokens.size());
  if (run.trainedContext != run.hyper.contextLength)
    command += QStringLiteral(" --trained-context %1").arg(run.trainedContext);
  if (run.configSlidingWindow > 0)
    command += QStringLiteral(" --sliding-window %1").arg(run.configSlidingWindow);
  return command + QStringLiteral(" --mitigation %1 --json").arg(mitigationName(run.mitigation));
}

void addMeasurements(Report& report, const ReportCallbacks& callbacks) {
  const ReportScenario& scenario = report.scenario;
  if (scenario.ggufPath.isEmpty() && scenario.finishedMeasurements.empty()) return;
  ReportMeasured measured;
  measured.checkpointFile = QFileInfo(scenario.ggufPath).fileName();
  measured.textName = textNameFor(scenario.textPath);
  if (!scenario.finishedMeasurements.empty()) {
    measured.runs = scenario.finishedMeasurements;
    measured.notMeasured = scenario.finishedNotMeasured;
    if (measured.checkpointFile.isEmpty())
      measured.checkpointFile = QFileInfo(measured.runs.front()->ggufPath).fileName();
  } else {
    runMeasurements(scenario, measured, callbacks);
  }
  if (!measured.runs.empty()) {
    std::vector<const Measurement*> runs;
    for (const auto& run : measured.runs) runs.push_back(run.get());
    report.charts.measuredLoss = measuredLossChartData(runs);
  }
  report.measured = std::move(measured);
}

ReportSection measuredSection(const Report& r) {
  ReportSection s{QStringLiteral("measured"), QStringLiteral("Measured results"), {}, {}, {}, {}, {}};
  if (!r.measured || r.measured->runs.empty()) {
    s.paragraphs << QStringLiteral(
        "Nothing was measured for this report, so every figure above is modelled. Measured results "
        "need a GGUF checkpoint of a Llama-family model: give one to the report command, or finish a "
        "run in the window's Measured tab before File → Export report.");
    if (r.measured)
      for (const QString& why : r.measured->notMeasured)
        s.bullets << QStringLiteral("Not measured: %1").arg(why);
    return s;
  }
  const ReportMeasured& measured = *r.measured;
  const Measurement& first = *measured.runs.front();
  QStringList names, sinkRates, commands;
  for (const auto& run : measured.runs) {
    names << mitigationName(run->mitigation);
    const int heads = int(run->forward.heads.size());
    const int sinks = int(std::lround(run->forward.sinkRate() * heads));
    sinkRates << QStringLiteral("%1 %2 (%3 of %4 heads)")
                     .arg(mitigationName(run->mitigation), QString::number(run->forward.sinkRate(), 'f', 2))
                     .arg(sinks)
                     .arg(heads);
    commands << measured.commandFor(*run);
  }
  s.paragraphs << QStringLiteral(
                      "Measured, not modelled: the real checkpoint %1 (%2) run on the CPU over %3 tokens of "
                      "%4, once per mitigation (%5), each judged against the in-distribution window control. "
                      "These numbers describe that checkpoint, not %6.")
                      .arg(measured.checkpointFile, first.modelName)
                      .arg(first.tokens.size())
                      .arg(measured.textName, names.join(QStringLiteral(", ")), r.charts.memory.modelName);
  s.keyValues = {
      {QStringLiteral("Checkpoint"), QStringLiteral("%1 (%2, %3 layers × %4 heads)")
                                         .arg(measured.checkpointFile, first.hyper.architecture)
                                         .arg(first.hyper.layers)
                                         .arg(first.hyper.heads)},
      {QStringLiteral("Text"), measured.textName},
      {QStringLiteral("Tokens measured"), QString::number(first.tokens.size())},
      {QStringLiteral("Trained context"),
       QStringLiteral("%1 tokens (from %2)").arg(first.trainedContext).arg(first.trainedContextSource)},
      {QStringLiteral("Threads"), QString::number(first.threads)},
      {QStringLiteral("Mitigations measured"), names.join(QStringLiteral(", "))},
      {QStringLiteral("Sink rate (share of heads with α₁ > %1)").arg(kSinkRateEpsilon),
       sinkRates.join(QStringLiteral("; "))},
      {QStringLiteral("Reproduce"), commands.join(QLatin1Char('\n'))}};
  s.charts.push_back(ChartKind::MeasuredLoss);
  s.tables = {lossTable(measured), sinkTable(measured)};
  for (const QString& why : measured.notMeasured) s.bullets << QStringLiteral("Not measured: %1").arg(why);
  return s;
}

}  // namespace sinkscope
