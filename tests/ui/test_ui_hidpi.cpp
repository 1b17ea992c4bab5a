// High DPI (issue 7): the app run at a device pixel ratio of 2 (QT_SCALE_FACTOR=2, set before the
// application starts): charts are drawn into buffers at the screen's ratio (crisp, not upscaled),
// and exports keep the pixel size asked for whatever the screen.
#include "UiTestSupport.h"
#include "charts/ChartExport.h"
#include "charts/ChartView.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QImageReader>
#include <QTemporaryDir>
#include <QTest>

using namespace sinkscope;
using namespace sinkscope::ui;

using test::lineBuilder;

class TestUiHiDpi : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    test::isolateSettings(QStringLiteral("test_ui_hidpi"));
    QCOMPARE(qApp->devicePixelRatio(), 2.0);
  }

  void chartViewIsGrabbedAtTwiceItsLogicalSize() {
    ChartView view(QStringLiteral("High-DPI chart"));
    view.resize(480, 320);
    view.setChart(QStringLiteral("Squares"), Provenance::Modelled, lineBuilder(), ChartTable{});
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.devicePixelRatioF(), 2.0);
    const QPixmap pixmap = view.grab();
    QCOMPARE(pixmap.devicePixelRatio(), 2.0);
    QCOMPARE(pixmap.size(), QSize(960, 640));
    QCOMPARE(view.plot()->bufferDevicePixelRatio(), 2.0);  // drawn at 2x, not upscaled
  }

  void aPlotCreatedAtAnotherRatioIsRedrawnAtTheScreens() {
    ChartView view(QStringLiteral("Moved chart"));
    view.resize(400, 300);
    view.setChart(QStringLiteral("Squares"), Provenance::Modelled, lineBuilder(), ChartTable{});
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.plot()->setBufferDevicePixelRatio(1.0);  // as if created on a 1x screen, then moved
    const QPixmap pixmap = view.plot()->grab();
    QCOMPARE(view.plot()->bufferDevicePixelRatio(), 2.0);
    QCOMPARE(pixmap.size(), view.plot()->size() * 2);
  }

  void pngExportHasTheRequestedPixelSize() {
    ChartView view(QStringLiteral("Exported chart"));
    view.setChart(QStringLiteral("Squares"), Provenance::Modelled, lineBuilder(), ChartTable{});
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("hidpi.png"));
    view.exportTo(path, QSize(400, 300), 2.0);  // 2x of the size asked for, not 2x of 2x
    QImageReader reader(path);
    QCOMPARE(reader.size(), QSize(800, 600));
    QCOMPARE(reader.read().pixelColor(2, 2), QColor(Qt::white));
    view.exportTo(path, QSize(400, 300), 1.0);
    QCOMPARE(QImageReader(path).size(), QSize(400, 300));
  }
};

int main(int argc, char** argv) {
  qputenv("QT_SCALE_FACTOR", "2");  // before the application reads it
  QApplication app(argc, argv);
  TestUiHiDpi test;
  return QTest::qExec(&test, argc, argv);
}

#include "test_ui_hidpi.moc"
