#include "charts/ChartParts.h"

#include <qcustomplot.h>

#include <cmath>

namespace sinkscope::ui {

namespace {

class TokenLogTicker : public QCPAxisTickerLog {
 protected:
  QString getTickLabel(double tick, const QLocale&, QChar, int) override { return tokensLabel(tick); }
};

QFont scaledFont(const ChartTheme& theme, double factor, bool bold) {
  QFont font = theme.font;
  if (font.pointSizeF() > 0) font.setPointSizeF(font.pointSizeF() * factor);
  font.setBold(bold);
  return font;
}

}  // namespace

QString tokensLabel(double tokens) {
  const double k = 1024.0, m = 1024.0 * 1024.0;
  const auto trimmed = [](double v) { return QString::number(v, 'f', v >= 10 || std::abs(v - std::round(v)) < 1e-9 ? 0 : 1); };
  if (tokens >= m) return trimmed(tokens / m) + QStringLiteral("M");
  if (tokens >= k) return trimmed(tokens / k) + QStringLiteral("K");
  return QString::number(tokens, 'f', 0);
}

void addChartTitle(QCustomPlot& plot, const ChartTheme& theme, const QString& title, const QString& subtitle) {
  plot.plotLayout()->insertRow(0);
  auto* text = new QCPTextElement(&plot, title, scaledFont(theme, 1.15, true));
  text->setTextColor(theme.foreground);
  plot.plotLayout()->addElement(0, 0, text);
  if (!subtitle.isEmpty()) {
    plot.plotLayout()->insertRow(1);
    auto* sub = new QCPTextElement(&plot, subtitle, scaledFont(theme, 0.9, false));
    sub->setTextColor(theme.reference);
    plot.plotLayout()->addElement(1, 0, sub);
  }
}

void setTokenLogAxis(QCPAxis& axis, const QString& label) {
  auto ticker = QSharedPointer<TokenLogTicker>::create();
  ticker->setLogBase(2);
  ticker->setSubTickCount(0);
  axis.setScaleType(QCPAxis::stLogarithmic);
  axis.setTicker(ticker);
  axis.setLabel(label);
}

void addVerticalMarker(QCustomPlot& plot, QCPAxisRect* rect, double x, const QString& label, const QPen& pen,
                       const ChartTheme& theme, double labelRow, bool labelLeft) {
  QCPAxis* key = rect->axis(QCPAxis::atBottom);
  QCPAxis* value = rect->axis(QCPAxis::atLeft);
  auto* line = new QCPItemStraightLine(&plot);
  line->setClipAxisRect(rect);
  line->point1->setAxes(key, value);
  line->point2->setAxes(key, value);
  line->point1->setCoords(x, 0);
  line->point2->setCoords(x, 1);
  line->setPen(pen);
  if (label.isEmpty()) return;
  auto* text = new QCPItemText(&plot);
  text->setClipAxisRect(rect);
  text->position->setAxisRect(rect);
  text->position->setAxes(key, value);
  text->position->setTypeX(QCPItemPosition::ptPlotCoords);
  text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
  text->position->setCoords(x, 0.02 + 0.07 * labelRow);
  text->setPositionAlignment((labelLeft ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
  text->setPadding(QMargins(3, 1, 3, 1));
  text->setText(label);
  text->setFont(scaledFont(theme, 0.85, false));
  text->setColor(pen.color());
  QColor fill = theme.background;
  fill.setAlpha(210);
  text->setBrush(fill);
}

void addHorizontalMarker(QCustomPlot& plot, QCPAxisRect* rect, double y, const QString& label, const QPen& pen,
                         const ChartTheme& theme) {
  QCPAxis* key = rect->axis(QCPAxis::atBottom);
  QCPAxis* value = rect->axis(QCPAxis::atLeft);
  auto* line = new QCPItemStraightLine(&plot);
  line->setClipAxisRect(rect);
  line->point1->setAxes(key, value);
  line->point2->setAxes(key, value);
  line->point1->setCoords(key->range().lower, y);
  line->point2->setCoords(key->range().upper, y);
  line->setPen(pen);
  if (label.isEmpty()) return;
  auto* text = new QCPItemText(&plot);
  text->setClipAxisRect(rect);
  text->position->setAxisRect(rect);
  text->position->setAxes(key, value);
  text->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
  text->position->setTypeY(QCPItemPosition::ptPlotCoords);
  text->position->setCoords(0.01, y);
  text->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
  text->setPadding(QMargins(3, 1, 3, 1));
  text->setText(label);
  text->setFont(scaledFont(theme, 0.85, false));
  text->setColor(pen.color());
}

}  // namespace sinkscope::ui
