// Draws a chart offscreen into PNG (scaled), SVG (vector, QCPPainter on QSvgGenerator) or PDF
// (vector), written atomically. Not the chart's content: a ChartBuilder supplies that.
#pragma once

#include "charts/ChartTheme.h"

#include <QImage>
#include <QSize>
#include <QString>
#include <functional>
#include <optional>

class QCustomPlot;

namespace sinkscope::ui {

// Fills an empty QCustomPlot with one chart in the given theme. Builders are pure: they keep
// their data and may be called any number of times, on screen and offscreen.
using ChartBuilder = std::function<void(QCustomPlot& plot, const ChartTheme& theme)>;

enum class ChartFormat { Png, Svg, Pdf };
std::optional<ChartFormat> chartFormatForPath(const QString& path);  // by extension

inline constexpr QSize kDefaultExportSize{900, 560};  // logical pixels (PDF: points)

// Empties a plot back to QCustomPlot's initial state (one axis rect, hidden legend) so a builder
// can refill it without creating a new widget.
void resetPlot(QCustomPlot& plot);
// A fresh plot of the given logical size, filled by builder, replotted.
std::unique_ptr<QCustomPlot> buildOffscreen(const ChartBuilder& builder, const ChartTheme& theme, QSize size);
QImage renderChartImage(const ChartBuilder& builder, const ChartTheme& theme, QSize size, double scale);
QByteArray renderChartSvg(const ChartBuilder& builder, const ChartTheme& theme, QSize size);
QByteArray renderChartPdf(const ChartBuilder& builder, const ChartTheme& theme, QSize size);

// Writes path in the format of its extension (PNG at pngScale x size). Throws sinkscope::Error
// (BadInput) naming the path for an unknown extension or an unwritable folder; never leaves a
// partial file.
void exportChart(const ChartBuilder& builder, const QString& path, QSize size = kDefaultExportSize,
                 double pngScale = 2.0, const ChartTheme& theme = ChartTheme::print());


}  // namespace sinkscope::ui
