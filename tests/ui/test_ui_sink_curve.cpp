// The Sink curve tab's effective-context view driven offscreen: its lines against the planner's
// mitigation model (MitigationModel.h) for the same model, context and mitigation; its markers
// against resources/references.json parsed here on its own; hover text; metric switching. Also
// the layout bugs seen in screenshots: colliding chart labels and clipped chart titles.
#include "MainWindow.h"
#include "UiTestSupport.h"
#include "attention/ModelledAttention.h"
#include "catalog/Catalog.h"
#include "charts/ChartView.h"
#include "charts/EffectiveContextChart.h"
#include "planner/MitigationModel.h"
#include "planner/Plan.h"
#include "planner/PlannerResources.h"
#include "planner/ReferencePoints.h"
#include "scenario/Explanations.h"
#include "scenario/Scenario.h"
#include "tabs/AttentionJobs.h"
#include "tabs/PlannerTab.h"
#include "tabs/SinkCurveTab.h"

#include <qcustomplot.h>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>

#include <cmath>

using namespace sinkscope;
using namespace sinkscope::ui;

using test::catalogueId;
using test::showAndWait;

namespace {

QCPGraph* graphNamed(QCustomPlot* plot, const QString& name) {
  for (int i = 0; i < plot->graphCount(); ++i)
    if (plot->graph(i)->name() == name) return plot->graph(i);
  return nullptr;
}

QList<QCPGraph*> markerGraphs(QCustomPlot* plot) {
  QList<QCPGraph*> markers;
  for (int i = 0; i < plot->graphCount(); ++i)
    if (plot->graph(i)->property(kReferenceIdProperty).isValid()) markers << plot->graph(i);
  return markers;
}

// The eligible points, straight from the JSON: metrics that report an effective context
// (passkey_context stored [0, length] -> x = length; ruler_effective_length [claimed, effective];
// claim [context, value]) plus the source document's rows (context, effective_context).
struct ExpectedMarker {
  QString id;
  double x = 0, y = 0;
  QString source;
  QString modelId;
};

std::vector<ExpectedMarker> expectedMarkers() {
  QFile file(QStringLiteral(":/references.json"));
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
  std::vector<ExpectedMarker> markers;
  for (const QJsonValue& value : root.value(QStringLiteral("points")).toArray()) {
    const QJsonObject point = value.toObject();
    const QString metric = point.value(QStringLiteral("metric")).toString();
    if (metric != QLatin1String("passkey_context") && metric != QLatin1String("ruler_effective_length") &&
        metric != QLatin1String("claim"))
      continue;
    for (const QJsonValue& pair : point.value(QStringLiteral("values")).toArray()) {
      const double first = pair.toArray().at(0).toDouble(), second = pair.toArray().at(1).toDouble();
      markers.push_back({point.value(QStringLiteral("id")).toString(), first > 0 ? first : second, second,
                         point.value(QStringLiteral("source")).toString(),
                         point.value(QStringLiteral("model_id")).toString()});
    }
  }
  const QJsonObject document = root.value(QStringLiteral("source_document")).toObject();
  int index = 0;
  for (const QJsonValue& value : document.value(QStringLiteral("rows")).toArray()) {
    const QJsonObject row = value.toObject();
    markers.push_back({QStringLiteral("source-document-%1").arg(++index),
                       row.value(QStringLiteral("context")).toDouble(),
                       row.value(QStringLiteral("effective_context")).toDouble(),
                       document.value(QStringLiteral("source")).toString(),
                       row.value(QStringLiteral("model_id")).toString()});
  }
  return markers;
}

// Where an item text is drawn, in plot pixels (its position, alignment and font, as QCustomPlot
// lays it out).
QRectF textRect(QCPItemText* item) {
  const QPointF anchor = item->position->pixelPosition();
  const QFontMetricsF metrics(item->font());
  QRectF rect = metrics.boundingRect(QRectF(0, 0, 10000, 10000), Qt::TextDontClip | item->textAlignment(),
                                     item->text());
  rect = rect.adjusted(0, 0, item->padding().left() + item->padding().right(),
                       item->padding().top() + item->padding().bottom());
  const Qt::Alignment a = item->positionAlignment();
  const double x = a & Qt::AlignRight ? anchor.x() - rect.width()
                                      : (a & Qt::AlignHCenter ? anchor.x() - rect.width() / 2 : anchor.x());
  const double y = a & Qt::AlignBottom ? anchor.y() - rect.height()
                                       : (a & Qt::AlignVCenter ? anchor.y() - rect.height() / 2 : anchor.y());
  return QRectF(x, y, rect.width(), rect.height());
}

// Pairs of the plot's text labels that overlap ("a / b"), empty when none do.
QStringList overlappingLabels(QCustomPlot* plot) {
  plot->replot();
  QList<QCPItemText*> texts;
  for (int i = 0; i < plot->itemCount(); ++i)
    if (auto* text = qobject_cast<QCPItemText*>(plot->item(i)); text && text->visible()) texts << text;
  QStringList overlaps;
  for (int i = 0; i < texts.size(); ++i)
    for (int j = i + 1; j < texts.size(); ++j)
      if (textRect(texts[i]).intersects(textRect(texts[j])))
        overlaps << texts[i]->text() + QStringLiteral(" / ") + texts[j]->text();
  return overlaps;
}

// The StreamingLLM cache the planner applies: trained x planner.json's ratio, at least sinks + 1.
qint64 streamingCache(const ModelSpec& model) {
  const PlannerResources& r = plannerResources();
  const qint64 trained = trainedContextOrMaxPositions(model);
  return std::max<qint64>(qint64(std::floor(double(trained) * r.defaults.streamingCacheVsTrained)),
                          r.defaults.streamingSinkTokens + 1);
}

}  // namespace

class TestUiSinkCurve : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_sink_curve")); }

  void effectiveContextIsTheMitigationModels() {
    MainWindow window;
    window.show();
    const QString model = catalogueId("tinyllama");
    QVERIFY(!model.isEmpty());
    const qint64 context = 16384;
    const std::vector<Mitigation> compared{Mitigation::Baseline, Mitigation::Ntk, Mitigation::Yarn,
                                           Mitigation::Streaming};
    window.scenario().setModelId(model);
    window.scenario().setContextTokens(context);
    window.scenario().setMitigations(compared);
    auto* tab = qobject_cast<SinkCurveTab*>(window.analysisTab(QStringLiteral("sink-curve")));
    QVERIFY(tab);
    showAndWait(window, tab);
    tab->setMetric(SinkMetric::EffectiveContext);
    QCustomPlot* plot = tab->chart()->plot();
    const ModelSpec& spec = *Catalog::builtin().findModel(model);
    const std::vector<qint64> contexts = modelledProbeRequest(spec, context).curve.contexts;
    const ChartTable& table = tab->chart()->table();
    const int contextColumn = table.columnIndex(QStringLiteral("context (tokens)"));
    const int centralColumn = table.columnIndex(QStringLiteral("effective context (tokens)"));
    const int lowColumn = table.columnIndex(QStringLiteral("effective low (tokens)"));
    const int highColumn = table.columnIndex(QStringLiteral("effective high (tokens)"));
    QVERIFY(contextColumn >= 0 && centralColumn >= 0 && lowColumn >= 0 && highColumn >= 0);
    bool anyBelowContext = false;
    for (Mitigation mitigation : compared) {
      // The plan at the requested context fixes the factor (and its row is the last point).
      PlanRequest request;
      request.contextTokens = context;
      request.mitigation = mitigation;
      const Plan plan = makePlan(spec, window.scenario().hardware(), request);
      const MitigationPlan* row = planRow(plan, mitigation);
      QVERIFY(row);
      // The curve is configured as the plan configures this mitigation for the requested context.
      const auto series =
          std::find_if(tab->data()->effective.begin(), tab->data()->effective.end(),
                       [&](const EffectiveContextSeries& s) { return s.mitigation == mitigation; });
      QVERIFY(series != tab->data()->effective.end());
      QCOMPARE(series->factor, row->factor);
      QCPGraph* graph = graphNamed(plot, QStringLiteral("%1 (modelled)").arg(mitigationTitle(mitigation)));
      QVERIFY2(graph, qPrintable(mitigationName(mitigation)));
      QCOMPARE(graph->dataCount(), int(contexts.size()));
      for (size_t i = 0; i < contexts.size(); ++i) {
        MitigationScenario scenario;
        scenario.contextTokens = contexts[i];
        scenario.factor = row->factor;
        scenario.streamingCacheTokens = streamingCache(spec);
        const MitigationEstimate expected =
            estimateMitigation(spec, mitigation, scenario, plannerResources(), referenceSet());
        QVERIFY(expected.applicable);
        QCOMPARE(graph->data()->at(int(i))->key, double(contexts[i]));
        // Drawn at 1 token at least (log axis); the table keeps the exact value.
        QCOMPARE(graph->data()->at(int(i))->value, std::max(1.0, expected.effectiveContext.central));
        anyBelowContext = anyBelowContext || expected.effectiveContext.central < 0.5 * double(contexts[i]);
        bool inTable = false;
        for (size_t r = 0; r < table.rows.size(); ++r)
          if (table.rows[r][1].toString() == mitigationName(mitigation) &&
              table.number(r, contextColumn) == double(contexts[i])) {
            inTable = true;
            QCOMPARE(table.number(r, centralColumn), expected.effectiveContext.central);
            QCOMPARE(table.number(r, lowColumn), expected.effectiveContext.low);
            QCOMPARE(table.number(r, highColumn), expected.effectiveContext.high);
          }
        QVERIFY(inTable);
      }
      // At the requested context the line is the plan's own effective context.
      QCOMPARE(
          qint64(std::llround(std::min(double(context), graph->data()->at(graph->dataCount() - 1)->value))),
          std::max<qint64>(1, row->effectiveContext));
    }
    QVERIFY2(anyBelowContext,
             "the scenario must reach past some mitigation's reach, or the check proves little");
  }

  void markersAreTheEligibleReferencePoints() {
    MainWindow window;
    window.show();
    const QString model = catalogueId("llama-3.1-8b");
    QVERIFY(!model.isEmpty());
    window.scenario().setModelId(model);
    window.scenario().setContextTokens(32768);
    window.scenario().setMitigations({Mitigation::Baseline, Mitigation::Llama3});
    auto* tab = qobject_cast<SinkCurveTab*>(window.analysisTab(QStringLiteral("sink-curve")));
    QVERIFY(tab);
    showAndWait(window, tab);
    tab->setMetric(SinkMetric::EffectiveContext);
    QCustomPlot* plot = tab->chart()->plot();
    const std::vector<ExpectedMarker> expected = expectedMarkers();
    QVERIFY(expected.size() >= 10);  // 4 passkey, 8 RULER, 3 claims, 4 document rows at the time of writing
    QList<QCPGraph*> drawn = markerGraphs(plot);
    QCOMPARE(drawn.size(), qsizetype(expected.size()));
    QCPGraph* llama3Line =
        graphNamed(plot, QStringLiteral("%1 (modelled)").arg(mitigationTitle(Mitigation::Llama3)));
    QVERIFY(llama3Line);
    for (const ExpectedMarker& e : expected) {
      auto match = std::find_if(drawn.begin(), drawn.end(), [&](QCPGraph* g) {
        return g->property(kReferenceIdProperty).toString() == e.id && g->data()->at(0)->key == e.x &&
               g->data()->at(0)->value == std::max(1.0, e.y);
      });
      QVERIFY2(match != drawn.end(),
               qPrintable(QStringLiteral("%1 at (%2, %3)").arg(e.id).arg(e.x).arg(e.y)));
      // Filled for this model's own points, hollow for the others.
      const QCPScatterStyle style = (*match)->scatterStyle();
      const bool filled =
          style.brush().style() == Qt::SolidPattern && style.brush().color() == style.pen().color();
      QCOMPARE(filled, e.modelId == model);
      if (!filled) QCOMPARE(style.brush().style(), Qt::NoBrush);
      if (e.id == QLatin1String("ruler-llama-3.1-8b"))
        QCOMPARE(style.pen().color(), llama3Line->pen().color());
      drawn.erase(match);
    }
    // Hover at a marker names its source; between markers nothing.
    plot->replot();
    for (const ExpectedMarker& e : expected) {
      QCPGraph* graph = nullptr;
      for (QCPGraph* g : markerGraphs(plot))
        if (g->property(kReferenceIdProperty).toString() == e.id && g->data()->at(0)->key == e.x) graph = g;
      QVERIFY(graph);
      const QPointF at = graph->coordsToPixels(e.x, std::max(1.0, e.y));
      QVERIFY2(tab->hoverText(at).contains(e.source), qPrintable(e.id));
    }
    const QCPAxisRect* rect = plot->axisRect();
    const QPointF lowerRight(rect->right() - 3, rect->bottom() - 3);
    QVERIFY(tab->hoverText(lowerRight).isEmpty());
    // The data table lists every marker with its source.
    const ChartTable& table = tab->chart()->table();
    const int sourceColumn = table.columnIndex(QStringLiteral("source"));
    size_t referenceRows = 0;
    for (size_t r = 0; r < table.rows.size(); ++r)
      if (table.rows[r][0].toString() == QLatin1String("reference")) {
        ++referenceRows;
        QVERIFY(!table.rows[r][size_t(sourceColumn)].toString().isEmpty());
      }
    QCOMPARE(referenceRows, expected.size());
  }

  void markersOnlyWithTheEffectiveContextMetric() {
    MainWindow window;
    window.show();
    auto* tab = qobject_cast<SinkCurveTab*>(window.analysisTab(QStringLiteral("sink-curve")));
    QVERIFY(tab);
    window.scenario().setContextTokens(8192);
    showAndWait(window, tab);
    for (SinkMetric metric : {SinkMetric::SinkMass1, SinkMetric::SinkMass4, SinkMetric::NormalizedEntropy}) {
      tab->setMetric(metric);
      QVERIFY(markerGraphs(tab->chart()->plot()).isEmpty());
      QVERIFY(tab->noteText().contains(QStringLiteral("Effective context")));
      QVERIFY(tab->chart()->table().columnIndex(QStringLiteral("mean S1 (share)")) >= 0);
      const QStringList overlaps = overlappingLabels(tab->chart()->plot());
      QVERIFY2(overlaps.isEmpty(), qPrintable(overlaps.join(QStringLiteral("; "))));
    }
    tab->setMetric(SinkMetric::EffectiveContext);
    QCOMPARE(markerGraphs(tab->chart()->plot()).size(), qsizetype(expectedMarkers().size()));
    QVERIFY(graphNamed(tab->chart()->plot(), QStringLiteral("effective = requested")));
    QVERIFY(overlappingLabels(tab->chart()->plot()).isEmpty());
    tab->setMetric(SinkMetric::SinkMass1);
    QVERIFY(markerGraphs(tab->chart()->plot()).isEmpty());
  }

  // The memory-against-context chart's labels (fit limit, trained, requested) never collide, and
  // the capacity line is named in the legend; at contexts that put the requested line left,
  // in the middle and at the right end of the axis.
  void plannerMemoryLabelsNeverCollide() {
    MainWindow window;
    window.resize(1200, 800);
    window.show();
    auto* tab = qobject_cast<PlannerTab*>(window.analysisTab(QStringLiteral("planner")));
    QVERIFY(tab);
    for (qint64 context : {qint64(4096), qint64(32768), qint64(1) << 20, qint64(1) << 24}) {
      window.scenario().setContextTokens(context);
      showAndWait(window, tab);
      QCustomPlot* plot = tab->memoryCurve()->plot();
      const QStringList overlaps = overlappingLabels(plot);
      QVERIFY2(overlaps.isEmpty(), qPrintable(overlaps.join(QStringLiteral("; "))));
      bool capacityInLegend = false;
      for (int i = 0; i < plot->graphCount(); ++i)
        capacityInLegend =
            capacityInLegend || (plot->graph(i)->name().startsWith(QStringLiteral("usable capacity")) &&
                                 plot->legend->hasItemWithPlottable(plot->graph(i)));
      QVERIFY(capacityInLegend);
    }
  }

  // A title longer than the room beside the badge ends in "…" (never cut mid-word without a
  // mark) and keeps its whole text in the tooltip.
  void chartTitlesElideBesideTheBadge() {
    ChartView view(QStringLiteral("test"));
    view.resize(360, 240);
    view.show();
    const QString title =
        QStringLiteral("Measured attention — layer 4, mean of heads 0, 2, 4, 6 at 26,584 tokens");
    view.setChart(
        title, Provenance::Measured, [](QCustomPlot&, const ChartTheme&) {}, ChartTable{});
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QLabel* label = nullptr;
    for (QLabel* candidate : view.findChildren<QLabel*>())
      if (candidate->toolTip() == title) label = candidate;
    QVERIFY(label);
    QVERIFY2(label->text().endsWith(QChar(0x2026)), qPrintable(label->text()));
    QVERIFY(title.startsWith(label->text().chopped(1)));
    QVERIFY(label->fontMetrics().horizontalAdvance(label->text()) <= label->contentsRect().width());
    view.resize(1400, 240);
    QTRY_COMPARE(label->text(), title);  // room again: the whole title
  }

  // Every catalogue model with every mitigation that applies to it: a finite, ordered band at each
  // context, or "not applicable" (longrope without searched factors) and no line.
  void effectiveContextForEveryCatalogueModel() {
    for (const ModelSpec& model : Catalog::builtin().models()) {
      const std::vector<Mitigation> mitigations = mitigationsFor(model.usesRope);
      const qint64 context = 4 * std::max<qint64>(512, model.trainedContext);
      const std::vector<qint64> contexts = modelledProbeRequest(model, context).curve.contexts;
      const auto all = effectiveContextSeries(model, mitigations, contexts, context);
      QCOMPARE(all.size(), mitigations.size());
      for (const EffectiveContextSeries& series : all) {
        const QString where = model.id + QLatin1Char('/') + mitigationName(series.mitigation);
        QVERIFY2(series.applicable || series.mitigation == Mitigation::LongRope, qPrintable(where));
        QCOMPARE(series.samples.size(), series.applicable ? contexts.size() : size_t(0));
        for (const EffectiveContextSample& s : series.samples) {
          QVERIFY2(std::isfinite(s.effectiveTokens.central), qPrintable(where));
          QVERIFY2(s.effectiveTokens.low <= s.effectiveTokens.central + 1e-9, qPrintable(where));
          QVERIFY2(s.effectiveTokens.central <= s.effectiveTokens.high + 1e-9, qPrintable(where));
          QVERIFY2(s.effectiveTokens.high <= double(s.contextTokens) + 1e-9, qPrintable(where));
        }
      }
    }
  }
};

QTEST_MAIN(TestUiSinkCurve)
#include "test_ui_sink_curve.moc"
