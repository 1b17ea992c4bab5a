#include "charts/ConfidenceChart.h"

#include "charts/ChartParts.h"

#include <qcustomplot.h>

namespace sinkscope::ui {

namespace {

// Colour bands behind the bars: low, middling, high confidence.
void addBand(QCustomPlot& plot, QCPAxisRect* rect, double from, double to, QColor color) {
  auto* band = new QCPItemRect(&plot);
  band->setClipAxisRect(rect);
  band->topLeft->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  band->bottomRight->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  band->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
  band->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
  band->topLeft->setCoords(from, 0);
  band->bottomRight->setCoords(to, 1);
  color.setAlpha(45);
  band->setBrush(color);
  band->setPen(Qt::NoPen);
  band->setLayer(QStringLiteral("background"));
}

}  // namespace

ChartBuilder confidenceChart(ConfidenceChartData data) {
  return [data = std::move(data)](QCustomPlot& plot, const ChartTheme& theme) {
    QCPAxisRect* rect = plot.axisRect();
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    auto* bars = new QCPBars(plot.yAxis, plot.xAxis);  // horizontal: key axis is the left axis
    bars->setName(QStringLiteral("confidence"));
    bars->setWidth(0.55);
    const int count = int(data.rows.size());
    for (int i = 0; i < count; ++i) {
      const MitigationPlan& row = data.rows[size_t(i)];
      const double key = double(count - i);  // first mitigation on top
      ticker->addTick(key, mitigationName(row.mitigation));
      bars->addData(key, row.confidence.value);
    }
    QColor fill = theme.seriesColor(5);
    bars->setPen(QPen(fill.darker(140), 1));
    fill.setAlpha(210);
    bars->setBrush(fill);
    plot.yAxis->setTicker(ticker);
    plot.yAxis->setRange(0.4, double(count) + 0.6);
    plot.xAxis->setRange(0, 1);
    plot.xAxis->setLabel(QStringLiteral("planner confidence (0–1)"));
    theme.apply(plot);
    plot.yAxis->grid()->setVisible(false);
    addBand(plot, rect, 0.0, 0.4, QColor(0xd5, 0x5e, 0x00));
    addBand(plot, rect, 0.4, 0.7, QColor(0xe6, 0x9f, 0x00));
    addBand(plot, rect, 0.7, 1.0, QColor(0x00, 0x9e, 0x73));
    if (data.contextTokens > data.trainedContextTokens)
      addVerticalMarker(plot, rect, 0.8, QStringLiteral("0.8 ceiling past trained"),
                        QPen(theme.warning, 1.5, Qt::DashLine), theme, 0, true);
    for (int i = 0; i < count; ++i) {
      const MitigationPlan& row = data.rows[size_t(i)];
      auto* label = new QCPItemText(&plot);
      label->setClipAxisRect(rect);
      label->position->setAxes(plot.xAxis, plot.yAxis);
      label->position->setCoords(row.confidence.value, double(count - i));
      const bool inside = row.confidence.value > 0.55;
      label->setPositionAlignment((inside ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
      label->setPadding(QMargins(5, 1, 5, 1));
      label->setText(QStringLiteral("%1 · cap %2")
                         .arg(row.confidence.value, 0, 'f', 2)
                         .arg(row.contextCap > 0 ? tokensLabel(double(row.contextCap)) : QStringLiteral("none")));
      QFont font = theme.font;
      font.setBold(true);
      label->setFont(font);
      label->setColor(theme.foreground);
      QColor back = theme.background;
      back.setAlpha(200);
      label->setBrush(back);
    }
    addChartTitle(plot, theme, QStringLiteral("Planner confidence"),
                  QStringLiteral("at %1 tokens, trained %2 · modelled")
                      .arg(tokensLabel(double(data.contextTokens)), tokensLabel(double(data.trainedContextTokens))));
  };
}

ChartTable confidenceChartTable(const ConfidenceChartData& data) {
  ChartTable table;
  table.title = QStringLiteral("Planner confidence (modelled)");
  table.columns = {QStringLiteral("mitigation"), QStringLiteral("confidence (0-1)"),
                   QStringLiteral("context cap (tokens)"), QStringLiteral("deduction (0-1)"), QStringLiteral("reason")};
  for (const MitigationPlan& row : data.rows)
    table.addRow({mitigationName(row.mitigation), row.confidence.value, row.contextCap, QVariant(), QString()});
  for (const ConfidenceReason& reason : data.reasons)
    table.addRow({data.primaryMitigation, QVariant(), QVariant(), reason.deduction, reason.text});
  return table;
}

}  // namespace sinkscope::ui
