#include "charts/ChartTheme.h"

#include "charts/ColorMaps.h"

#include <qcustomplot.h>
#include <QApplication>

namespace sinkscope::ui {

ChartTheme ChartTheme::light() {
  ChartTheme theme;
  theme.font = QApplication::font();
  return theme;
}

ChartTheme ChartTheme::darkTheme() {
  ChartTheme theme;
  theme.dark = true;
  theme.background = QColor(0x1e, 0x1f, 0x22);
  theme.foreground = QColor(0xe6, 0xe6, 0xe6);
  theme.grid = QColor(0x44, 0x46, 0x4a);
  theme.subGrid = QColor(0x30, 0x32, 0x36);
  theme.reference = QColor(0xbb, 0xbb, 0xbb);
  theme.warning = QColor(0xff, 0x8c, 0x3a);
  theme.font = QApplication::font();
  return theme;
}

ChartTheme ChartTheme::fromPalette(const QPalette& palette) {
  const bool isDark = palette.color(QPalette::Window).lightness() < 128;
  ChartTheme theme = isDark ? darkTheme() : light();
  theme.background = palette.color(QPalette::Base);
  theme.foreground = palette.color(QPalette::Text);
  return theme;
}

ChartTheme ChartTheme::forScreen() {
  return fromPalette(QApplication::palette());
}

QColor ChartTheme::seriesColor(int index) const {
  const auto& palette = okabeItoPalette();
  QColor color = palette[size_t(index) % palette.size()];
  if (dark && color == QColor(Qt::black)) color = QColor(0xdd, 0xdd, 0xdd);
  return color;
}

Qt::PenStyle ChartTheme::seriesStyle(int index) const {
  static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                        Qt::DashDotDotLine};
  return styles[(index / 1) % 5];
}

void ChartTheme::applyAxis(QCPAxis& axis) const {
  const QPen pen(foreground, 1);
  axis.setBasePen(pen);
  axis.setTickPen(pen);
  axis.setSubTickPen(pen);
  axis.setTickLabelColor(foreground);
  axis.setLabelColor(foreground);
  axis.setTickLabelFont(font);
  QFont labelFont = font;
  axis.setLabelFont(labelFont);
  axis.grid()->setPen(QPen(grid, 1, Qt::SolidLine));
  axis.grid()->setSubGridPen(QPen(subGrid, 1, Qt::DotLine));
  axis.grid()->setZeroLinePen(Qt::NoPen);
}

void ChartTheme::applyLegend(QCPLegend& legend) const {
  QColor fill = background;
  fill.setAlpha(225);
  legend.setBrush(fill);
  legend.setBorderPen(QPen(grid));
  legend.setTextColor(foreground);
  legend.setFont(font);
}

void ChartTheme::apply(QCustomPlot& plot) const {
  plot.setBackground(background);
  for (QCPAxisRect* rect : plot.axisRects()) {
    rect->setBackground(background);
    for (QCPAxis* axis : rect->axes()) applyAxis(*axis);
  }
  if (plot.legend) applyLegend(*plot.legend);
  for (int i = 0; i < plot.plotLayout()->elementCount(); ++i)
    if (auto* title = qobject_cast<QCPTextElement*>(plot.plotLayout()->elementAt(i)))
      title->setTextColor(foreground);
}

}  // namespace sinkscope::ui
