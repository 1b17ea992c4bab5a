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

// What an exported chart says about itself, drawn into the image: a title, the provenance tag
// ("modelled", "measured", "estimated") and a caption naming the model, hardware and context.
struct ChartHeading {
  QString title;
  QString provenance;
  QString caption;
};
// The builder, then the heading: a title row above everything the builder laid out and a caption
// row below it (empty parts are left out). On screen the window shows these as widgets instead.
ChartBuilder withHeading(ChartBuilder builder, ChartHeading heading);

enum class ChartFormat { Png, Svg, Pdf };
std::optional<ChartFormat> chartFormatForPath(const QString& path);  // by extension

inline constexpr QSize kDefaultExportSize{900, 560};
// Pixels of a PNG of size at scale (rounded as the rendering rounds).
qint64 pngPixelCount(QSize size, double scale);  // logical pixels (PDF: points)
// The sizes the window's Save… dialog and `sinkscope chart --width/--height/--scale` accept.
inline constexpr int kMinExportWidth = 200;  // logical pixels / points
inline constexpr int kMinExportHeight = 150;
// Bounded so that the largest export renders in seconds and a few hundred MiB (docs/limits.md).
inline constexpr int kMaxExportSide = 4000;
inline constexpr double kDefaultPngScale = 2.0;  // PNG pixels per logical pixel
inline constexpr double kMinPngScale = 0.5;
inline constexpr double kMaxPngScale = 4.0;
inline constexpr qint64 kMaxPngPixels = 16'777'216;  // width x height after scaling (4096 x 4096)
// Why a PNG of size (logical pixels) at scale is refused: a scale outside [kMinPngScale,
// kMaxPngScale] or more than kMaxPngPixels pixels; empty when it can be drawn. The one check the
// window's Save… dialog, `sinkscope chart` and renderChart share (docs/limits.md, "Charts").
QString pngSizeProblem(QSize size, double scale);

// Empties a plot back to QCustomPlot's initial state (one axis rect, hidden legend) so a builder
// can refill it without creating a new widget.
void resetPlot(QCustomPlot& plot);
// A fresh plot of the given logical size, filled by builder, replotted.
std::unique_ptr<QCustomPlot> buildOffscreen(const ChartBuilder& builder, const ChartTheme& theme, QSize size);
QImage renderChartImage(const ChartBuilder& builder, const ChartTheme& theme, QSize size, double scale);
QByteArray renderChartSvg(const ChartBuilder& builder, const ChartTheme& theme, QSize size);
QByteArray renderChartPdf(const ChartBuilder& builder, const ChartTheme& theme, QSize size);

// The file's bytes in the given format: PNG at pngScale x size (its resolution says 96 dpi x
// pngScale), SVG and PDF in points (one point per logical pixel). The one rendering path of the
// window's Save… and of `sinkscope chart`. Error(BadInput) for a PNG above kMaxPngPixels or a
// scale outside [kMinPngScale, kMaxPngScale]; Error(Internal) when rendering produced nothing
// (out of memory): never an empty file.
QByteArray renderChart(const ChartBuilder& builder, ChartFormat format, QSize size,
                       double pngScale = kDefaultPngScale, const ChartTheme& theme = ChartTheme::print());

// Writes path in the format of its extension (PNG at pngScale x size). Throws sinkscope::Error
// (BadInput) naming the path for an unknown extension or an unwritable folder; never leaves a
// partial file.
void exportChart(const ChartBuilder& builder, const QString& path, QSize size = kDefaultExportSize,
                 double pngScale = 2.0, const ChartTheme& theme = ChartTheme::print());

}  // namespace sinkscope::ui
