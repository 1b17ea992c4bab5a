// Small building blocks the chart builders share: token axes on a log scale, labelled
// reference lines (trained context, context_cap, capacity), titles and legends. Not a chart.
#pragma once

#include <QtGlobal>
#include <vector>

#include "charts/ChartTheme.h"

#include <QString>

class QCustomPlot;
class QCPAxis;
class QCPAxisRect;

namespace sinkscope::ui {

// Round tick positions for a linear token axis over [0, maxTokens]: 0 and the multiples of the
// smallest power of two that keeps at most maxTicks + 1 ticks (0, 8K, 16K, 24K, 32K for 32K and 4).
std::vector<qint64> roundTokenTicks(qint64 maxTokens, int maxTicks);

// Logarithmic axis over [minTokens, maxTokens] with ticks at powers of two labelled 4K, 32K, 1M.
void setTokenLogAxis(QCPAxis& axis, double minTokens, double maxTokens, const QString& label);
// On a log token axis set by setTokenLogAxis: a tick labelled "0" at floorCoordinate, where the
// chart draws values of zero (a log axis has no 0).
void addZeroTick(QCPAxis& axis, double floorCoordinate);
// A vertical line at x on the axis rect with a label at its top.
void addVerticalMarker(QCustomPlot& plot, QCPAxisRect* rect, double x, const QString& label,
                       const QColor& color, Qt::PenStyle style, double labelRow = 0);
// A horizontal line at y with a label at its right end.
void addHorizontalMarker(QCustomPlot& plot, QCPAxisRect* rect, double y, const QString& label,
                         const QColor& color, Qt::PenStyle style);
// A title row above the plot: "Title — modelled".
void addTitle(QCustomPlot& plot, const QString& title, const ChartTheme& theme);
// Places the legend inside the top-left (or another corner) of the main axis rect.
// Moves the legend out of the axis rect into a row of its own below it, in columns.
void legendBelow(QCustomPlot& plot, int columns);
void placeLegend(QCustomPlot& plot, Qt::Alignment corner);
// The two lines every chart against context carries: the trained context (dotted, label row 0)
// and, when known (> 0), the context_cap (dashed, warning colour, label row 1).
void addTrainedAndCapMarkers(QCustomPlot& plot, qint64 trainedTokens, qint64 capTokens,
                             const ChartTheme& theme);
// Ticks on a value axis formatted as GiB from bytes.
void setGiBAxis(QCPAxis& axis, const QString& label);

}  // namespace sinkscope::ui
