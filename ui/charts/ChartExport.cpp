#include "charts/ChartExport.h"

#include "common/Error.h"

#include <qcustomplot.h>
#include <QBuffer>
#include <QFileInfo>
#include <QPdfWriter>
#include <QSvgGenerator>
#include "common/AtomicFile.h"

#include <vector>

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

namespace {

// Moves every element of the plot's top layout into a sub-grid (keeping stretch factors), so a
// heading row can span the whole width above it whatever columns the builder made.
QCPLayoutGrid* nestTopLayout(QCustomPlot& plot) {
  QCPLayoutGrid* top = plot.plotLayout();
  struct Placed {
    int row, column;
    QCPLayoutElement* element;
  };
  std::vector<Placed> placed;
  for (int row = 0; row < top->rowCount(); ++row)
    for (int column = 0; column < top->columnCount(); ++column)
      if (top->hasElement(row, column)) placed.push_back({row, column, top->element(row, column)});
  const QList<double> rowStretch = top->rowStretchFactors();
  const QList<double> columnStretch = top->columnStretchFactors();
  for (const Placed& p : placed) top->take(p.element);
  top->simplify();
  auto* inner = new QCPLayoutGrid;
  top->addElement(0, 0, inner);  // first, so the grid knows its plot before it adopts elements
  for (const Placed& p : placed) inner->addElement(p.row, p.column, p.element);
  inner->setRowStretchFactors(rowStretch);
  inner->setColumnStretchFactors(columnStretch);
  inner->setRowSpacing(top->rowSpacing());
  inner->setColumnSpacing(top->columnSpacing());
  return inner;
}

// Breaks text into lines that fit `width` pixels in `font` (QCPTextElement sizes its row by the
// lines it is given, so the wrapping is done here rather than by the painter).
QString wrapToWidth(const QString& text, const QFont& font, int width) {
  const QFontMetrics metrics(font);
  QStringList lines;
  QString line;
  for (const QString& word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
    const QString candidate = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
    if (!line.isEmpty() && metrics.horizontalAdvance(candidate) > width) {
      lines << line;
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.isEmpty()) lines << line;
  return lines.join(QLatin1Char('\n'));
}

QCPTextElement* headingText(QCustomPlot& plot, const QString& text, const ChartTheme& theme, int pointSize,
                            bool bold) {
  QFont font = plot.font();
  font.setPointSize(pointSize);
  font.setBold(bold);
  const QMargins margins(8, 4, 8, 4);
  auto* element = new QCPTextElement(
      &plot, wrapToWidth(text, font, plot.width() - margins.left() - margins.right()), font);
  element->setTextColor(theme.foreground);
  element->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
  element->setMargins(margins);
  return element;
}

}  // namespace

ChartBuilder withHeading(ChartBuilder builder, ChartHeading heading) {
  return [builder = std::move(builder), heading = std::move(heading)](QCustomPlot& plot,
                                                                      const ChartTheme& theme) {
    builder(plot, theme);
    const QString tag =
        heading.provenance.isEmpty() ? QString() : QStringLiteral("[%1]").arg(heading.provenance);
    const QString title = QStringList{heading.title, tag}.join(QLatin1Char(' ')).trimmed();
    if (title.isEmpty() && heading.caption.isEmpty()) return;
    nestTopLayout(plot);
    QCPLayoutGrid* top = plot.plotLayout();
    int row = 0;
    if (!title.isEmpty()) {
      top->insertRow(0);
      top->addElement(0, 0, headingText(plot, title, theme, 11, true));
      ++row;
    }
    if (!heading.caption.isEmpty())
      top->addElement(row + 1, 0, headingText(plot, heading.caption, theme, 8, false));
    QList<double> stretch;
    for (int r = 0; r < top->rowCount(); ++r) stretch << (r == row ? 1.0 : 0.001);
    top->setRowStretchFactors(stretch);
  };
}

std::unique_ptr<QCustomPlot> buildOffscreen(const ChartBuilder& builder, const ChartTheme& theme,
                                            QSize size) {
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

QString pngSizeProblem(QSize size, double scale) {
  if (!(scale >= kMinPngScale && scale <= kMaxPngScale))
    return QStringLiteral("scale %1 is outside [%2, %3] (docs/limits.md)")
        .arg(scale)
        .arg(kMinPngScale)
        .arg(kMaxPngScale);
  const qint64 pixels = pngPixelCount(size, scale);
  if (pixels > kMaxPngPixels)
    return QStringLiteral("%1 x %2 at scale %3 makes %4 pixels, above the limit of %5 (docs/limits.md)")
        .arg(size.width())
        .arg(size.height())
        .arg(scale)
        .arg(pixels)
        .arg(kMaxPngPixels);
  return QString();
}

namespace {

QByteArray renderPng(const ChartBuilder& builder, const ChartTheme& theme, QSize size, double pngScale) {
  if (const QString problem = pngSizeProblem(size, pngScale); !problem.isEmpty())
    throwBadInput(QStringLiteral("chart"), QStringLiteral("size"), problem);
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
    case ChartFormat::Png:
      bytes = renderPng(builder, theme, size, pngScale);
      break;
    case ChartFormat::Svg:
      bytes = renderChartSvg(builder, theme, size);
      break;
    case ChartFormat::Pdf:
      bytes = renderChartPdf(builder, theme, size);
      break;
  }
  if (bytes.isEmpty())  // a null image when memory ran out, an empty page: never an empty file
    throw Error(ErrorKind::Internal, QStringLiteral("chart"), QString(),
                QStringLiteral("rendering produced no image (out of memory?)"));
  return bytes;
}

void exportChart(const ChartBuilder& builder, const QString& path, QSize size, double pngScale,
                 const ChartTheme& theme) {
  const auto format = chartFormatForPath(path);
  if (!format)
    throwBadInput(path, QStringLiteral("extension"), QStringLiteral("expected .png, .svg or .pdf"));
  writeFileAtomically(path, renderChart(builder, *format, size, pngScale, theme));
}

}  // namespace sinkscope::ui
