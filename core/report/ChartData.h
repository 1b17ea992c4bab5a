// Each chart's data as plain values (what the chart builders in ui/charts draw, what the
// report and `sinkscope chart` export as JSON), made from the planner's and probe's results.
// Not drawing and not the tabular CSV form: see ui/charts (ChartTable).
#pragma once

#include "attention/AttentionTypes.h"
#include "common/Provenance.h"
#include "planner/Plan.h"

#include <QJsonObject>
#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

struct Measurement;

// MeasuredLoss needs a GGUF run: it is in reports, not among `sinkscope chart`'s kinds.
enum class ChartKind { Heatmap, SinkCurve, Memory, Mitigations, Confidence, MeasuredLoss };
QString chartKindName(
    ChartKind kind);  // "heatmap", "sink-curve", "memory", "mitigations", "confidence", "measured-loss"
std::optional<ChartKind> chartKindFromName(const QString& name);  // one of allChartKinds()
const std::vector<ChartKind>& allChartKinds();                    // what `sinkscope chart` draws

// Memory against context: the stacked breakdown at each context, the capacity and the fit limit.
struct MemoryChartData {
  QString modelName, hardwareName;
  std::vector<MemoryPoint> curve;  // ascending contexts
  MemoryBreakdown atContext;       // the plan's breakdown at the requested context
  qint64 contextTokens = 0;
  qint64 trainedContextTokens = 0;
  qint64 capacityBytes = 0;
  FitLimit fit;
};

// The planner's confidence for each compared mitigation, with the primary one's reasons.
struct ConfidenceChartData {
  QString primaryMitigation;
  double value = 0;                       // the plan's confidence
  std::vector<ConfidenceReason> reasons;  // the plan's reasons
  qint64 contextCapTokens = 0;            // 0: no cap
  qint64 contextTokens = 0;
  qint64 trainedContextTokens = 0;
  std::vector<MitigationPlan> rows;  // the compared mitigations' rows of the plan
};

// The mitigation comparison: effective context, quality and confidence per mitigation.
struct MitigationsChartData {
  qint64 contextTokens = 0;
  qint64 trainedContextTokens = 0;
  std::vector<MitigationPlan> rows;  // rows of the plan, in the order compared
};

// The sink curve: probe metrics against context length, one series per mitigation.
struct SinkCurveSample {
  qint64 contextTokens = 0;
  RowMetrics mean;  // averaged over the sampled query rows
  RowMetrics last;  // the last query (position contextTokens - 1)
};
struct SinkCurveSeries {
  Mitigation mitigation = Mitigation::Baseline;
  std::vector<SinkCurveSample> samples;  // ascending contexts
};
// The sink curve's "effective context" view: the mitigation model's passkey-style effective
// context (planner, MitigationModel.h; modelled, not probed) of each compared mitigation,
// configured for the requested context and evaluated at each context of the curve.
struct EffectiveContextSample {
  qint64 contextTokens = 0;
  Band effectiveTokens;  // central, low, high (tokens)
};
struct EffectiveContextSeries {
  Mitigation mitigation = Mitigation::Baseline;
  double factor = 1;                            // the factor the planner applies for the requested context
  bool applicable = true;                       // false: not estimable for this model (explanation says why)
  QString explanation;                          // at the requested context
  std::vector<EffectiveContextSample> samples;  // ascending contexts; empty when not applicable
};
// Every compared mitigation, in the order compared, at each of contexts.
std::vector<EffectiveContextSeries> effectiveContextSeries(const ModelSpec& model,
                                                           const std::vector<Mitigation>& compared,
                                                           const std::vector<qint64>& contexts,
                                                           qint64 designContextTokens,
                                                           Runtime runtime = Runtime::LlamaCpp);

struct SinkCurveChartData {
  Provenance provenance = Provenance::Modelled;  // printed next to the chart
  QString modelName;
  QString modelId;          // catalogue id (reference points of this model are drawn filled)
  int layer = 0, head = 0;  // head -1: the mean over `heads`
  std::vector<int> heads;   // the heads averaged (or the one head)
  qint64 trainedContextTokens = 0;
  qint64 contextCapTokens = 0;  // the primary mitigation's cap, 0: none
  std::vector<SinkCurveSeries> series;
  std::vector<EffectiveContextSeries> effective;  // empty when not computed (the report)
  QStringList notDrawn;  // "<mitigation>: <why>" for each compared mitigation that cannot be modelled
};

// Pooled attention heatmaps of one head at the requested context, one panel per mitigation.
struct HeatmapPanel {
  Mitigation mitigation = Mitigation::Baseline;
  PooledHeatmap heatmap;
  QString verdict;  // the planner's verdict for this setting at the context (empty: not computed)
};
struct HeatmapChartData {
  Provenance provenance = Provenance::Modelled;  // printed next to the chart
  QString modelName;
  int layer = 0, head = 0;  // head -1: the mean over `heads`
  std::vector<int> heads;   // the heads averaged (or the one head)
  qint64 contextTokens = 0;
  qint64 trainedContextTokens = 0;
  std::vector<HeatmapPanel> panels;
  QStringList notDrawn;  // "<mitigation>: <why>" for each requested mitigation that cannot be modelled
  // For the compare note (HeatmapContrast.h): per panel, the last query's metrics, mean of the heads
  // (empty: not computed); the model's own window at this layer when the runtime honours it (0:
  // every key attended) and that runtime's name.
  std::vector<RowMetrics> lastQueryMetrics;
  qint64 windowTokens = 0;
  QString runtime;
};

// Measured per-position loss of a real checkpoint: one series per measured mitigation over the
// same tokens, and the in-distribution control (baseline RoPE, each query limited to the last
// trained-context keys) they are judged against (docs/measured-mode.md).
struct MeasuredLossSeries {
  Mitigation mitigation = Mitigation::Baseline;
  std::vector<float> nll;       // nats: nll[p] = -ln P(token p + 1 | tokens 0..p)
  std::vector<int> argmax;      // the most likely next token after position p
  qint64 contextCapTokens = 0;  // the loss-spike onset, or every token when none
  bool spikeDetected = false;
};
struct MeasuredLossChartData {
  Provenance provenance = Provenance::Measured;  // printed next to the chart
  QString modelName;
  qint64 trainedContextTokens = 0;
  std::vector<int> tokens;        // the token ids measured
  std::vector<float> controlNll;  // nats, the control's nll[p]
  std::vector<MeasuredLossSeries> series;
};
// From finished runs over the same tokens (the first run's control).
MeasuredLossChartData measuredLossChartData(const std::vector<const Measurement*>& runs);

struct ReportChartData {
  MemoryChartData memory;
  ConfidenceChartData confidence;
  MitigationsChartData mitigations;
  std::optional<SinkCurveChartData> sinkCurve;  // absent when the probe does not apply
  std::optional<HeatmapChartData> heatmaps;
  std::optional<MeasuredLossChartData> measuredLoss;  // present with a measured run
};

// From the plan (the same object `plan --json` prints) for the compared mitigations.
MemoryChartData memoryChartData(const ModelSpec& model, const HardwareSpec& hardware,
                                const PlanRequest& request, const Plan& plan, int points = 200);
ConfidenceChartData confidenceChartData(const Plan& plan, const std::vector<Mitigation>& compared);
MitigationsChartData mitigationsChartData(const Plan& plan, const std::vector<Mitigation>& compared);
// The plan's row for a mitigation, or nullptr when the plan has none (it does not apply).
const MitigationPlan* planRow(const Plan& plan, Mitigation mitigation);

QJsonObject chartDataToJson(const MemoryChartData& data);
QJsonObject chartDataToJson(const ConfidenceChartData& data);
QJsonObject chartDataToJson(const MitigationsChartData& data);
QJsonObject chartDataToJson(const SinkCurveChartData& data);  // "effective" only when computed
QJsonObject chartDataToJson(const HeatmapChartData& data);
QJsonObject chartDataToJson(const MeasuredLossChartData& data);
QJsonObject chartDataToJson(const ReportChartData& data);  // {"memory": ..., "confidence": ..., ...}

}  // namespace sinkscope
