// Colours, fonts and line styles of every chart, for screen (following the system palette,
// light or dark) and for print (white). Not what a chart shows: see the chart builders.
#pragma once

#include <QColor>
#include <QFont>
#include <QPalette>
#include <Qt>

class QCustomPlot;
class QCPAxis;
class QCPLegend;

namespace sinkscope::ui {

struct ChartTheme {
  bool dark = false;
  QColor background{Qt::white};
  QColor foreground{Qt::black};  // axes, ticks, labels
  QColor grid{0xd8, 0xd8, 0xd8};
  QColor subGrid{0xee, 0xee, 0xee};
  QColor reference{0x55, 0x55, 0x55};  // vertical lines: trained context, context_cap
  QColor warning{0xd5, 0x5e, 0x00};    // over capacity, cap
  QFont font;

  static ChartTheme light();
  static ChartTheme darkTheme();
  static ChartTheme fromPalette(const QPalette& palette);  // dark when the window is dark
  static ChartTheme forScreen();                           // fromPalette(the application palette)
  static ChartTheme print() { return light(); }

  // The i-th series colour (Okabe–Ito, black swapped for light grey on dark backgrounds) and
  // line style; together they keep series distinct without colour.
  QColor seriesColor(int index) const;
  Qt::PenStyle seriesStyle(int index) const;

  void apply(QCustomPlot& plot) const;  // background, axes, grids, legend of every axis rect
  void applyAxis(QCPAxis& axis) const;
  void applyLegend(QCPLegend& legend) const;
};

}  // namespace sinkscope::ui
