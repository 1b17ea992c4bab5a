#include "charts/MitigationsChart.h"

#include "Units.h"
#include "charts/ChartHelpers.h"

#include <qcustomplot.h>

namespace sinkscope::ui {

ChartBuilder mitigationsChart(MitigationsChartData data) {
  return [data = std::move(data)](QCustomPlot& plot, const ChartTheme& theme) {
    QCPAxisRect* rect = plot.axisRect();
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    auto* bars = new QCPBars(plot.xAxis, plot.yAxis);
    bars->setName(QStringLiteral("effective context"));
    bars->setWidth(0.6);
    QColor fill = theme.seriesColor(1);
    bars->setPen(QPen(fill.darker(130), 1));
    fill.setAlpha(200);
    bars->setBrush(fill);
    double top = double(std::max(data.contextTokens, data.trainedContextTokens));
    for (size_t i = 0; i < data.rows.size(); ++i) {
      const MitigationPlan& row = data.rows[i];
      ticker->addTick(double(i + 1), mitigationName(row.mitigation));
      bars->addData(double(i + 1), double(row.effectiveContext));
      top = std::max(top, double(row.effectiveContext));
    }
    plot.xAxis->setTicker(ticker);
    plot.xAxis->setRange(0.4, double(data.rows.size()) + 0.6);
    plot.xAxis->setLabel(QStringLiteral("mitigation"));
    plot.yAxis->setLabel(QStringLiteral("effective context (tokens)"));
    plot.yAxis->setRange(0, top * 1.22);
    theme.apply(plot);
    plot.xAxis->grid()->setVisible(false);
    addHorizontalMarker(plot, rect, double(data.contextTokens),
                        QStringLiteral("requested %1").arg(formatTokensShort(double(data.contextTokens))),
                        theme.foreground, Qt::SolidLine);
    addHorizontalMarker(plot, rect, double(data.trainedContextTokens),
                        QStringLiteral("trained %1").arg(formatTokensShort(double(data.trainedContextTokens))),
                        theme.reference, Qt::DashLine);
    for (size_t i = 0; i < data.rows.size(); ++i) {
      const MitigationPlan& row = data.rows[i];
      auto* label = new QCPItemText(&plot);
      label->setClipAxisRect(rect);
      label->position->setCoords(double(i + 1), double(row.effectiveContext));
      label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
      const QString quality = row.qualityRetention ? QStringLiteral("quality %1 %").arg(*row.qualityRetention * 100, 0, 'f', 0)
                                                   : QStringLiteral("quality n/a");
      label->setText(QStringLiteral("%1\n%2 · conf. %3")
                         .arg(formatTokensShort(double(row.effectiveContext)), quality)
                         .arg(row.confidence.value, 0, 'f', 2));
      label->setFont(theme.font);
      label->setColor(theme.foreground);
      label->setPadding(QMargins(2, 2, 2, 4));
    }
    addTitle(plot,
             QStringLiteral("Effective context per mitigation at %1 tokens (trained %2) — modelled")
                 .arg(formatTokensShort(double(data.contextTokens)), formatTokensShort(double(data.trainedContextTokens))),
             theme);
  };
}

ChartTable mitigationsChartTable(const MitigationsChartData& data) {
  ChartTable table;
  table.title = QStringLiteral("Mitigations (modelled)");
  table.columns = {QStringLiteral("mitigation"),         QStringLiteral("factor"),
                   QStringLiteral("context cap (tokens)"), QStringLiteral("effective context (tokens)"),
                   QStringLiteral("quality retention (share)"), QStringLiteral("confidence (0-1)"),
                   QStringLiteral("kv cache (bytes)")};
  for (const MitigationPlan& row : data.rows)
    table.addRow({mitigationName(row.mitigation), row.factor, row.contextCap, row.effectiveContext,
                  row.qualityRetention ? QVariant(*row.qualityRetention) : QVariant(), row.confidence.value,
                  row.kvBytes});
  return table;
}

}  // namespace sinkscope::ui
