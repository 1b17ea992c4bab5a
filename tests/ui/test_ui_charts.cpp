// Chart infrastructure: colour maps against matplotlib's published tables, the Okabe–Ito
// palette, CSV of chart tables, and PNG/SVG/PDF export (size, vector content, atomic failure).
#include "ScreenshotRunner.h"
#include "UiTestSupport.h"
#include "charts/AttentionCharts.h"
#include "charts/ChartExport.h"
#include "charts/ChartHelpers.h"
#include "charts/ChartSaveDialogs.h"
#include "charts/ChartTable.h"
#include "charts/ChartView.h"
#include "charts/ColorMaps.h"
#include "common/Error.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QImageReader>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QXmlStreamReader>

using namespace sinkscope;
using namespace sinkscope::ui;

using test::lineBuilder;

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

double relativeLuminance(const QColor& color) {
  auto linear = [](double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); };
  return 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) + 0.0722 * linear(color.blueF());
}

// WCAG 2 contrast ratio between two colours (1..21).
double contrast(const QColor& a, const QColor& b) {
  const double la = relativeLuminance(a), lb = relativeLuminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

}  // namespace

class TestUiCharts : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_charts")); }

  // An exported chart stands alone: its title, provenance tag and the model/hardware/context
  // caption are drawn into the file, above and below whatever layout the builder made.
  void exportsCarryTitleProvenanceAndCaption() {
    const ChartHeading heading{QStringLiteral("Sink curve against context"), QStringLiteral("modelled"),
                               QStringLiteral("Llama-2-7B · NVIDIA H100 · context 32,768 tokens")};
    const QSize size(600, 400);
    auto plot = buildOffscreen(withHeading(test::lineBuilder(), heading), ChartTheme::print(), size);
    QStringList texts;
    for (QCPTextElement* element : plot->findChildren<QCPTextElement*>()) texts << element->text();
    QVERIFY2(texts.contains(QStringLiteral("Sink curve against context [modelled]")),
             qPrintable(texts.join(QLatin1Char('|'))));
    QVERIFY2(texts.contains(heading.caption), qPrintable(texts.join(QLatin1Char('|'))));
    // The chart keeps most of the height: the heading rows take only their text's lines.
    QVERIFY2(plot->axisRect()->outerRect().height() > size.height() / 2,
             qPrintable(QString::number(plot->axisRect()->outerRect().height())));
    const QByteArray svg = renderChart(withHeading(test::lineBuilder(), heading), ChartFormat::Svg, size);
    QVERIFY(svg.contains("[modelled]"));
    QVERIFY(svg.contains("32,768 tokens"));
    // A long title wraps to the width instead of running off the image.
    ChartHeading longTitle = heading;
    longTitle.title = QString(QStringLiteral("memory against context ")).repeated(6).trimmed();
    auto wrapped = buildOffscreen(withHeading(test::lineBuilder(), longTitle), ChartTheme::print(), size);
    for (QCPTextElement* element : wrapped->findChildren<QCPTextElement*>()) {
      const QFontMetrics metrics(element->font());
      for (const QString& line : element->text().split(QLatin1Char('\n')))
        QVERIFY2(metrics.horizontalAdvance(line) <= size.width() - 16, qPrintable(line));
    }
  }

  // Token axes read 0, 8K, 16K, ... (round values), never a bin's own start such as 9.8K.
  void tokenTicksAreRoundValues() {
    QCOMPARE(roundTokenTicks(32768, 4), (std::vector<qint64>{0, 8192, 16384, 24576, 32768}));
    QCOMPARE(roundTokenTicks(32767, 4), (std::vector<qint64>{0, 8192, 16384, 24576}));
    QCOMPARE(roundTokenTicks(4096, 6), (std::vector<qint64>{0, 1024, 2048, 3072, 4096}));
    QCOMPARE(roundTokenTicks(100, 3), (std::vector<qint64>{0, 32, 64, 96}));
    QCOMPARE(roundTokenTicks(0, 3), (std::vector<qint64>{0}));
    for (qint64 maxTokens : {1, 7, 1000, 131072, 10485760})
      for (int maxTicks : {1, 3, 6}) {
        const std::vector<qint64> ticks = roundTokenTicks(maxTokens, maxTicks);
        QVERIFY2(int(ticks.size()) <= maxTicks + 1,
                 qPrintable(QStringLiteral("%1 ticks for %2").arg(ticks.size()).arg(maxTokens)));
        const qint64 step = ticks.size() > 1 ? ticks[1] : 1;
        QCOMPARE(step & (step - 1), qint64(0));  // a power of two
      }
  }

  void colourMapsMatchMatplotlibBetweenStops() {
    for (const PublishedEntry& entry : kPublished) {
      const QColor color = colorMapAt(entry.map, entry.index / 255.0);
      const double error = std::max({std::abs(color.redF() - entry.r), std::abs(color.greenF() - entry.g),
                                     std::abs(color.blueF() - entry.b)});
      QVERIFY2(
          error < 0.006,
          qPrintable(
              QStringLiteral("%1[%2] off by %3").arg(colorMapLabel(entry.map)).arg(entry.index).arg(error)));
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
    for (const char* hex :
         {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"})
      QVERIFY2(std::find(palette.begin(), palette.end(), QColor(QLatin1String(hex))) != palette.end(), hex);
    ChartTheme dark = ChartTheme::darkTheme();
    for (int i = 0; i < 8; ++i) QVERIFY(dark.seriesColor(i) != QColor(Qt::black));
  }

  void tableCsvQuotesAndKeepsPrecision() {
    ChartTable table;
    table.columns = {QStringLiteral("context (tokens)"), QStringLiteral("label, with comma")};
    table.addRow({qint64(32768), QStringLiteral("say \"hi\"")});
    table.addRow({0.123456789012, QStringLiteral("plain")});
    QCOMPARE(table.toCsv(),
             QStringLiteral("context (tokens),\"label, with comma\"\n32768,\"say \"\"hi\"\"\"\n"
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

  // Issue 7: plot themes follow the system (the application palette); exports stay white.
  void chartsFollowTheApplicationPaletteAndExportsStayWhite() {
    ChartView view(QStringLiteral("Themed chart"));
    view.resize(500, 360);
    view.show();
    view.setChart(QStringLiteral("Squares"), Provenance::Modelled, lineBuilder(), ChartTable{});
    const QPalette original = QApplication::palette();
    QVERIFY(!view.screenTheme().dark);
    QVERIFY(view.plot()->axisRect()->backgroundBrush().color().lightness() > 200);

    QApplication::setPalette(darkDesktopPalette());
    QCoreApplication::processEvents();
    const ChartTheme dark = view.screenTheme();
    QVERIFY(dark.dark);
    // The live chart was rebuilt: dark background, light axis text, ticks and axis lines.
    QVERIFY(view.plot()->axisRect()->backgroundBrush().color().lightness() < 60);
    QVERIFY(view.plot()->xAxis->tickLabelColor().lightness() > 200);
    QVERIFY(view.plot()->yAxis->labelColor().lightness() > 200);
    QVERIFY(view.plot()->xAxis->basePen().color().lightness() > 200);
    QVERIFY(view.plot()->toPixmap(200, 150).toImage().pixelColor(2, 2).lightness() < 60);
    // Readable on dark: text 7:1 (WCAG AAA), reference/cap lines 4.5:1, every series colour and
    // the grid visible (3:1 for graphics, the grid faint but distinct).
    QVERIFY(contrast(dark.foreground, dark.background) >= 7.0);
    QVERIFY(contrast(dark.reference, dark.background) >= 4.5);
    QVERIFY(contrast(dark.warning, dark.background) >= 4.5);
    for (int i = 0; i < int(okabeItoPalette().size()); ++i)
      QVERIFY2(contrast(dark.seriesColor(i), dark.background) >= 3.0, qPrintable(dark.seriesColor(i).name()));
    QVERIFY(contrast(dark.grid, dark.background) >= 1.5);
    // Exports keep the white print theme.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("dark.png"));
    view.exportTo(path);
    QCOMPARE(QImage(path).pixelColor(2, 2), QColor(Qt::white));

    QApplication::setPalette(original);
    QCoreApplication::processEvents();
    QVERIFY(!view.screenTheme().dark);
    QVERIFY(view.plot()->axisRect()->backgroundBrush().color().lightness() > 200);
    QVERIFY(view.plot()->xAxis->tickLabelColor().lightness() < 80);
    const ChartTheme light = view.screenTheme();
    QVERIFY(contrast(light.foreground, light.background) >= 7.0);
    QVERIFY(contrast(light.reference, light.background) >= 4.5);
  }

  // Issue 8: Save… asks for the size (PNG pixels with the scale; SVG/PDF points or mm), remembers
  // it, and the export takes that size. Driven without a modal dialog.
  void exportSizeIsChosenRememberedAndUsed() {
    ChartView view(QStringLiteral("Sized chart"));
    view.setChart(QStringLiteral("Squares"), Provenance::Modelled, lineBuilder(), ChartTable{});
    QTemporaryDir dir;
    {
      ExportSizeDialog png(ChartFormat::Png);
      QCOMPARE(png.choice(), ChartExportSize{});  // nothing remembered yet: 900 × 560 at 2×
      png.widthBox()->setValue(640);
      png.heightBox()->setValue(400);
      QCOMPARE(png.choice().pngPixels(), QSize(1280, 800));
      png.accept();  // remembers
    }
    ExportSizeDialog png(ChartFormat::Png);
    const ChartExportSize chosen = png.choice();
    QCOMPARE(chosen.logical, QSize(640, 400));
    QCOMPARE(chosen.pngScale, 2.0);
    const QString pngPath = dir.filePath(QStringLiteral("sized.png"));
    view.exportTo(pngPath, chosen.logical, chosen.pngScale);
    QCOMPARE(QImageReader(pngPath).size(), QSize(1280, 800));

    // PDF in millimetres: 160 × 100 mm is 453.5 × 283.5 pt (1 mm = 72 / 25.4 pt).
    {
      ExportSizeDialog pdf(ChartFormat::Pdf);
      pdf.setUnit(LengthUnit::Millimetres);
      QCOMPARE(pdf.widthBox()->value(), 317.5);  // the default 900 pt shown in mm
      pdf.widthBox()->setValue(160);
      pdf.heightBox()->setValue(100);
      QCOMPARE(pdf.choice().logical, QSize(454, 283));
      pdf.accept();
    }
    ExportSizeDialog svg(ChartFormat::Svg);  // SVG and PDF share the vector size and unit
    QCOMPARE(svg.unit(), LengthUnit::Millimetres);
    QCOMPARE(svg.choice().logical, QSize(454, 283));
    const QString pdfPath = dir.filePath(QStringLiteral("sized.pdf"));
    view.exportTo(pdfPath, svg.choice().logical);
    QFile pdf(pdfPath);
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QRegularExpressionMatch box =
        QRegularExpression(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"))
            .match(QString::fromLatin1(pdf.readAll()));
    QVERIFY(box.hasMatch());
    QCOMPARE(box.captured(1).toDouble(), 454.0);
    QCOMPARE(box.captured(2).toDouble(), 283.0);
    // Out-of-range remembered values fall back into the range the command line accepts.
    QSettings settings;
    rememberExportSize(settings, ChartFormat::Png, {QSize(50, 99999), 20.0});
    const ChartExportSize clamped = rememberedExportSize(settings, ChartFormat::Png);
    QCOMPARE(clamped.logical, QSize(kMinExportWidth, kMaxExportSide));
    QCOMPARE(clamped.pngScale, kDefaultPngScale);
  }

  // The size dialog offers only what the renderer draws: one limit (docs/limits.md, "Charts":
  // 16,777,216 PNG pixels, 4096 x 4096) decides both, at the boundary and far beyond it.
  void exportDialogOffersOnlyWhatRenders_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<double>("scale");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("default 900 x 560 at 2") << 900 << 560 << 2.0 << true;
    QTest::newRow("2048 x 2048 at 2: exactly 4096 x 4096") << 2048 << 2048 << 2.0 << true;
    QTest::newRow("2049 x 2048 at 2: 8192 pixels above") << 2049 << 2048 << 2.0 << false;
    QTest::newRow("4000 x 4000 at 1: 16,000,000") << 4000 << 4000 << 1.0 << true;
    QTest::newRow("4000 x 4000 at 1.5") << 4000 << 4000 << 1.5 << false;
    QTest::newRow("4000 x 4000 at 4: the largest of each box") << 4000 << 4000 << 4.0 << false;
    QTest::newRow("3000 x 1500 at 3") << 3000 << 1500 << 3.0 << false;
    QTest::newRow("1000 x 1000 at 4: 16,000,000") << 1000 << 1000 << 4.0 << true;
  }
  void exportDialogOffersOnlyWhatRenders() {
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(double, scale);
    QFETCH(bool, allowed);
    QSettings().remove(QStringLiteral("chart_export"));
    ExportSizeDialog dialog(ChartFormat::Png);
    dialog.widthBox()->setValue(width);
    dialog.heightBox()->setValue(height);
    for (QDoubleSpinBox* box : dialog.findChildren<QDoubleSpinBox*>())
      if (box != dialog.widthBox() && box != dialog.heightBox()) box->setValue(scale);
    QCOMPARE(dialog.choice(), (ChartExportSize{QSize(width, height), scale}));
    QPushButton* save = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
    QCOMPARE(save->isEnabled(), allowed);
    QCOMPARE(dialog.sizeProblem().isEmpty(), allowed);
    dialog.accept();
    QCOMPARE(dialog.result() == QDialog::Accepted, allowed);
    // The renderer's verdict on the same size: refused before drawing, or drawn (small ones only,
    // to keep the test short; the rest share pngSizeProblem with the renderer).
    const auto render = [&] {
      return renderChart(lineBuilder(), ChartFormat::Png, QSize(width, height), scale);
    };
    if (!allowed) {
      QVERIFY_THROWS_EXCEPTION(Error, render());
      QVERIFY(!QSettings().contains(
          QStringLiteral("chart_export/png/width")));  // a refused size is not remembered
    } else if (pngPixelCount(QSize(width, height), scale) <= 4'000'000) {
      QVERIFY(!render().isEmpty());
    }
    QSettings().remove(QStringLiteral("chart_export"));  // other tests start from nothing remembered
  }

  // Issue 8: an existing file is replaced only after a confirmation (Qt's own save dialog).
  void saveDialogAsksBeforeReplacingAFile() {
    QTemporaryDir dir;
    const QString existing = dir.filePath(QStringLiteral("chart.png"));
    QFile file(existing);
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write("old") == 3);
    file.close();
    const std::unique_ptr<QFileDialog> dialog(createChartFileDialog(nullptr, existing));
    QVERIFY(!dialog->testOption(QFileDialog::DontConfirmOverwrite));
    QCOMPARE(dialog->acceptMode(), QFileDialog::AcceptSave);
    dialog->setOption(QFileDialog::DontUseNativeDialog);
    dialog->show();
    QString asked;
    const auto answer = [&asked](QMessageBox::StandardButton button) {
      QTimer::singleShot(0, [&asked, button] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) return;
        asked = box->text();
        box->button(button)->click();
      });
    };
    answer(QMessageBox::No);
    static_cast<QDialog*>(dialog.get())->accept();  // what the Save button does
    QVERIFY2(asked.contains(QStringLiteral("already exists")), qPrintable(asked));
    QVERIFY(dialog->result() != QDialog::Accepted);
    asked.clear();
    answer(QMessageBox::Yes);
    static_cast<QDialog*>(dialog.get())->accept();  // what the Save button does
    QVERIFY(!asked.isEmpty());
    QCOMPARE(dialog->result(), int(QDialog::Accepted));
    QCOMPARE(QFileInfo(dialog->selectedFiles().value(0)).fileName(), QStringLiteral("chart.png"));
    // A name typed without a suffix takes the chosen filter's.
    const std::unique_ptr<QFileDialog> svg(
        createChartFileDialog(nullptr, dir.filePath(QStringLiteral("c.svg"))));
    QCOMPARE(svg->defaultSuffix(), QStringLiteral("svg"));
    svg->selectNameFilter(svg->nameFilters().value(2));
    emit svg->filterSelected(svg->nameFilters().value(2));
    QCOMPARE(svg->defaultSuffix(), QStringLiteral("pdf"));
  }

  // The trained-context line of a heatmap separates the query rows inside the trained context
  // from those past it, also for unevenly spaced rows (the measured defaults 63, 255, 511, 1023,
  // 2047 at a trained context of 512: between row 511 and row 1023), and the key line falls at
  // key 512 inside its bin.
  void heatmapTrainedLinesSeparateInsideFromPast() {
    auto data = std::make_shared<HeatmapChartData>();
    data->contextTokens = 2048;
    data->trainedContextTokens = 512;
    PooledHeatmap heatmap;
    heatmap.queryPositions = {63, 255, 511, 1023, 2047};
    heatmap.exactKeyColumns = 0;
    for (qint64 start = 0; start <= 2048; start += 256) heatmap.binStart.push_back(start);
    heatmap.mass.assign(size_t(heatmap.rows() * heatmap.bins()), 0.125f);
    data->panels.push_back({Mitigation::Baseline, heatmap, QString()});
    ChartView view(QStringLiteral("Heatmap"));
    view.setChart(QStringLiteral("Heatmap"), Provenance::Measured,
                  heatmapBuilder(data, HeatmapStyle{}, false), heatmapTable(*data));
    QList<double> horizontal, vertical;
    for (int i = 0; i < view.plot()->itemCount(); ++i)
      if (auto* line = qobject_cast<QCPItemStraightLine*>(view.plot()->item(i))) {
        if (line->point1->coords().y() == line->point2->coords().y())
          horizontal << line->point1->coords().y();
        if (line->point1->coords().x() == line->point2->coords().x()) vertical << line->point1->coords().x();
      }
    QCOMPARE(horizontal, QList<double>{3.0});  // rows 0..2 (63, 255, 511) above, 3..4 below
    QCOMPARE(vertical, QList<double>{2.0});    // key 512 starts bin 2
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
