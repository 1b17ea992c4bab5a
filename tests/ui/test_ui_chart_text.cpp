// Every chart of the window, drawn at 1280×720 with every mitigation selected (and, run as
// test_ui_chart_text_hidpi, at a device pixel ratio of 2): no two text items overlap, no text
// item lies across a plotted bar, and none is clipped. Boxes come from QCustomPlot itself (item
// anchors, layout rects, axis coordinates, bar data).
#include "MainWindow.h"
#include "UiTestSupport.h"
#include "charts/ChartExport.h"
#include "charts/ChartTheme.h"
#include "charts/ChartView.h"
#include "export/ReportCharts.h"
#include "report/Report.h"
#include "scenario/Scenario.h"
#include "tabs/AnalysisTab.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QFontMetricsF>
#include <QTabWidget>
#include <QTest>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

struct TextBox {
  QString text;
  QRectF rect;  // pixels of the plot widget
  QRectF clip;  // where it is drawn at all: the axis rect for clipped items, else the widget
};

constexpr double kTolerance = 1.0;  // pixels of contact that are not yet an overlap

bool overlaps(const QRectF& a, const QRectF& b) {
  const QRectF common = a.intersected(b);
  return common.width() > kTolerance && common.height() > kTolerance;
}

bool inside(const QRectF& box, const QRectF& area) {
  return box.left() >= area.left() - kTolerance && box.right() <= area.right() + kTolerance &&
         box.top() >= area.top() - kTolerance && box.bottom() <= area.bottom() + kTolerance;
}

// A text item's box from its anchors, less its padding (the padding is empty space).
std::optional<TextBox> itemBox(QCustomPlot& plot, QCPItemText* item) {
  if (!item->visible() || item->text().trimmed().isEmpty()) return std::nullopt;
  QRectF rect = QRectF(item->topLeft->pixelPosition(), item->bottomRight->pixelPosition()).normalized();
  const QMargins pad = item->padding();
  rect.adjust(pad.left(), pad.top(), -pad.right(), -pad.bottom());
  QRectF clip = plot.rect();
  if (item->clipToAxisRect() && item->clipAxisRect()) clip = item->clipAxisRect()->rect();
  return TextBox{item->text().trimmed(), rect, clip};
}

// The value a stacked bar starts from at `key`: its base value plus the bars below it there
// (QCPBars stacks bars of the same sign).
double stackedBase(const QCPBars& bars, double key, double value) {
  double base = bars.baseValue();
  for (const QCPBars* below = bars.barBelow(); below; below = below->barBelow()) {
    const auto it = below->data()->findBegin(key, false);
    if (it == below->data()->constEnd() || it->key != key) continue;
    if ((it->value >= 0) == (value >= 0)) base += it->value;
  }
  return base;
}

// Every drawn bar's rectangle in the plot's pixels (widths in plot coordinates, as the charts set).
std::vector<QRectF> barRects(QCustomPlot& plot) {
  std::vector<QRectF> rects;
  for (int i = 0; i < plot.plottableCount(); ++i) {
    auto* bars = qobject_cast<QCPBars*>(plot.plottable(i));
    if (!bars || !bars->visible() || bars->widthType() != QCPBars::wtPlotCoords) continue;
    QCPAxis* keyAxis = bars->keyAxis();
    QCPAxis* valueAxis = bars->valueAxis();
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
      const double base = stackedBase(*bars, it->key, it->value);
      const double k0 = keyAxis->coordToPixel(it->key - bars->width() / 2);
      const double k1 = keyAxis->coordToPixel(it->key + bars->width() / 2);
      const double v0 = valueAxis->coordToPixel(base), v1 = valueAxis->coordToPixel(base + it->value);
      const QRectF rect = keyAxis->orientation() == Qt::Horizontal ? QRectF(QPointF(k0, v0), QPointF(k1, v1))
                                                                   : QRectF(QPointF(v0, k0), QPointF(v1, k1));
      rects.push_back(rect.normalized().intersected(QRectF(bars->keyAxis()->axisRect()->rect())));
    }
  }
  return rects;
}

// Where QCustomPlot draws an axis's tick labels and its label (QCPAxisPainterPrivate's layout).
void addAxisBoxes(QCustomPlot& plot, QCPAxis* axis, std::vector<TextBox>& ticks,
                  std::vector<TextBox>& labels) {
  if (!axis->visible()) return;
  const QRect rect = axis->axisRect()->rect();
  const QFontMetricsF tickMetrics(axis->tickLabelFont());
  const double gap = axis->offset() + axis->tickLengthOut() + axis->tickLabelPadding();
  const bool horizontal = axis->orientation() == Qt::Horizontal;
  double depth = 0;  // how far the tick labels reach from the axis line
  if (axis->tickLabels()) {
    const QVector<double> positions = axis->tickVector();
    const QVector<QString> texts = axis->tickVectorLabels();
    for (int i = 0; i < positions.size() && i < texts.size(); ++i) {
      if (!axis->range().contains(positions[i]) || texts[i].isEmpty()) continue;
      const QSizeF size = tickMetrics.size(0, texts[i]);
      const double at = axis->coordToPixel(positions[i]);
      QRectF box;
      switch (axis->axisType()) {
        case QCPAxis::atBottom:
          box = QRectF(at - size.width() / 2, rect.bottom() + 1 + gap, size.width(), size.height());
          break;
        case QCPAxis::atTop:
          box = QRectF(at - size.width() / 2, rect.top() - gap - size.height(), size.width(), size.height());
          break;
        case QCPAxis::atLeft:
          box = QRectF(rect.left() - gap - size.width(), at - size.height() / 2, size.width(), size.height());
          break;
        case QCPAxis::atRight:
          box = QRectF(rect.right() + 1 + gap, at - size.height() / 2, size.width(), size.height());
          break;
      }
      depth = std::max(depth, horizontal ? size.height() : size.width());
      ticks.push_back({texts[i], box, plot.rect()});
    }
  }
  if (axis->label().isEmpty()) return;
  const QSizeF size = QFontMetricsF(axis->labelFont()).size(0, axis->label());
  const double labelGap = gap + depth + axis->labelPadding();
  QRectF box;
  switch (axis->axisType()) {  // centred on the axis; vertical labels are turned a quarter
    case QCPAxis::atBottom:
      box = QRectF(rect.center().x() - size.width() / 2, rect.bottom() + 1 + labelGap, size.width(),
                   size.height());
      break;
    case QCPAxis::atTop:
      box = QRectF(rect.center().x() - size.width() / 2, rect.top() - labelGap - size.height(), size.width(),
                   size.height());
      break;
    case QCPAxis::atLeft:
      box = QRectF(rect.left() - labelGap - size.height(), rect.center().y() - size.width() / 2,
                   size.height(), size.width());
      break;
    case QCPAxis::atRight:
      box = QRectF(rect.right() + 1 + labelGap, rect.center().y() - size.width() / 2, size.height(),
                   size.width());
      break;
  }
  labels.push_back({axis->label(), box, plot.rect()});
}

// Every problem with the text of one drawn plot, in words.
QStringList textProblems(QCustomPlot& plot, const QString& name) {
  std::vector<TextBox> items, ticks, labels;
  for (int i = 0; i < plot.itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(plot.item(i)))
      if (auto box = itemBox(plot, text)) items.push_back(*box);
  for (QCPAxisRect* rect : plot.axisRects())
    for (QCPAxis* axis : rect->axes()) addAxisBoxes(plot, axis, ticks, labels);
  for (QCPLayoutElement* element : plot.plotLayout()->elements(true)) {
    if (auto* scale = qobject_cast<QCPColorScale*>(element)) addAxisBoxes(plot, scale->axis(), ticks, labels);
    if (auto* title = qobject_cast<QCPTextElement*>(element); title && title->visible()) {
      // Drawn in the element's rect with its own alignment (an exported heading is left-aligned).
      const QSizeF size = QFontMetricsF(title->font()).size(0, title->text());
      const QRect area = title->rect();
      const double left = (title->textFlags() & Qt::AlignLeft)    ? area.left()
                          : (title->textFlags() & Qt::AlignRight) ? area.right() + 1 - size.width()
                                                                  : area.center().x() - size.width() / 2;
      labels.push_back({title->text(), QRectF(left, area.top(), size.width(), size.height()), plot.rect()});
    }
  }
  QStringList problems;
  const std::vector<QRectF> bars = barRects(plot);
  const auto where = [&](const TextBox& box) {
    return QStringLiteral("'%1' at (%2, %3, %4×%5)")
        .arg(box.text)
        .arg(box.rect.x(), 0, 'f', 0)
        .arg(box.rect.y(), 0, 'f', 0)
        .arg(box.rect.width(), 0, 'f', 0)
        .arg(box.rect.height(), 0, 'f', 0);
  };
  std::vector<TextBox> all = items;
  all.insert(all.end(), labels.begin(), labels.end());
  for (const TextBox& box : all)
    if (!inside(box.rect, box.clip.intersected(plot.rect())))
      problems << QStringLiteral("%1: %2 is clipped").arg(name, where(box));
  for (const TextBox& box : ticks)
    if (!inside(box.rect, plot.rect()))
      problems << QStringLiteral("%1: tick %2 is clipped").arg(name, where(box));
  if (plot.legend && plot.legend->visible()) {
    const TextBox legend{QStringLiteral("legend"), QRectF(plot.legend->outerRect()), plot.rect()};
    for (const TextBox& box : items)
      if (overlaps(box.rect, legend.rect))
        problems << QStringLiteral("%1: %2 lies under the legend").arg(name, where(box));
  }
  // A text item across a bar hides the bar's end and is hard to read; a label wholly inside its
  // bar is that bar's own value label (drawn in a contrasting colour) and is allowed.
  for (const TextBox& box : items)
    for (const QRectF& bar : bars)
      if (overlaps(box.rect, bar) && !inside(box.rect, bar))
        problems << QStringLiteral("%1: %2 lies across a bar at (%3, %4, %5×%6)")
                        .arg(name, where(box))
                        .arg(bar.x(), 0, 'f', 0)
                        .arg(bar.y(), 0, 'f', 0)
                        .arg(bar.width(), 0, 'f', 0)
                        .arg(bar.height(), 0, 'f', 0);
  all.insert(all.end(), ticks.begin(), ticks.end());
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = i + 1; j < all.size(); ++j)
      if (overlaps(all[i].rect, all[j].rect))
        problems << QStringLiteral("%1: %2 overlaps %3").arg(name, where(all[i]), where(all[j]));
  return problems;
}

// The visible plots of a tab, each page of its inner tab widgets in turn; counts the plots checked.
QStringList tabProblems(AnalysisTab* tab, int& plotsChecked) {
  QStringList problems;
  const auto checkVisible = [&] {
    for (QCustomPlot* plot : tab->findChildren<QCustomPlot*>()) {
      if (!plot->isVisible()) continue;
      plot->replot(QCustomPlot::rpImmediateRefresh);
      ++plotsChecked;
      const auto* view = qobject_cast<const ChartView*>(plot->parentWidget());
      const QString title = view ? view->title() : QString();
      problems << textProblems(*plot, QStringLiteral("%1 tab, %2 (%3×%4)")
                                          .arg(tab->id(), title.isEmpty() ? QStringLiteral("plot") : title)
                                          .arg(plot->width())
                                          .arg(plot->height()));
    }
  };
  checkVisible();
  for (QTabWidget* pages : tab->findChildren<QTabWidget*>()) {
    const int shown = pages->currentIndex();
    for (int page = 0; page < pages->count(); ++page) {
      if (page == shown) continue;
      pages->setCurrentIndex(page);
      QCoreApplication::processEvents();
      checkVisible();
    }
    pages->setCurrentIndex(shown);
  }
  problems.removeDuplicates();
  return problems;
}

}  // namespace

class TestUiChartText : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    test::isolateSettings(QStringLiteral("test_ui_chart_text"));
    const double scale = qEnvironmentVariableIsSet("SINKSCOPE_TEST_SCALE")
                             ? qEnvironmentVariable("SINKSCOPE_TEST_SCALE").toDouble()
                             : 1.0;
    QCOMPARE(qApp->devicePixelRatio(), scale);  // the _hidpi run really draws at 200 %
  }

  // The default scenario (Mistral 7B at 32K on an H100), every mitigation the model can take.
  void everyChartReadsCleanlyWithAllMitigations() {
    MainWindow window;
    window.resize(1280, 720);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.scenario().setMitigations(mitigationsFor(true));
    QStringList problems;
    int plotsChecked = 0;
    for (const char* id : {"planner", "mitigations", "sink-curve", "heatmap"}) {
      AnalysisTab* tab = window.analysisTab(QString::fromLatin1(id));
      QVERIFY2(tab, id);
      test::showAndWait(window, tab);
      problems << tabProblems(tab, plotsChecked);
    }
    // Memory bars, memory curve, throughput, confidence, effective context, sink curve, heatmaps.
    QVERIFY2(plotsChecked >= 7, qPrintable(QString::number(plotsChecked)));
    QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("\n") + problems.join(QLatin1Char('\n'))));
  }

  // The report's plan charts (memory, effective context, confidence) as the PDF report (an A4
  // page, 595 points less two 50-point margins) and the HTML report (900 wide) draw them, without
  // a heading (the report writes the caption), and as `sinkscope chart` draws them (900 wide,
  // with its heading), for the same scenario.
  void reportChartsReadCleanlyWithAllMitigations() {
    ReportScenario scenario;
    scenario.mitigations = mitigationsFor(true);
    const Report report = buildReport(scenario, {}, QDateTime::currentDateTimeUtc(), false);
    QStringList problems;
    int plotsChecked = 0;
    for (ChartKind kind : {ChartKind::Memory, ChartKind::Mitigations, ChartKind::Confidence}) {
      const auto builder = chartBuilderFor(report, kind);
      QVERIFY2(builder, qPrintable(chartKindName(kind)));
      const ChartBuilder headed = withHeading(*builder, chartHeadingFor(report, kind));
      for (const auto& [width, drawn, surface] :
           {std::tuple{495, *builder, "pdf"}, std::tuple{900, *builder, "html"},
            std::tuple{900, headed, "chart"}}) {
        const QSize size = defaultChartSize(report, kind, width);
        const auto plot = buildOffscreen(drawn, ChartTheme::print(), size);
        // Laid out at the drawn size, as toPainter() and toPixmap() lay it out (a hidden widget
        // gets no resize event, so its viewport would keep the default size).
        plot->setViewport(QRect(QPoint(0, 0), size));
        plot->replot(QCustomPlot::rpImmediateRefresh);
        ++plotsChecked;
        problems << textProblems(*plot, QStringLiteral("%1 %2 (%3×%4)")
                                            .arg(QString::fromLatin1(surface), chartKindName(kind))
                                            .arg(size.width())
                                            .arg(size.height()));
      }
    }
    QCOMPARE(plotsChecked, 9);
    QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("\n") + problems.join(QLatin1Char('\n'))));
  }
};

int main(int argc, char** argv) {
  // test_ui_chart_text_hidpi sets SINKSCOPE_TEST_SCALE=2: the same checks at a device pixel ratio of 2.
  if (qEnvironmentVariableIsSet("SINKSCOPE_TEST_SCALE"))
    qputenv("QT_SCALE_FACTOR", qgetenv("SINKSCOPE_TEST_SCALE"));
  QApplication app(argc, argv);
  TestUiChartText test;
  return QTest::qExec(&test, argc, argv);
}

#include "test_ui_chart_text.moc"
