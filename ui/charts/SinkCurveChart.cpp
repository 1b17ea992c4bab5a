#include "charts/SinkCurveChart.h"

#include "Units.h"
#include "charts/ChartHelpers.h"

#include <qcustomplot.h>

namespace sinkscope::ui {

namespace {

double metricValue(const RowMetrics& m, SinkMetric metric) {
  switch (metric) {
    case SinkMetric::SinkMass1: return m.sinkMass1;
    case SinkMetric::SinkMass4: return m.sinkMass4;
    case SinkMetric::NormalizedEntropy: return m.normalizedEntropy;
  }
  return 0;
}

const QCPScatterStyle::ScatterShape kShapes[] = {QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare,
                                                 QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
                                                 QCPScatterStyle::ssCross};

}  // namespace

QString sinkMetricLabel(SinkMetric metric) {
  switch (metric) {
    case SinkMetric::SinkMass1: return QStringLiteral("attention on token 0, S₁ (share)");
    case SinkMetric::SinkMass4: return QStringLiteral("attention on tokens 0–3, S₄ (share)");
    case SinkMetric::NormalizedEntropy: return QStringLiteral("entropy / ln(i+1) (share)");
  }
  return QString();
}

ChartBuilder sinkCurveChart(SinkCurveChartData data, SinkMetric metric) {
  return [data = std::move(data), metric](QCustomPlot& plot, const ChartTheme& theme) {
    QCPAxisRect* rect = plot.axisRect();
    plot.yAxis->setLabel(sinkMetricLabel(metric));
    double lowest = 1e18, highest = 0;
    for (size_t i = 0; i < data.series.size(); ++i) {
      const SinkCurveSeries& series = data.series[i];
      QVector<double> keys, values;
      for (const SinkCurveSample& s : series.samples) {
        keys << double(s.contextTokens);
        values << metricValue(s.mean, metric);
        lowest = std::min(lowest, double(s.contextTokens));
        highest = std::max(highest, double(s.contextTokens));
      }
      QCPGraph* graph = plot.addGraph();
      graph->setName(mitigationName(series.mitigation));
      graph->setData(keys, values, true);
      const QColor color = theme.seriesColor(int(i));
      graph->setPen(QPen(color, 2, theme.seriesStyle(int(i))));
      graph->setScatterStyle(QCPScatterStyle(kShapes[i % 5], color, theme.background, 7));
    }
    if (highest <= 0) lowest = 1, highest = 2;
    setTokenLogAxis(*plot.xAxis, lowest / 1.3, highest * 1.3, QStringLiteral("context (tokens)"));
    plot.yAxis->setRange(0, 1.05);
    theme.apply(plot);
    addVerticalMarker(plot, rect, double(data.trainedContextTokens),
                      QStringLiteral("trained %1").arg(formatTokensShort(double(data.trainedContextTokens))),
                      theme.reference, Qt::DashLine, 0);
    if (data.contextCapTokens > 0 && data.contextCapTokens != data.trainedContextTokens)
      addVerticalMarker(plot, rect, double(data.contextCapTokens),
                        QStringLiteral("context_cap %1").arg(formatTokensShort(double(data.contextCapTokens))),
                        theme.warning, Qt::DotLine, 1);
    plot.legend->setVisible(true);
    theme.applyLegend(*plot.legend);
    rect->insetLayout()->setInsetAlignment(0, Qt::AlignRight | Qt::AlignVCenter);
    addTitle(plot,
             QStringLiteral("Sink curve: %1, layer %2, head %3, mean over sampled queries — %4")
                 .arg(data.modelName)
                 .arg(data.layer)
                 .arg(data.head)
                 .arg(data.provenance),
             theme);
  };
}

ChartTable sinkCurveChartTable(const SinkCurveChartData& data) {
  ChartTable table;
  table.title = QStringLiteral("Sink curve (%1)").arg(data.provenance);
  table.columns = {QStringLiteral("mitigation"),
                   QStringLiteral("context (tokens)"),
                   QStringLiteral("mean sink mass k=1 (share)"),
                   QStringLiteral("mean sink mass k=4 (share)"),
                   QStringLiteral("mean entropy (nats)"),
                   QStringLiteral("mean normalized entropy (share)"),
                   QStringLiteral("last-query sink mass k=1 (share)"),
                   QStringLiteral("last-query entropy (nats)")};
  for (const SinkCurveSeries& series : data.series)
    for (const SinkCurveSample& s : series.samples)
      table.addRow({mitigationName(series.mitigation), s.contextTokens, s.mean.sinkMass1, s.mean.sinkMass4,
                    s.mean.entropy, s.mean.normalizedEntropy, s.last.sinkMass1, s.last.entropy});
  return table;
}

}  // namespace sinkscope::ui
