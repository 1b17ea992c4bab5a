// Chart infrastructure: colour maps against matplotlib's published tables, the Okabe–Ito
// palette, CSV of chart tables, and PNG/SVG/PDF export (size, vector content, atomic failure).
#include "UiTestSupport.h"
#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "charts/ChartView.h"
#include "charts/ColorMaps.h"
#include "common/Error.h"

#include <QFile>
#include <QImageReader>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <qcustomplot.h>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

// Entries of matplotlib's 256-entry tables (lib/matplotlib/_cm_listed.py) that are NOT among
// the stops SinkScope stores: they check the interpolation between stops. Tolerance 0.006 is
// 1.5/255, below one 8-bit step and a half.
struct PublishedEntry {
  ColorMapName map;
  int index;  // 0..255
  double r, g, b;
};
const PublishedEntry kPublished[] = {
    {ColorMapName::Viridis, 40, 0.270595, 0.214069, 0.507052},
    {ColorMapName::Viridis, 200, 0.440137, 0.811138, 0.340967},
    {ColorMapName::Magma, 40, 0.159018, 0.068354, 0.352688},
    {ColorMapName::Magma, 100, 0.537755, 0.156894, 0.506551},
    {ColorMapName::Cividis, 100, 0.394568, 0.406236, 0.438986},
    {ColorMapName::Cividis, 230, 0.896818, 0.811030, 0.320982},
};

ChartBuilder lineBuilder() {
  return [](QCustomPlot& plot, const ChartTheme& theme) {
    QCPGraph* graph = plot.addGraph();
    graph->setData({1, 2, 3, 4}, {1, 4, 9, 16});
    graph->setPen(QPen(theme.seriesColor(0), 2));
    plot.xAxis->setLabel(QStringLiteral("context (tokens)"));
    plot.yAxis->setLabel(QStringLiteral("value"));
    plot.rescaleAxes();
    theme.apply(plot);
  };
}

double relativeLuminance(const QColor& color) {
  auto linear = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
  return 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) + 0.0722 * linear(color.blueF());
}

}  // namespace

class TestUiCharts : public QObject {
  Q_OBJECT
 private slots:
  void colourMapsMatchMatplotlibBetweenStops() {
    for (const PublishedEntry& entry : kPublished) {
      const QColor color = colorMapAt(entry.map, entry.index / 255.0);
      const double error = std::max({std::abs(color.redF() - entry.r), std::abs(color.greenF() - entry.g),
                                     std::abs(color.blueF() - entry.b)});
      QVERIFY2(error < 0.006, qPrintable(QStringLiteral("%1[%2] off by %3").arg(colorMapLabel(entry.map)).arg(entry.index).arg(error)));
    }
  }

  void colourMapsRiseMonotonicallyInLuminance() {
    // The defining property of these perceptually uniform sequential maps.
    for (ColorMapName map : allColorMaps()) {
      double previous = -1;
      for (int i = 0; i <= 64; ++i) {
        const double luminance = relativeLuminance(colorMapAt(map, i / 64.0));
        QVERIFY2(luminance > previous, qPrintable(colorMapLabel(map)));
        previous = luminance;
      }
    }
  }

  void okabeItoPaletteIsThePublishedOne() {
    const auto& palette = okabeItoPalette();
    QCOMPARE(palette.size(), size_t(8));
    // Okabe and Ito (2008): orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
    for (const char* hex : {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"})
      QVERIFY2(std::find(palette.begin(), palette.end(), QColor(QLatin1String(hex))) != palette.end(), hex);
    ChartTheme dark = ChartTheme::darkTheme();
    for (int i = 0; i < 8; ++i) QVERIFY(dark.seriesColor(i) != QColor(Qt::black));
  }

  void tableCsvQuotesAndKeepsPrecision() {
    ChartTable table;
    table.columns = {QStringLiteral("context (tokens)"), QStringLiteral("label, with comma")};
    table.addRow({qint64(32768), QStringLiteral("say \"hi\"")});
    table.addRow({0.123456789012, QStringLiteral("plain")});
    QCOMPARE(table.toCsv(), QStringLiteral("context (tokens),\"label, with comma\"\n32768,\"say \"\"hi\"\"\"\n"
                                           "0.123456789,plain\n"));
    QCOMPARE(table.number(0, 0), 32768.0);
    QVERIFY(std::isnan(table.number(0, 1)));
  }

  void pngIsTwiceTheRequestedSize() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("chart.png"));
    exportChart(lineBuilder(), path, QSize(400, 300));
    QImageReader reader(path);
    QCOMPARE(reader.size(), QSize(800, 600));
    const QImage image = reader.read();
    QCOMPARE(image.pixelColor(2, 2), QColor(Qt::white));  // print theme: white background
  }

  void svgIsWellFormedVector() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("chart.svg"));
    exportChart(lineBuilder(), path, QSize(400, 300));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    QString root;
    int vectorElements = 0, images = 0;
    while (!xml.atEnd()) {
      if (xml.readNext() != QXmlStreamReader::StartElement) continue;
      if (root.isEmpty()) root = xml.name().toString();
      vectorElements += xml.name() == QLatin1String("path") || xml.name() == QLatin1String("polyline");
      images += xml.name() == QLatin1String("image");
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QCOMPARE(root, QStringLiteral("svg"));
    QVERIFY(vectorElements > 0);
    QCOMPARE(images, 0);
  }

  void pdfIsWritten() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("chart.pdf"));
    exportChart(lineBuilder(), path, QSize(400, 300));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.read(5) == "%PDF-");
    QVERIFY(file.size() > 1000);
  }

  void failedExportLeavesNoFile() {
    QTemporaryDir dir;
    const QString unknown = dir.filePath(QStringLiteral("chart.bmpx"));
    QVERIFY_THROWS_EXCEPTION(Error, exportChart(lineBuilder(), unknown));
    QVERIFY(!QFile::exists(unknown));
    const QString unwritable = dir.filePath(QStringLiteral("missing-folder/chart.png"));
    QVERIFY_THROWS_EXCEPTION(Error, exportChart(lineBuilder(), unwritable));
    QVERIFY(!QFile::exists(unwritable));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::NoDotAndDotDot).size(), 0);
  }

  void chartViewKeepsBuilderAndTable() {
    ChartView view(QStringLiteral("Test chart"));
    ChartTable table;
    table.columns = {QStringLiteral("x"), QStringLiteral("y")};
    table.addRow({1.0, 1.0});
    view.setChart(QStringLiteral("Squares"), Provenance::Modelled, lineBuilder(), table);
    QVERIFY(view.hasChart());
    QCOMPARE(view.plot()->graphCount(), 1);
    QCOMPARE(view.table().rows.size(), size_t(1));
    QTemporaryDir dir;
    view.exportTo(dir.filePath(QStringLiteral("view.svg")));
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("view.svg"))));
  }
};

QTEST_MAIN(TestUiCharts)
#include "test_ui_charts.moc"
