#include "charts/MeasuredCharts.h"

#include "Units.h"
#include "charts/ChartHelpers.h"
#include "charts/ColorMaps.h"
#include "inference/Measurement.h"

#include <qcustomplot.h>

namespace sinkscope::ui {

namespace {

// Per-token losses are noisy: the running mean over the last kLossSmoothingTokens tokens.
QVector<double> runningMean(const std::vector<float>& values) {
  QVector<double> out(static_cast<qsizetype>(values.size()));
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += values[i];
    if (i >= size_t(kLossSmoothingTokens)) sum -= values[i - size_t(kLossSmoothingTokens)];
    out[qsizetype(i)] = sum / double(std::min<size_t>(i + 1, size_t(kLossSmoothingTokens)));
  }
  return out;
}

QVector<double> positions(size_t count) {
  QVector<double> x(static_cast<qsizetype>(count));
  for (size_t p = 0; p < count; ++p) x[qsizetype(p)] = double(p);
  return x;
}

}  // namespace

ChartBuilder measuredLossBuilder(std::shared_ptr<const MeasuredLossChartData> data) {
  return [data](QCustomPlot& plot, const ChartTheme& theme) {
    int index = 1;
    for (const MeasuredLossSeries& series : data->series) {
      QCPGraph* loss = plot.addGraph();
      loss->setName(QObject::tr("loss, %1").arg(mitigationName(series.mitigation)));
      loss->setData(positions(series.nll.size()), runningMean(series.nll), true);
      loss->setPen(QPen(theme.seriesColor(index++), 1.8));
    }
    if (!data->controlNll.empty()) {
      QCPGraph* control = plot.addGraph();
      control->setName(QObject::tr("window control (in distribution)"));
      control->setData(positions(data->controlNll.size()), runningMean(data->controlNll), true);
      control->setPen(QPen(theme.seriesColor(0), 1.5, Qt::DashLine));
    }
    plot.xAxis->setLabel(QObject::tr("position (tokens)"));
    plot.yAxis->setLabel(QObject::tr("NLL (nats), mean of %1 tokens").arg(kLossSmoothingTokens));
    plot.rescaleAxes();
    plot.yAxis->setRangeLower(0);
    theme.apply(plot);
    addVerticalMarker(plot, plot.axisRect(), double(data->trainedContextTokens),
                      QObject::tr("trained %1").arg(formatTokensShort(double(data->trainedContextTokens))),
                      theme.reference, Qt::DotLine, 0);
    // Each run's context_cap in its line's colour, its label on a background so that several
    // runs' labels stay readable over the losses.
    int level = 1;
    for (size_t i = 0; i < data->series.size(); ++i) {
      const MeasuredLossSeries& series = data->series[i];
      if (!series.spikeDetected) continue;
      const QColor color = data->series.size() > 1 ? theme.seriesColor(int(i) + 1) : theme.warning;
      addVerticalMarker(plot, plot.axisRect(), double(series.contextCapTokens),
                        QObject::tr("context_cap %1 (%2)")
                            .arg(series.contextCapTokens)
                            .arg(mitigationName(series.mitigation)),
                        color, Qt::DashLine, level++);
      if (auto* label = qobject_cast<QCPItemText*>(plot.item(plot.itemCount() - 1))) {
        QColor fill = theme.background;
        fill.setAlphaF(0.85);
        label->setBrush(QBrush(fill));
      }
    }
    // The losses fill the plot from top to bottom: the legend goes below it, in one row.
    plot.legend->setVisible(true);
    plot.axisRect()->insetLayout()->take(plot.legend);
    plot.plotLayout()->addElement(plot.plotLayout()->rowCount(), 0, plot.legend);
    plot.plotLayout()->setRowStretchFactor(plot.plotLayout()->rowCount() - 1, 0.001);
    plot.legend->setWrap(3);
    plot.legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    theme.applyLegend(*plot.legend);
    plot.legend->setMargins(QMargins(8, 4, 8, 8));
  };
}

ChartTable measuredLossTable(const MeasuredLossChartData& data) {
  ChartTable table;
  table.title = QObject::tr("Per-position loss (measured)");
  table.columns = {QObject::tr("position (token)"), QObject::tr("next token id")};
  for (const MeasuredLossSeries& s : data.series)
    table.columns << QObject::tr("nll, %1 (nats)").arg(mitigationName(s.mitigation));
  table.columns << QObject::tr("control nll (nats)");
  for (const MeasuredLossSeries& s : data.series)
    table.columns << QObject::tr("argmax token id, %1").arg(mitigationName(s.mitigation));
  const size_t count = data.series.empty() ? 0 : data.series.front().nll.size();
  for (size_t p = 0; p < count; ++p) {
    std::vector<QVariant> row{qint64(p), p + 1 < data.tokens.size() ? data.tokens[p + 1] : -1};
    for (const MeasuredLossSeries& s : data.series)
      row.push_back(p < s.nll.size() ? QVariant(double(s.nll[p])) : QVariant());
    row.push_back(p < data.controlNll.size() ? QVariant(double(data.controlNll[p])) : QVariant());
    for (const MeasuredLossSeries& s : data.series) row.push_back(p < s.argmax.size() ? s.argmax[p] : -1);
    table.addRow(std::move(row));
  }
  return table;
}

ChartBuilder sinkGridBuilder(std::shared_ptr<const Measurement> m) {
  return [m](QCustomPlot& plot, const ChartTheme& theme) {
    const int layers = m->hyper.layers, heads = m->hyper.heads;
    auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);
    map->setName(QStringLiteral("sink mass"));
    map->setInterpolate(false);
    map->data()->setSize(heads, layers);
    map->data()->setRange(QCPRange(0, heads - 1), QCPRange(0, layers - 1));
    for (const HeadAttentionMetrics& h : m->forward.heads)
      map->data()->setCell(h.head, h.layer, h.meanSinkMass1);
    auto* scale = new QCPColorScale(&plot);
    plot.plotLayout()->addElement(0, 1, scale);
    scale->setGradient(colorGradient(ColorMapName::Viridis));
    scale->setDataRange(QCPRange(0, std::max(0.05, map->data()->dataBounds().upper)));
    scale->axis()->setLabel(QObject::tr("mean S₁ (share on token 0)"));
    theme.applyAxis(*scale->axis());
    map->setColorScale(scale);
    plot.xAxis->setLabel(QObject::tr("head"));
    plot.yAxis->setLabel(QObject::tr("layer"));
    plot.xAxis->setRange(-0.5, heads - 0.5);
    plot.yAxis->setRange(-0.5, layers - 0.5);
    theme.apply(plot);
  };
}

ChartTable sinkGridTable(const Measurement& m) {
  ChartTable table;
  table.title = QObject::tr("Sink metrics per layer and head (measured)");
  table.columns = {QObject::tr("layer"),
                   QObject::tr("head"),
                   QObject::tr("mean S1 (share)"),
                   QObject::tr("mean S4 (share)"),
                   QObject::tr("mean normalised entropy"),
                   QObject::tr("previous-token mass (share)")};
  for (const HeadAttentionMetrics& h : m.forward.heads)
    table.addRow({h.layer, h.head, h.meanSinkMass1, h.meanSinkMass4, h.meanNormalizedEntropy,
                  h.meanPreviousTokenMass});
  return table;
}

}  // namespace sinkscope::ui
