// The window, the command line and the report say the same thing the same way: one meaning of
// "mean over heads" (the Heatmap tab and `sinkscope probe` average the same query heads,
// docs/modelled-attention.md "Mean over heads"), one number format for bands (core NumberFormat,
// docs/design.md "Numbers as text"), and a glossary tooltip (docs/glossary.md) on every column
// header of every table the window shows.
#include "ColumnGlossary.h"
#include "MainWindow.h"
#include "TestSupport.h"
#include "UiTestSupport.h"
#include "attention/ModelledAttention.h"
#include "catalog/Catalog.h"
#include "charts/ChartView.h"
#include "charts/DataTableDialog.h"
#include "charts/MeasuredCharts.h"
#include "inference/Measurement.h"
#include "scenario/Scenario.h"
#include "tabs/AnalysisTab.h"
#include "tabs/HeatmapTab.h"
#include "tabs/MitigationsTab.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTreeView>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

// "table 'Chart data table', column 'x'" for every horizontal header section without a tooltip
// that explains it (a glossary term and its definition: "Term: definition").
QStringList headersWithoutMeaning(const QAbstractItemView& view, const QAbstractItemModel& model) {
  QStringList missing;
  for (int c = 0; c < model.columnCount(); ++c) {
    const QString header = model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
    const QString tip = model.headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString();
    if (!tip.contains(QStringLiteral(": ")) || tip.size() < header.size() + 20)
      missing << QStringLiteral("table '%1', column '%2'").arg(view.accessibleName(), header);
  }
  return missing;
}

QStringList headersWithoutMeaning(const QWidget& root) {
  QStringList missing;
  for (const QAbstractItemView* view : root.findChildren<QAbstractItemView*>()) {
    if (!qobject_cast<const QTableView*>(view) && !qobject_cast<const QTreeView*>(view)) continue;
    if (view->model()) missing << headersWithoutMeaning(*view, *view->model());
  }
  return missing;
}

// A measured run's tables without running a checkpoint: their columns depend only on the
// mitigations measured, not on the numbers.
std::vector<ChartTable> measuredTables() {
  MeasuredLossChartData loss;
  loss.tokens = {1, 2, 3};
  loss.controlNll = {1.0f, 1.0f};
  for (Mitigation m : {Mitigation::Baseline, Mitigation::Ntk}) {
    MeasuredLossSeries series;
    series.mitigation = m;
    series.nll = {1.0f, 2.0f};
    series.argmax = {2, 3};
    loss.series.push_back(series);
  }
  return {measuredLossTable(loss), sinkGridTable(Measurement{})};
}

QJsonObject probeJson(const QStringList& extra) {
  const test::CliResult r =
      test::runCli(QStringList{QStringLiteral("probe")} + extra +
                   QStringList{QStringLiteral("--contexts"), QStringLiteral("4096"),
                               QStringLiteral("--queries"), QStringLiteral("4"), QStringLiteral("--json")});
  if (r.exitCode != 0) qWarning("%s", r.standardError.constData());
  return QJsonDocument::fromJson(r.standardOutput).object();
}

// The plan text's row for one mitigation ("  ntk   4.0  32K  26K (17K–28K) ...").
QString planLine(const QString& text, const QString& mitigation) {
  for (const QString& line : text.split(QLatin1Char('\n')))
    if (line.startsWith(QStringLiteral("  %1 ").arg(mitigation))) return line;
  return QString();
}

}  // namespace

class TestUiConsistency : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_consistency")); }

  // Without --head, `probe` averages the Heatmap tab's heads (modelledProbeRequest: 4 query heads
  // spread over the layer) and its heatmap is the tab's, cell for cell; both say which heads in the
  // same words. --head N picks one and says "head N".
  void probeAndWindowMeanTheSameHeads() {
    const QString model = test::catalogueId("llama-2-7b");
    QVERIFY(!model.isEmpty());
    MainWindow window;
    window.show();
    window.scenario().setModelId(model);
    window.scenario().setContextTokens(4096);
    window.scenario().setMitigations({Mitigation::Baseline, Mitigation::Ntk});
    window.scenario().setComparePair(Mitigation::Baseline, Mitigation::Ntk);
    auto* tab = qobject_cast<HeatmapTab*>(window.analysisTab(QStringLiteral("heatmap")));
    QVERIFY(tab);
    test::showAndWait(window, tab);
    const auto data = tab->data();
    QVERIFY(data);
    const ModelSpec& spec = *Catalog::builtin().findModel(model);
    QCOMPARE(int(data->heads.size()), kProbeAveragedHeads);  // Llama-2-7B has 32 heads
    const QString words = headsText(spec, data->heads);
    QCOMPARE(words, QStringLiteral("mean over 4 query heads (0, 8, 16, 24)"));
    QVERIFY2(tab->chart()->title().contains(words), qPrintable(tab->chart()->title()));

    const QJsonObject json =
        probeJson({QStringLiteral("--model"), model, QStringLiteral("--context"), QStringLiteral("4096"),
                   QStringLiteral("--mitigation"), QStringLiteral("ntk")});
    QVERIFY(json.value(QStringLiteral("head")).isNull());
    QCOMPARE(json.value(QStringLiteral("heads_text")).toString(), words);
    QJsonArray heads;
    for (int head : data->heads) heads.append(head);
    QCOMPARE(json.value(QStringLiteral("heads")).toArray(), heads);
    QCOMPARE(json.value(QStringLiteral("layer")).toInt(), data->layer);
    const HeatmapPanel* ntk = nullptr;
    for (const HeatmapPanel& panel : data->panels)
      if (panel.mitigation == Mitigation::Ntk) ntk = &panel;
    QVERIFY(ntk);
    const QJsonArray mass =
        json.value(QStringLiteral("heatmap")).toObject().value(QStringLiteral("mass")).toArray();
    QCOMPARE(mass.size(), ntk->heatmap.rows());
    for (int r = 0; r < ntk->heatmap.rows(); ++r) {
      const QJsonArray row = mass.at(r).toArray();
      QCOMPARE(row.size(), ntk->heatmap.bins());
      for (int b = 0; b < ntk->heatmap.bins(); ++b)
        QVERIFY2(std::abs(row.at(b).toDouble() - double(ntk->heatmap.at(r, b))) < 1e-7,
                 qPrintable(QStringLiteral("row %1, bin %2").arg(r).arg(b)));
    }

    const QJsonObject one =
        probeJson({QStringLiteral("--model"), model, QStringLiteral("--context"), QStringLiteral("4096"),
                   QStringLiteral("--head"), QStringLiteral("3"), QStringLiteral("--rows"),
                   QStringLiteral("4"), QStringLiteral("--bins"), QStringLiteral("8")});
    QCOMPARE(one.value(QStringLiteral("head")).toInt(), 3);
    QCOMPARE(one.value(QStringLiteral("heads_text")).toString(), QStringLiteral("head 3"));
    const test::CliResult text =
        test::runCli({QStringLiteral("probe"), QStringLiteral("--model"), model, QStringLiteral("--context"),
                      QStringLiteral("4096"), QStringLiteral("--contexts"), QStringLiteral("4096"),
                      QStringLiteral("--queries"), QStringLiteral("4")});
    QVERIFY2(text.standardOutput.contains(words.toUtf8()), text.standardOutput.constData());
  }

  // The Mitigations tab writes each band as `sinkscope plan` does for the same scenario (one
  // formatter), and never a band without width ("0 % (0 %–0 %)").
  void mitigationBandsReadAsThePlanText() {
    MainWindow window;
    window.show();
    const ScenarioValues values = window.scenario().values();
    auto* tab = qobject_cast<MitigationsTab*>(window.analysisTab(QStringLiteral("mitigations")));
    QVERIFY(tab);
    test::showAndWait(window, tab);
    const test::CliResult plan = test::runCli(
        {QStringLiteral("plan"), QStringLiteral("--model"), values.modelId, QStringLiteral("--hardware"),
         values.hardwareId, QStringLiteral("--context"), QString::number(values.contextTokens)});
    QVERIFY2(plan.exitCode == 0, plan.standardError.constData());
    const QString text = QString::fromUtf8(plan.standardOutput);
    QTableWidget* table = tab->table();
    const QRegularExpression emptyBand(QStringLiteral("^(.+) \\(\\1–\\1\\)$"));
    QVERIFY(table->rowCount() > 0);
    for (int r = 0; r < table->rowCount(); ++r) {
      const auto& row = tab->data()->planner.plan.mitigations[size_t(r)];
      const QString line = planLine(text, mitigationName(row.mitigation));
      QVERIFY2(!line.isEmpty(), qPrintable(mitigationName(row.mitigation)));
      for (int column : {3, 5, 6}) {  // effective band, quality band, confidence
        const QString cell = table->item(r, column)->text();
        QVERIFY2(line.contains(cell), qPrintable(QStringLiteral("'%1' not in '%2'").arg(cell, line)));
        QVERIFY2(!emptyBand.match(cell).hasMatch(), qPrintable(cell));
      }
    }
  }

  // Every header of every table in the shown window (the Mitigations tab's two, the Data… view of
  // every chart) and of the Measured tab's Data… views says what its column means, in the words of
  // docs/glossary.md.
  void everyColumnHeaderHasAGlossaryToolTip() {
    MainWindow window;
    window.resize(1280, 720);
    window.show();
    for (AnalysisTab* tab : window.analysisTabs()) {
      if (tab->id() == QLatin1String("measured")) continue;  // needs a checkpoint: its tables below
      test::showAndWait(window, tab);
      for (ChartView* chart : tab->charts()) chart->showData();
    }
    QVERIFY(!window.findChildren<DataTableDialog*>().isEmpty());
    QStringList missing = headersWithoutMeaning(window);
    for (const ChartTable& table : measuredTables()) {
      DataTableDialog dialog(table);
      missing << headersWithoutMeaning(dialog);
    }
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
  }

  // The tooltip is the glossary's own definition (the shipped docs/glossary.md), not a made-up one.
  void toolTipsQuoteTheGlossary() {
    const QString definition = glossaryDefinition(QStringLiteral("Effective context"));
    QVERIFY2(definition.startsWith(QStringLiteral("passkey-style: the longest context at which the setting")),
             qPrintable(definition));
    QCOMPARE(glossaryTermForColumn(QStringLiteral("effective low (tokens)")),
             QStringLiteral("Effective context"));
    QCOMPARE(glossaryTermForColumn(QStringLiteral("Verdict at inference ctx")), QStringLiteral("Verdict"));
    QCOMPARE(columnToolTip(QStringLiteral("context_cap (tokens)")),
             QStringLiteral("context_cap: ") + glossaryDefinition(QStringLiteral("context_cap")));
    QVERIFY(columnToolTip(QStringLiteral("no such column")).isEmpty());
  }
};

QTEST_MAIN(TestUiConsistency)
#include "test_ui_consistency.moc"
