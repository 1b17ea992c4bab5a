#include "charts/ChartExport.h"

#include "common/Error.h"

#include <QBuffer>
#include <QFileInfo>
#include <QPdfWriter>
#include "common/AtomicFile.h"
#include <QSvgGenerator>
#include <qcustomplot.h>

namespace sinkscope::ui {

std::optional<ChartFormat> chartFormatForPath(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("png")) return ChartFormat::Png;
  if (suffix == QLatin1String("svg")) return ChartFormat::Svg;
  if (suffix == QLatin1String("pdf")) return ChartFormat::Pdf;
  return std::nullopt;
}

void resetPlot(QCustomPlot& plot) {
  plot.clearPlottables();
  plot.clearItems();
  plot.plotLayout()->clear();  // axis rects, legend, titles, colour scales
  plot.plotLayout()->simplify();
  auto* rect = new QCPAxisRect(&plot, true);
  plot.plotLayout()->addElement(0, 0, rect);
  plot.xAxis = rect->axis(QCPAxis::atBottom);
  plot.yAxis = rect->axis(QCPAxis::atLeft);
  plot.xAxis2 = rect->axis(QCPAxis::atTop);
  plot.yAxis2 = rect->axis(QCPAxis::atRight);
  plot.legend = new QCPLegend;
  plot.legend->setVisible(false);
  rect->insetLayout()->addElement(plot.legend, Qt::AlignRight | Qt::AlignTop);
  rect->insetLayout()->setMargins(QMargins(12, 12, 12, 12));
  plot.legend->setLayer(QStringLiteral("legend"));
}

std::unique_ptr<QCustomPlot> buildOffscreen(const ChartBuilder& builder, const ChartTheme& theme, QSize size) {
  auto plot = std::make_unique<QCustomPlot>();
  plot->setAttribute(Qt::WA_DontShowOnScreen);
  plot->resize(size);
  builder(*plot, theme);
  plot->replot(QCustomPlot::rpImmediateRefresh);
  return plot;
}

QImage renderChartImage(const ChartBuilder& builder, const ChartTheme& theme, QSize size, double scale) {
  auto plot = buildOffscreen(builder, theme, size);
  return plot->toPixmap(size.width(), size.height(), scale).toImage();
}

QByteArray renderChartSvg(const ChartBuilder& builder, const ChartTheme& theme, QSize size) {
  auto plot = buildOffscreen(builder, theme, size);
  QBuffer buffer;
  buffer.open(QIODevice::WriteOnly);
  QSvgGenerator generator;
  generator.setOutputDevice(&buffer);
  generator.setSize(size);
  generator.setViewBox(QRect(QPoint(0, 0), size));
  generator.setTitle(QStringLiteral("SinkScope chart"));
  QCPPainter painter;
  painter.begin(&generator);
  painter.setMode(QCPPainter::pmVectorized);
  painter.setMode(QCPPainter::pmNoCaching);
  plot->toPainter(&painter, size.width(), size.height());
  painter.end();
  return buffer.data();
}

QByteArray renderChartPdf(const ChartBuilder& builder, const ChartTheme& theme, QSize size) {
  auto plot = buildOffscreen(builder, theme, size);
  QBuffer buffer;
  buffer.open(QIODevice::WriteOnly);
  {
    QPdfWriter writer(&buffer);
    writer.setCreator(QStringLiteral("SinkScope"));
    writer.setResolution(72);  // one device pixel per point
    writer.setPageSize(QPageSize(QSizeF(size), QPageSize::Point, QString(), QPageSize::ExactMatch));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    QCPPainter painter;
    painter.begin(&writer);
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    plot->toPainter(&painter, size.width(), size.height());
    painter.end();
  }
  return buffer.data();
}

qint64 pngPixelCount(QSize size, double scale) {
  return qint64(std::lround(size.width() * scale)) * qint64(std::lround(size.height() * scale));
}

namespace {

QByteArray renderPng(const ChartBuilder& builder, const ChartTheme& theme, QSize size, double pngScale) {
  if (!(pngScale >= kMinPngScale && pngScale <= kMaxPngScale) || pngPixelCount(size, pngScale) > kMaxPngPixels)
    throwBadInput(QStringLiteral("chart"), QStringLiteral("size"),
                  QStringLiteral("%1 x %2 at scale %3 is outside SinkScope's limits (docs/limits.md)")
                      .arg(size.width()).arg(size.height()).arg(pngScale));
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  QImage image = renderChartImage(builder, theme, size, pngScale);
  image.setDotsPerMeterX(int(3780 * pngScale));  // 96 dpi x scale
  image.setDotsPerMeterY(int(3780 * pngScale));
  if (image.isNull() || !image.save(&buffer, "PNG")) return QByteArray();
  return bytes;
}

}  // namespace

QByteArray renderChart(const ChartBuilder& builder, ChartFormat format, QSize size, double pngScale,
                       const ChartTheme& theme) {
  QByteArray bytes;
  switch (format) {
    case ChartFormat::Png: bytes = renderPng(builder, theme, size, pngScale); break;
    case ChartFormat::Svg: bytes = renderChartSvg(builder, theme, size); break;
    case ChartFormat::Pdf: bytes = renderChartPdf(builder, theme, size); break;
  }
  if (bytes.isEmpty())  // a null image when memory ran out, an empty page: never an empty file
    throw Error(ErrorKind::Internal, QStringLiteral("chart"), QString(), QStringLiteral("rendering produced no image (out of memory?)"));
  return bytes;
}

void exportChart(const ChartBuilder& builder, const QString& path, QSize size, double pngScale,
                 const ChartTheme& theme) {
  const auto format = chartFormatForPath(path);
  if (!format) throwBadInput(path, QStringLiteral("extension"), QStringLiteral("expected .png, .svg or .pdf"));
  writeFileAtomically(path, renderChart(builder, *format, size, pngScale, theme));
}

}  // namespace sinkscope::ui
