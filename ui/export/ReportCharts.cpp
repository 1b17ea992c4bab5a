#include "export/ReportCharts.h"

#include "attention/ModelledAttention.h"
#include "charts/AttentionCharts.h"
#include "charts/MeasuredCharts.h"
#include "charts/MitigationCharts.h"
#include "charts/PlannerCharts.h"

#include <QJsonArray>

namespace sinkscope::ui {

namespace {

// The Planner tab's data for the report's scenario: the same plan, the same compared mitigations.
std::shared_ptr<const PlannerData> plannerData(const Report& report) {
  auto data = std::make_shared<PlannerData>();
  data->plan = report.plan;
  data->compared = report.scenario.mitigations;
  for (Mitigation mitigation : data->compared)
    data->comparedMemory.push_back(
        memoryModelFor(report.model, report.hardware, report.planRequest, mitigation)
            .at(report.plan.contextTokens));
  data->curve = report.charts.memory.curve;
  data->modelName = report.charts.memory.modelName;
  data->hardwareName = report.charts.memory.hardwareName;
  return data;
}

std::shared_ptr<const MitigationsData> mitigationsData(const Report& report) {
  auto data = std::make_shared<MitigationsData>();
  data->planner = *plannerData(report);
  data->document = report.plan.sourceDocument;
  return data;
}

// ", layer 31 (the last), mean over 4 query heads (0, 8, 16, 24)": which attention a chart
// shows (docs/modelled-attention.md, Mean over heads); empty when the chart names no heads.
QString attentionTarget(const Report& report, int layer, const std::vector<int>& heads) {
  if (heads.empty()) return QString();
  return QStringLiteral(", ") + probeTargetText(report.model, layer, heads);
}

// The end of an attention chart's caption (sink curve or heatmaps): which attention, then its
// provenance; " (modelled)" when the report has no such chart.
template <typename AttentionChart>
QString attentionCaptionEnd(const Report& report, const AttentionChart& chart) {
  return QStringLiteral("%1 (%2)").arg(
      chart ? attentionTarget(report, chart->layer, chart->heads) : QString(),
      provenanceName(chart ? chart->provenance : Provenance::Modelled));
}

}  // namespace

std::optional<ChartBuilder> chartBuilderFor(const Report& report, ChartKind kind) {
  const ReportChartData& data = report.charts;
  switch (kind) {
    case ChartKind::Memory:
      return memoryCurveBuilder(plannerData(report));
    case ChartKind::Confidence:
      return confidenceBuilder(plannerData(report));
    case ChartKind::Mitigations:
      return effectiveContextBuilder(mitigationsData(report));
    case ChartKind::SinkCurve:
      if (data.sinkCurve)
        return sinkCurveBuilder(std::make_shared<const SinkCurveChartData>(*data.sinkCurve),
                                SinkMetric::SinkMass1);
      return std::nullopt;
    case ChartKind::Heatmap:
      if (data.heatmaps)
        return heatmapBuilder(std::make_shared<const HeatmapChartData>(*data.heatmaps), HeatmapStyle{},
                              false);
      return std::nullopt;
    case ChartKind::MeasuredLoss:
      if (data.measuredLoss)
        return measuredLossBuilder(std::make_shared<const MeasuredLossChartData>(*data.measuredLoss));
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<ChartTable> chartTableFor(const Report& report, ChartKind kind) {
  const ReportChartData& data = report.charts;
  switch (kind) {
    case ChartKind::Memory:
      return memoryCurveTable(*plannerData(report));
    case ChartKind::Confidence:
      return confidenceTable(*plannerData(report));
    case ChartKind::Mitigations:
      return effectiveContextTable(*mitigationsData(report));
    case ChartKind::SinkCurve:
      if (data.sinkCurve) return sinkCurveTable(*data.sinkCurve);
      return std::nullopt;
    case ChartKind::Heatmap:
      if (data.heatmaps) return heatmapTable(*data.heatmaps);
      return std::nullopt;
    case ChartKind::MeasuredLoss:
      if (data.measuredLoss) return measuredLossTable(*data.measuredLoss);
      return std::nullopt;
  }
  return std::nullopt;
}

QSize defaultChartSize(const Report& report, ChartKind kind, int width) {
  switch (kind) {
    case ChartKind::Confidence:
      return {width, 110 + 38 * int(std::max<size_t>(1, report.charts.confidence.rows.size()))};
    case ChartKind::Heatmap:
      return {width, int(width * 0.5)};
    default:
      return {width, int(width * 0.56)};
  }
}

QString chartCaption(const Report& report, ChartKind kind) {
  const QString model = report.charts.memory.modelName, hardware = report.charts.memory.hardwareName;
  switch (kind) {
    case ChartKind::Memory:
      return QStringLiteral(
                 "Memory against context: %1 on %2, stacked by component, with the usable capacity "
                 "(modelled)")
          .arg(model, hardware);
    case ChartKind::Confidence:
      return QStringLiteral("Planner confidence per compared mitigation at %1 (modelled)")
          .arg(tokensText(report.plan.contextTokens));
    case ChartKind::Mitigations:
      return QStringLiteral("Effective context per mitigation (modelled)");
    case ChartKind::SinkCurve:
      return QStringLiteral("Sink curve against context length") +
             attentionCaptionEnd(report, report.charts.sinkCurve);
    case ChartKind::Heatmap:
      return QStringLiteral("Attention heatmaps, baseline and mitigation side by side") +
             attentionCaptionEnd(report, report.charts.heatmaps);
    case ChartKind::MeasuredLoss:
      return QStringLiteral(
                 "Per-position loss of %1 against the window control, running mean of %2 tokens, with the "
                 "trained context and any detected context_cap (%3)")
          .arg(report.charts.measuredLoss ? report.charts.measuredLoss->modelName : QString())
          .arg(kLossSmoothingTokens)
          .arg(provenanceName(Provenance::Measured));
  }
  return QString();
}

ChartHeading chartHeadingFor(const Report& report, ChartKind kind) {
  const QString caption = QStringLiteral("%1 · %2 · context %3 tokens (trained %4) · SinkScope %5")
                              .arg(report.model.displayName, report.hardware.displayName,
                                   tokensFull(report.scenario.contextTokens),
                                   tokensFull(report.model.trainedContext), report.version);
  return ChartHeading{chartCaption(report, kind), QString(), caption};
}

QJsonObject chartTableToJson(const ChartTable& table) {
  QJsonArray rows;
  for (const auto& row : table.rows) {
    QJsonArray cells;
    for (const QVariant& cell : row)
      cells.append(cell.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue::fromVariant(cell));
    rows.append(cells);
  }
  return QJsonObject{{QStringLiteral("title"), table.title},
                     {QStringLiteral("columns"), QJsonArray::fromStringList(table.columns)},
                     {QStringLiteral("rows"), rows}};
}

}  // namespace sinkscope::ui
