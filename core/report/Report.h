// The capacity report as data: scenario, the plan (the very object `plan --json` serialises),
// each chart's data, and sections of key-value tables, tables, notes and sources; its JSON form.
// Not its layout: the PDF/HTML writers (ui/export) and the chart builders (ui/charts) draw it.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "common/NumberFormat.h"  // the text of every number the report prints
#include "planner/Plan.h"
#include "positional/Mitigation.h"
#include "report/ChartData.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

namespace sinkscope {

struct Measurement;

// What the user asked for. The defaults are docs/design.md's default scenario (the source
// document's worked example: Mistral 7B at 32K on an H100 80 GB, baseline vs NTK).
struct ReportScenario {
  QString model = QStringLiteral("mistral-7b-v0.1");   // catalogue id, config.json or .gguf
  QString hardware = QStringLiteral("h100-sxm-80gb");  // catalogue id or hardware JSON
  qint64 contextTokens = 32768;
  std::vector<Mitigation> mitigations{Mitigation::Baseline, Mitigation::Ntk};  // compared, in order
  Runtime runtime = Runtime::LlamaCpp;  // the engine; decides whether a sliding window is honoured
  bool mitigationsDefaulted =
      false;            // true: nobody chose them; a model without RoPE compares baseline, streaming
  int gpusPerNode = 1;  // several GPUs: plan --gpus
  int nodes = 1;        // plan --nodes
  // A measured run (optional), as `sinkscope measure` takes it, for each compared mitigation
  // measured mode can run:
  QString ggufPath;                             // a GGUF checkpoint; empty: nothing measured
  QString textPath;                             // the text it reads; empty: the bundled sample
  std::optional<qint64> measureContextTokens;   // the first N tokens (default: the whole text)
  std::optional<qint64> measureTrainedContext;  // overrides the GGUF's context_length
  std::optional<qint64>
      measureSlidingWindow;  // the config's window on every full layer (measure --sliding-window)
  // Or runs already finished (the window's Measured tab): reported as they are, never re-run.
  std::vector<std::shared_ptr<const Measurement>> finishedMeasurements;
  QStringList finishedNotMeasured;  // with them: "alibi: <why>" for compared mitigations not run
};

// The measured runs a report shows. Names only: the user's folders never appear in a report.
struct ReportMeasured {
  QString checkpointFile;  // "stories260K.gguf"
  QString textName;        // "simple-stories.txt (bundled sample)" or the text's file name
  std::vector<std::shared_ptr<const Measurement>> runs;  // one per measured mitigation, in the compared order
  QStringList notMeasured;  // "alibi: <why>" for compared mitigations measured mode cannot run
  QString commandFor(const Measurement& run) const;  // the `sinkscope measure` line that reproduces a run
};

// The first compared mitigation that is not baseline, else baseline (the charts' primary series).
// The plan itself is made for what a person would run (Plan::mitigationChoice).
Mitigation primaryMitigation(const ReportScenario& scenario);

struct ReportKeyValue {
  QString key;    // "KV cache per token"
  QString value;  // "131072 B", with its unit
};

struct ReportTable {
  QString title;
  QStringList columns;            // with units: "KV cache (GiB)"
  std::vector<QStringList> rows;  // one string per column; '\n' separates lines within a cell
  QString note;                   // a caption under the table (may be empty)
};

struct ReportSection {
  QString id;     // stable: "scenario", "specifications", "memory", ...
  QString title;  // "Memory plan"
  QStringList paragraphs;
  std::vector<ReportKeyValue> keyValues;
  std::vector<ReportTable> tables;
  std::vector<ChartKind> charts;  // drawn after the paragraphs, before the tables
  QStringList bullets;            // reasons, notes
};

struct Report {
  QString title;
  QString version;  // SinkScope's
  QDateTime generatedUtc;
  ReportScenario scenario;
  ModelSpec model;
  HardwareSpec hardware;
  PlanRequest planRequest;
  Plan plan;               // `sinkscope plan ... --mitigation <primary> --json` for the same scenario
  QString planCommand;     // that command line, to reproduce the numbers
  ReportChartData charts;  // every chart's data
  std::optional<ReportMeasured> measured;  // present when a GGUF run was made or given
  std::vector<ReportSection> sections;
  QStringList sources;

  const ReportSection* section(const QString& id) const;
};

// Whether a section belongs after the sources, in the appendix (the literature tables).
bool isAppendixSection(const ReportSection& section);

struct ReportCallbacks {
  std::function<bool()> isCancelled;
  std::function<void(double fraction, const QString& stage)> progress;
};

// Resolves the model and hardware, runs the planner (and the modelled probe and, when a GGUF
// is given, measured mode for each compared mitigation it can run) and lays the results out
// as sections. Throws Error naming the
// field (BadInput for a bad file or impossible value). Throws Cancelled (common/Cancelled.h) when
// callbacks.isCancelled says stop. includeAttention false skips the probe (for a single plan chart).
Report buildReport(const ReportScenario& scenario, const ReportCallbacks& callbacks = {},
                   const QDateTime& now = QDateTime::currentDateTimeUtc(), bool includeAttention = true);

// The report as one JSON object: scenario, version, generated_utc, "plan" (exactly planToJson),
// "charts" (each chart's data) and "sections".
QJsonObject reportToJson(const Report& report);

}  // namespace sinkscope
