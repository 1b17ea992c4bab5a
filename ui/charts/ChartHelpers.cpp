#include "charts/ChartHelpers.h"

#include "Units.h"
#include "common/NumberFormat.h"

#include <qcustomplot.h>

#include <cmath>

namespace sinkscope::ui {

std::vector<qint64> roundTokenTicks(qint64 maxTokens, int maxTicks) {
  std::vector<qint64> ticks{0};
  if (maxTokens <= 0) return ticks;
  qint64 step = 1;
  while (maxTokens / step > std::max(1, maxTicks)) step *= 2;
  for (qint64 tokens = step; tokens <= maxTokens; tokens += step) ticks.push_back(tokens);
  return ticks;
}

void setTokenLogAxis(QCPAxis& axis, double minTokens, double maxTokens, const QString& label) {
  axis.setScaleType(QCPAxis::stLogarithmic);
  axis.setRange(minTokens, maxTokens);
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  const double octaves = std::log2(maxTokens / std::max(minTokens, 1.0));
  const int step = octaves > 14 ? 3 : (octaves > 7 ? 2 : 1);
  for (int power = int(std::floor(std::log2(std::max(minTokens, 1.0))));
       power <= int(std::ceil(std::log2(maxTokens))); ++power) {
    const double tokens = std::exp2(power);
    if (tokens < minTokens * 0.999 || tokens > maxTokens * 1.001) continue;
    if (power % step != 0) continue;
    ticker->addTick(tokens, formatTokensShort(tokens));
  }
  ticker->setSubTickCount(0);
  axis.setTicker(ticker);
  axis.setLabel(label);
  axis.grid()->setSubGridVisible(false);
}

void addZeroTick(QCPAxis& axis, double floorCoordinate) {
  auto ticker = qSharedPointerDynamicCast<QCPAxisTickerText>(axis.ticker());
  if (!ticker) return;
  // Nothing between zero and one token is drawn: a tick at 1 beside the 0 would read as a scale.
  ticker->ticks().remove(1.0);
  ticker->addTick(floorCoordinate, tokensShort(0));
}

namespace {

constexpr char kMarkerRowProperty[] = "sinkscopeMarkerRow";

// The label of a vertical marker already on rect in that row, if any.
QCPItemText* markerLabelAt(QCustomPlot& plot, QCPAxisRect* rect, double row) {
  for (int i = plot.itemCount() - 1; i >= 0; --i) {
    auto* text = qobject_cast<QCPItemText*>(plot.item(i));
    if (text && text->clipAxisRect() == rect && text->property(kMarkerRowProperty).isValid() &&
        text->property(kMarkerRowProperty).toDouble() == row)
      return text;
  }
  return nullptr;
}

}  // namespace

void addVerticalMarker(QCustomPlot& plot, QCPAxisRect* rect, double x, const QString& label,
                       const QColor& color, Qt::PenStyle style, double labelRow) {
  auto* line = new QCPItemStraightLine(&plot);
  line->setClipAxisRect(rect);
  line->point1->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  line->point2->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  line->point1->setCoords(x, 0);
  line->point2->setCoords(x, 1);
  line->setPen(QPen(color, 1.5, style));
  auto* text = new QCPItemText(&plot);
  text->setClipAxisRect(rect);
  text->setClipToAxisRect(true);
  text->position->setAxisRect(rect);
  text->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  text->position->setTypeX(QCPItemPosition::ptPlotCoords);
  text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
  text->position->setCoords(x, 0.02);
  // A later row hangs under the row above it, a few pixels apart whatever the font and chart size.
  text->setProperty(kMarkerRowProperty, labelRow);
  for (double row = labelRow - 1; row >= 0; --row)
    if (QCPItemText* above = markerLabelAt(plot, rect, row)) {
      text->position->setParentAnchorY(above->bottom);
      text->position->setTypeY(QCPItemPosition::ptAbsolute);
      text->position->setCoords(x, 2);
      break;
    }
  // Labels of lines in the right quarter go to the line's left so that they are not clipped.
  const QCPAxis* axis = rect->axis(QCPAxis::atBottom);
  const QCPRange range = axis->range();
  const double fraction = axis->scaleType() == QCPAxis::stLogarithmic && range.lower > 0 && x > 0
                              ? std::log(x / range.lower) / std::log(range.upper / range.lower)
                              : (x - range.lower) / range.size();
  const bool leftOfLine = axis->rangeReversed() ? fraction < 0.25 : fraction > 0.75;
  text->setPositionAlignment((leftOfLine ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
  text->setText(leftOfLine ? label + QStringLiteral(" ") : QStringLiteral(" ") + label);
  text->setColor(color);
  QFont font = plot.font();
  font.setPointSizeF(font.pointSizeF() * 0.9);
  text->setFont(font);
}

void addHorizontalMarker(QCustomPlot& plot, QCPAxisRect* rect, double y, const QString& label,
                         const QColor& color, Qt::PenStyle style) {
  auto* line = new QCPItemStraightLine(&plot);
  line->setClipAxisRect(rect);
  line->point1->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  line->point2->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  line->point1->setCoords(0, y);
  line->point2->setCoords(1, y);
  line->setPen(QPen(color, 1.5, style));
  auto* text = new QCPItemText(&plot);
  text->setClipAxisRect(rect);
  text->position->setAxisRect(rect);
  text->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
  text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
  text->position->setTypeY(QCPItemPosition::ptPlotCoords);
  text->position->setCoords(0.99, y);
  text->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
  text->setText(label);
  text->setColor(color);
}

void addTitle(QCustomPlot& plot, const QString& title, const ChartTheme& theme) {
  plot.plotLayout()->insertRow(0);
  QFont font = theme.font;
  font.setBold(true);
  auto* element = new QCPTextElement(&plot, title, font);
  element->setTextColor(theme.foreground);
  plot.plotLayout()->addElement(0, 0, element);
}

void placeLegend(QCustomPlot& plot, Qt::Alignment corner) {
  if (!plot.legend) return;
  plot.legend->setVisible(true);
  plot.axisRect()->insetLayout()->setInsetAlignment(0, corner);
}

void legendBelow(QCustomPlot& plot, int columns) {
  plot.legend->setVisible(true);
  plot.axisRect()->insetLayout()->take(plot.legend);
  plot.plotLayout()->addElement(plot.plotLayout()->rowCount(), 0, plot.legend);
  plot.plotLayout()->setRowStretchFactor(plot.plotLayout()->rowCount() - 1, 0.001);
  plot.legend->setWrap(columns);  // before the fill order, which re-arranges the items already there
  plot.legend->setFillOrder(QCPLegend::foColumnsFirst, true);
  plot.legend->setBorderPen(Qt::NoPen);
  plot.legend->setMargins(QMargins(4, 0, 4, 2));
}

void setGiBAxis(QCPAxis& axis, const QString& label) {
  axis.setLabel(label);
  auto ticker = QSharedPointer<QCPAxisTicker>::create();
  ticker->setTickCount(6);
  axis.setTicker(ticker);
}

void addTrainedAndCapMarkers(QCustomPlot& plot, qint64 trainedTokens, qint64 capTokens,
                             const ChartTheme& theme) {
  addVerticalMarker(plot, plot.axisRect(), double(trainedTokens),
                    QObject::tr("trained %1").arg(formatTokensShort(double(trainedTokens))), theme.reference,
                    Qt::DotLine, 0);
  if (capTokens > 0)
    addVerticalMarker(plot, plot.axisRect(), double(capTokens),
                      QObject::tr("context_cap %1").arg(formatTokensShort(double(capTokens))), theme.warning,
                      Qt::DashLine, 1);
}

}  // namespace sinkscope::ui
