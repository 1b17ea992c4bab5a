// Measured mode end to end: a GGUF model, token ids and a mitigation in; per-position loss,
// attention metrics, context_cap and their JSON form out (labelled "measured"). Not the CLI.
#pragma once

#include "inference/ForwardPass.h"
#include "inference/LlamaModel.h"
#include "inference/LossSpike.h"
#include "positional/Mitigation.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sinkscope {

// Largest number of tokens measured in one run (time grows as N^2; documented in docs/measured-mode.md).
inline constexpr qint64 kMaxMeasuredTokens = 32768;

struct MeasureSettings {
  Mitigation mitigation = Mitigation::Baseline;
  std::optional<double> factor;          // s; default max(1, tokens / trained context)
  std::optional<qint64> trainedContext;  // overrides the GGUF's context_length
  QString trainedContextSource =
      QStringLiteral("the given trained context");  // where that override came from
  int sinkTokens = 4;                               // streaming
  std::optional<qint64> windowTokens;  // window-only: default trained; streaming: trained - sinks
  // The config's sliding window on every layer llama.cpp runs in full (vLLM's reading); none: as llama.cpp.
  std::optional<qint64> configSlidingWindow;
  std::vector<qint64> heatmapRows;  // default: defaultHeatmapRows
  LossSpikeSettings lossSpike;
  // The in-distribution control of an earlier run over the same tokens and trained context: it
  // does not depend on the mitigation, so measureEach computes it once. Empty: computed here.
  std::shared_ptr<const std::vector<float>> knownControlNll;
  std::function<bool()> isCancelled;     // polled between blocks; a cancelled run throws Cancelled
  std::function<void(double)> progress;  // 0..1 over every forward pass of the call
};

struct Measurement {
  QString modelName;
  QString ggufPath;
  LlamaHyperparameters hyper;
  qint64 trainedContext = 0;
  QString trainedContextSource;  // who gave it (MeasureSession: the override, the catalogue, or the GGUF key)
  Mitigation mitigation = Mitigation::Baseline;
  double factor = 1.0;
  KvPolicy kvPolicy;
  qint64 configSlidingWindow = 0;  // tokens, 0 when the run follows llama.cpp's windows only
  RopeSchedule schedule;
  std::vector<int> tokens;
  ForwardResult forward;
  std::vector<float> controlNll;  // the in-distribution control's nll (docs/measured-mode.md)
  LossSpike lossSpike;
  qint64 contextCap = 0;        // tokens: the loss-spike onset, or the whole text when none
  qint64 effectiveContext = 0;  // min(contextCap, tokens the cache lets a query see)
  double meanNllInside = 0;     // positions p < trainedContext (nats)
  double meanNllBeyond = 0;     // positions p >= trainedContext (0 when none)
  qint64 positionsBeyond = 0;
  int threads = 1;  // OpenMP threads the forward pass could use
};

// Runs the measurement. tokens must be within the vocabulary and at most kMaxMeasuredTokens;
// Error(BadInput) with field "tokens" or "window_tokens" otherwise; Error(Usage) with field
// kMitigationField for `llama3` on a file that already carries it. Throws Cancelled on request.
Measurement measure(const LlamaModel& model, const QString& ggufPath, const QString& modelName,
                    std::vector<int> tokens, const MeasureSettings& settings);

// Why measured mode cannot run a mitigation on a GGUF (ALiBi, LongRoPE), or empty when it can.
QString whyNotMeasurable(Mitigation mitigation);
// The same for one model: also `llama3` on a file whose rope_freqs.weight already carries Llama-3
// scaling, which every run applies once, as llama.cpp does (docs/measured-mode.md).
QString whyNotMeasurable(Mitigation mitigation, const LlamaModel& model);
// The field of the Error(Usage) measure() throws for a mitigation the model cannot run twice.
inline const QString kMitigationField = QStringLiteral("mitigation");

// The query rows a measurement pools by default: 63 and L0/2 − 1 inside the trained context L0,
// then the last row of every doubling of it (L0 − 1, 2·L0 − 1, 4·L0 − 1, ...) and the last token,
// so a long text shows how attention changes at each doubling past L0, not only at its end.
std::vector<qint64> defaultHeatmapRows(qint64 tokens, qint64 trainedContext);

// One checkpoint over the same tokens, once per mitigation (the report's and the Measured tab's runs).
struct MeasuredRuns {
  std::vector<std::shared_ptr<const Measurement>> runs;  // one per measurable mitigation, in the order asked
  QStringList notMeasured;                               // "alibi: <why>" for the others
  QStringList fileNotes;  // what was opened (describeGguf, GgufSummary.h), set by callers that show it
};

// Forward passes measure() makes with these settings over `tokens` tokens: 1, plus 1 for the
// in-distribution control unless it is known or the measured run is the control itself.
int measurePasses(const MeasureSettings& settings, qint64 tokens, qint64 trainedContext);
// Forward passes measureEach makes: the first measurable run's passes, then 1 for each other.
int measureEachPasses(const MeasureSettings& settings, const std::vector<Mitigation>& mitigations,
                      qint64 tokens, qint64 trainedContext);

// Runs measure() for each mitigation in turn (settings.mitigation is ignored); settings.progress
// receives the overall fraction, split over the runs by their forward passes. Cancellation is
// checked between the runs and within each, and throws Cancelled; errors propagate.
MeasuredRuns measureEach(const LlamaModel& model, const QString& ggufPath, const QString& modelName,
                         const std::vector<int>& tokens, const std::vector<Mitigation>& mitigations,
                         const MeasureSettings& settings);

// The JSON's "sliding_window": which windows the run applied, the architecture's own sliding layers
// (as llama.cpp runs the file) and, in "config" mode, the config's window on every other layer (as vLLM).
QJsonObject slidingWindowJson(const Measurement& measurement);

// docs/design.md's measure --json object (plus documented extra fields). With includeHeatmaps, a
// "heatmaps" array holds every (layer, head)'s pooled rows.
QJsonObject measurementToJson(const Measurement& measurement, bool includeHeatmaps = false);

}  // namespace sinkscope
