#include "charts/MemoryChart.h"

#include "charts/ChartParts.h"

#include <qcustomplot.h>

namespace sinkscope::ui {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

struct Layer {
  QString name;
  qint64 MemoryBreakdown::*bytes;
};

const Layer kLayers[] = {{QStringLiteral("weights"), &MemoryBreakdown::weightsBytes},
                         {QStringLiteral("KV cache"), &MemoryBreakdown::kvBytes},
                         {QStringLiteral("activations"), &MemoryBreakdown::activationBytes},
                         {QStringLiteral("overhead"), &MemoryBreakdown::overheadBytes}};

}  // namespace

ChartBuilder memoryChart(MemoryChartData data) {
  return [data = std::move(data)](QCustomPlot& plot, const ChartTheme& theme) {
    QCPAxisRect* rect = plot.axisRect();
    setTokenLogAxis(*plot.xAxis, QStringLiteral("context (tokens)"));
    plot.yAxis->setLabel(QStringLiteral("memory (GiB)"));
    QVector<double> keys, cumulative(int(data.curve.size()), 0.0);
    for (const MemoryPoint& point : data.curve) keys << double(point.contextTokens);
    QCPGraph* below = nullptr;
    int index = 0;
    for (const Layer& layer : kLayers) {
      QVector<double> values;
      for (size_t i = 0; i < data.curve.size(); ++i) {
        cumulative[int(i)] += double(data.curve[i].memory.*layer.bytes) / kGiB;
        values << cumulative[int(i)];
      }
      QCPGraph* graph = plot.addGraph();
      graph->setName(layer.name);
      graph->setData(keys, values, true);
      QColor color = theme.seriesColor(index + 1);
      graph->setPen(QPen(color, 1.5));
      color.setAlpha(110);
      graph->setBrush(color);
      if (below) graph->setChannelFillGraph(below);
      below = graph;
      ++index;
    }
    double top = data.capacityBytes / kGiB;
    for (double v : cumulative) top = std::max(top, v);
    plot.xAxis->setRange(keys.isEmpty() ? 1 : keys.front(), keys.isEmpty() ? 2 : keys.back());
    plot.yAxis->setRange(0, top * 1.12);
    theme.apply(plot);
    addHorizontalMarker(plot, rect, data.capacityBytes / kGiB,
                        QStringLiteral("usable capacity %1 GiB").arg(data.capacityBytes / kGiB, 0, 'f', 1),
                        QPen(theme.warning, 1.5), theme);
    addVerticalMarker(plot, rect, double(data.trainedContextTokens),
                      QStringLiteral("trained %1").arg(tokensLabel(double(data.trainedContextTokens))),
                      QPen(theme.reference, 1, Qt::DashLine), theme, 0);
    addVerticalMarker(plot, rect, double(data.contextTokens),
                      QStringLiteral("requested %1").arg(tokensLabel(double(data.contextTokens))),
                      QPen(theme.foreground, 1.5), theme, 1);
    if (!data.fit.unbounded && data.fit.maxContextTokens > 0 && data.fit.maxContextTokens <= keys.back())
      addVerticalMarker(plot, rect, double(data.fit.maxContextTokens),
                        QStringLiteral("fits up to %1").arg(tokensLabel(double(data.fit.maxContextTokens))),
                        QPen(theme.warning, 1, Qt::DotLine), theme, 2);
    plot.legend->setVisible(true);
    theme.applyLegend(*plot.legend);
    rect->insetLayout()->setInsetAlignment(0, Qt::AlignLeft | Qt::AlignVCenter);
    addChartTitle(plot, theme, QStringLiteral("Memory against context"),
                  QStringLiteral("%1 on %2 · modelled").arg(data.modelName, data.hardwareName));
  };
}

ChartTable memoryChartTable(const MemoryChartData& data) {
  ChartTable table;
  table.title = QStringLiteral("Memory against context (modelled)");
  table.columns = {QStringLiteral("context (tokens)"),     QStringLiteral("weights (bytes)"),
                   QStringLiteral("kv cache (bytes)"),     QStringLiteral("activations (bytes)"),
                   QStringLiteral("overhead (bytes)"),     QStringLiteral("total (bytes)"),
                   QStringLiteral("usable capacity (bytes)")};
  for (const MemoryPoint& p : data.curve)
    table.addRow({p.contextTokens, p.memory.weightsBytes, p.memory.kvBytes, p.memory.activationBytes,
                  p.memory.overheadBytes, p.memory.totalBytes, p.memory.capacityBytes});
  return table;
}

}  // namespace sinkscope::ui
