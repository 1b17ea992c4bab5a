#include "charts/MitigationCharts.h"

#include "Units.h"
#include "charts/ChartHelpers.h"
#include "common/NumberFormat.h"
#include "scenario/Explanations.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace sinkscope::ui {

ChartBuilder effectiveContextBuilder(std::shared_ptr<const MitigationsData> data) {
  return [data](QCustomPlot& plot, const ChartTheme& theme) {
    const auto& rows = data->planner.plan.mitigations;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    auto* bars = new QCPBars(plot.yAxis, plot.xAxis);
    bars->setName(QObject::tr("effective context"));
    bars->setWidth(0.6);
    bars->setPen(Qt::NoPen);
    bars->setBrush(theme.seriesColor(1));
    auto* errors = new QCPErrorBars(plot.yAxis, plot.xAxis);
    errors->setErrorType(QCPErrorBars::etValueError);  // the band runs along the value (token) axis
    errors->setPen(QPen(theme.foreground, 1.2));
    QVector<double> keys, values, low, high;
    double maxValue = double(data->planner.plan.contextTokens);
    double minValue = 256;  // the axis starts at a power of two below the smallest band edge
    for (const MitigationPlan& row : rows)
      if (row.estimate.applicable)
        minValue = std::min(minValue, std::max(1.0, row.estimate.effectiveContext.low));
    const double axisStart = std::max(1.0, std::exp2(std::floor(std::log2(minValue)) - 1));
    for (size_t i = 0; i < rows.size(); ++i) {
      const Band& b = rows[i].estimate.effectiveContext;
      ticker->addTick(double(i + 1), mitigationTitle(rows[i].mitigation));
      if (!rows[i].estimate.applicable) continue;  // no estimate: no bar (its label says n/a)
      keys << double(i + 1);
      values << std::max(1.0, b.central);
      low << std::max(0.0, b.central - b.low);
      high << std::max(0.0, b.high - b.central);
      maxValue = std::max(maxValue, b.high);
    }
    bars->setData(keys, values);
    errors->setDataPlottable(bars);
    errors->setData(low, high);
    bars->setBaseValue(axisStart);
    plot.yAxis->setTicker(ticker);
    // Room above the first bar for the two marker labels (requested, trained), so that no bar's
    // value label runs into them: headroom rows of the estimated pitch, at least kLabelPixels.
    constexpr double kLabelPixels = 34, kAxesPixels = 70;
    const double axisPixels = std::max(double(plot.height()) - kAxesPixels, 2 * kLabelPixels);
    const double headroom = kLabelPixels * double(rows.size()) / (axisPixels - kLabelPixels);
    plot.yAxis->setRange(0.4 - headroom, double(rows.size()) + 0.6);
    plot.yAxis->setRangeReversed(true);
    plot.yAxis->grid()->setVisible(false);
    setTokenLogAxis(*plot.xAxis, axisStart, std::max(maxValue * 2, 65536.0),
                    QObject::tr("effective context (tokens)"));
    theme.apply(plot);
    for (size_t i = 0; i < rows.size(); ++i) {  // the central value beside each bar: tiny bars stay readable
      auto* label = new QCPItemText(&plot);
      label->setClipToAxisRect(false);
      label->position->setAxes(plot.xAxis, plot.yAxis);
      const bool applicable = rows[i].estimate.applicable;
      label->position->setCoords(
          applicable ? std::max(axisStart, rows[i].estimate.effectiveContext.high) : axisStart,
          double(i + 1));
      label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
      label->setPadding(QMargins(6, 0, 0, 0));
      label->setText(applicable ? formatTokensShort(std::max(0.0, rows[i].estimate.effectiveContext.central))
                                : QObject::tr("n/a (no estimate)"));
      label->setColor(theme.foreground);
      label->setFont(theme.font);
    }
    addVerticalMarker(
        plot, plot.axisRect(), double(data->planner.plan.contextTokens),
        QObject::tr("requested %1").arg(formatTokensShort(double(data->planner.plan.contextTokens))),
        theme.foreground, Qt::SolidLine, 0);
    addVerticalMarker(
        plot, plot.axisRect(), double(data->planner.plan.trainedContextTokens),
        QObject::tr("trained %1").arg(formatTokensShort(double(data->planner.plan.trainedContextTokens))),
        theme.reference, Qt::DotLine, 1);
  };
}

namespace {

// A figure of a row, or "n/a" where the mitigation cannot be estimated (LongRoPE without its factors).
QVariant applicableOr(const MitigationPlan& row, const QVariant& value) {
  return row.estimate.applicable ? value : QVariant(notApplicableText());
}

}  // namespace

ChartTable effectiveContextTable(const MitigationsData& data) {
  ChartTable table;
  table.title = QObject::tr("Mitigation comparison");
  table.columns = {QObject::tr("mitigation"),
                   QObject::tr("factor"),
                   QObject::tr("training context (tokens)"),
                   QObject::tr("inference context (tokens)"),
                   QObject::tr("effective context (tokens)"),
                   QObject::tr("effective low (tokens)"),
                   QObject::tr("effective high (tokens)"),
                   QObject::tr("verdict at inference context"),
                   QObject::tr("quality retention (share)"),
                   QObject::tr("confidence (0-1)"),
                   QObject::tr("KV cache (bytes)"),
                   QObject::tr("context_cap (tokens)")};
  const Plan& plan = data.planner.plan;
  for (const MitigationPlan& row : plan.mitigations)
    table.addRow(
        {mitigationName(row.mitigation), row.factor, plan.trainedContextTokens, plan.contextTokens,
         applicableOr(row, row.effectiveContext), applicableOr(row, row.estimate.effectiveContext.low),
         applicableOr(row, row.estimate.effectiveContext.high), verdictName(row.estimate.verdict.kind),
         row.qualityRetention ? QVariant(*row.qualityRetention) : QVariant(), row.confidence.value,
         row.kvBytes, capCell(row.contextCap)});
  return table;
}

}  // namespace sinkscope::ui
