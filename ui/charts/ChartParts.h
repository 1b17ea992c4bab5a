// Small drawing parts the chart builders share: a chart title, a token axis on a log-2 scale
// with "4K"-style labels, labelled reference lines. Not a chart: see the <Kind>Chart builders.
#pragma once

#include "charts/ChartTheme.h"

#include <QString>

class QCustomPlot;
class QCPAxis;
class QCPAxisRect;

namespace sinkscope::ui {

QString tokensLabel(double tokens);  // "512", "4K", "32K", "1M"

// Adds a title row above the plot (bold) with a smaller subtitle line (provenance, scenario).
void addChartTitle(QCustomPlot& plot, const ChartTheme& theme, const QString& title, const QString& subtitle);
// A logarithmic (base 2) token axis with "4K"-style tick labels.
void setTokenLogAxis(QCPAxis& axis, const QString& label);
// A vertical line at key x on rect's key axis, with a label at the top, right of the line (or
// left of it with labelLeft, for lines near the right edge).
void addVerticalMarker(QCustomPlot& plot, QCPAxisRect* rect, double x, const QString& label, const QPen& pen,
                       const ChartTheme& theme, double labelRow = 0.0, bool labelLeft = false);
// A horizontal line at value y, labelled at the right end.
void addHorizontalMarker(QCustomPlot& plot, QCPAxisRect* rect, double y, const QString& label, const QPen& pen,
                         const ChartTheme& theme);

}  // namespace sinkscope::ui
