// Each analysis tab driven through the window offscreen: its plotted data is checked against the
// core's own numbers for the same scenario (not pixels), and the event loop stays responsive
// while the scenario changes rapidly.
#include "MainWindow.h"
#include "UiTestSupport.h"
#include "catalog/Catalog.h"
#include "charts/ChartView.h"
#include "compute/ComputeController.h"
#include "panels/ContextControl.h"
#include "panels/ScenarioPanel.h"
#include "planner/Plan.h"
#include "scenario/Scenario.h"
#include "tabs/PlannerTab.h"

#include <QElapsedTimer>
#include <QFile>
#include <QThread>
#include <ctime>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>
#include <qcustomplot.h>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

QString catalogueId(const char* fragment) {
  for (const ModelSpec& model : Catalog::builtin().models())
    if (model.id.contains(QLatin1String(fragment), Qt::CaseInsensitive)) return model.id;
  return QString();
}

QString hardwareId(const char* fragment) {
  for (const HardwareSpec& hardware : Catalog::builtin().hardware())
    if (hardware.id.contains(QLatin1String(fragment), Qt::CaseInsensitive)) return hardware.id;
  return QString();
}

// Shows the tab and waits for its next results.
void showAndWait(MainWindow& window, AnalysisTab* tab) {
  QSignalSpy updated(tab, &AnalysisTab::updated);
  window.tabs()->setCurrentWidget(tab);
  tab->refreshNow();
  QVERIFY(updated.wait(60000) || updated.count() > 0);
  QVERIFY(test::waitForIdle(window));
}

double threadCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

double loadAverage() {
  QFile file(QStringLiteral("/proc/loadavg"));
  if (!file.open(QIODevice::ReadOnly)) return 0;
  return file.readAll().split(' ').value(0).toDouble();
}

QCPBars* barsNamed(QCustomPlot* plot, const QString& name) {
  for (int i = 0; i < plot->plottableCount(); ++i)
    if (auto* bars = qobject_cast<QCPBars*>(plot->plottable(i)); bars && bars->name() == name) return bars;
  return nullptr;
}

}  // namespace

class TestUiTabs : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_ui_tabs")); }

  void plannerTabPlotsTheCoresPlan() {
    MainWindow window;
    window.show();
    const QString model = catalogueId("llama-3.1-8b");
    const QString hardware = hardwareId("a100");
    QVERIFY(!model.isEmpty() && !hardware.isEmpty());
    // Pick through the docks as a user would.
    window.scenario().setModelId(model);
    window.scenario().setHardwareId(hardware);
    window.scenarioPanel()->context()->spinBox()->setValue(262144);
    window.scenario().setMitigations({Mitigation::Baseline, Mitigation::Yarn});
    auto* tab = qobject_cast<PlannerTab*>(window.analysisTab(QStringLiteral("Planner")));
    QVERIFY(tab);
    showAndWait(window, tab);

    const ModelSpec& spec = *Catalog::builtin().findModel(model);
    const HardwareSpec& device = *Catalog::builtin().findHardware(hardware);
    PlanRequest request;
    request.contextTokens = 262144;
    request.batch = 1;
    request.weightsDtype = window.scenario().values().weightsDtype;
    request.kvDtype = window.scenario().values().kvDtype;
    request.mitigation = Mitigation::Yarn;
    const Plan expected = makePlan(spec, device, request);

    // Memory bars: each component of each compared mitigation, in GiB.
    QCustomPlot* bars = tab->memoryBars()->plot();
    QCPBars* kv = barsNamed(bars, QStringLiteral("KV cache"));
    QCPBars* weights = barsNamed(bars, QStringLiteral("weights"));
    QVERIFY(kv && weights);
    for (int row = 0; row < 2; ++row) {
      const Mitigation mitigation = row == 0 ? Mitigation::Baseline : Mitigation::Yarn;
      const MemoryBreakdown memory = memoryModelFor(spec, device, request, mitigation).at(262144);
      QCOMPARE(kv->data()->at(row)->value, double(memory.kvBytes) / (1024.0 * 1024.0 * 1024.0));
      QCOMPARE(weights->data()->at(row)->value, double(memory.weightsBytes) / (1024.0 * 1024.0 * 1024.0));
    }
    // Memory curve: the top line is the total at each context.
    QCustomPlot* curve = tab->memoryCurve()->plot();
    QCPGraph* total = curve->graph(curve->graphCount() - 1);
    const auto expectedCurve = memoryCurveFor(spec, device, request, {total->data()->at(10)->key > 0 ? qint64(total->data()->at(10)->key) : 1});
    QVERIFY(std::abs(total->data()->at(10)->value - double(expectedCurve.front().memory.totalBytes) / (1024.0 * 1024.0 * 1024.0)) < 1e-9);
    // Confidence gauge: one bar per mitigation with the plan's value.
    QCustomPlot* gauge = tab->confidence()->plot();
    for (Mitigation mitigation : {Mitigation::Baseline, Mitigation::Yarn}) {
      QCPBars* bar = barsNamed(gauge, mitigationName(mitigation));
      QVERIFY(bar);
      const auto row = std::find_if(expected.mitigations.begin(), expected.mitigations.end(),
                                    [&](const MitigationPlan& r) { return r.mitigation == mitigation; });
      QVERIFY(row != expected.mitigations.end());
      QCOMPARE(bar->data()->at(0)->value, row->confidence.value);
      // DESIGN.md rule 1: beyond the trained context the confidence never exceeds 0.8.
      QVERIFY(bar->data()->at(0)->value <= 0.8);
    }
    // Throughput table carries the plan's figures.
    QCOMPARE(tab->throughput()->table().number(0, 1), expected.throughput.prefillTokensPerSecond);
    QCOMPARE(tab->throughput()->table().number(1, 1), expected.throughput.decodeTokensPerSecond);
  }

  void rapidScenarioChangesNeverStallTheEventLoop() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    test::waitForIdle(window);
    QSpinBox* context = window.scenarioPanel()->context()->spinBox();
    // A 2 ms heartbeat on the GUI thread records the longest gap between two beats, both in
    // wall time and in the GUI thread's own CPU time. The CPU-time gap is what our code spends
    // without returning to the event loop; the wall gap also counts time the OS scheduler gave
    // to other processes (this machine's load varies), so it gets a looser sanity bound.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    double lastCpuMs = threadCpuMs();
    qint64 worstGapMs = 0;
    double worstCpuGapMs = 0;
    QTimer heartbeat;
    heartbeat.setInterval(2);
    connect(&heartbeat, &QTimer::timeout, [&] {
      const qint64 now = clock.elapsed();
      const double cpu = threadCpuMs();
      worstGapMs = std::max(worstGapMs, now - last);
      worstCpuGapMs = std::max(worstCpuGapMs, cpu - lastCpuMs);
      last = now;
      lastCpuMs = cpu;
    });
    int changes = 0;
    QTimer changer;
    changer.setInterval(7);
    connect(&changer, &QTimer::timeout, [&] {
      static const int contexts[] = {4096, 8192, 32768, 131072, 1048576, 2048, 65536, 524288};
      context->setValue(contexts[changes % 8]);
      if (changes % 5 == 0) window.scenario().setBatch(1 + changes % 4);
      ++changes;
    });
    last = clock.elapsed();
    lastCpuMs = threadCpuMs();
    heartbeat.start();
    changer.start();
    while (clock.elapsed() < 2500) QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    changer.stop();
    QVERIFY(test::waitForIdle(window));
    heartbeat.stop();
    qInfo("%d scenario changes, %llu results delivered, worst event-loop gap %lld ms wall, %.1f ms GUI-thread CPU",
          changes, window.compute().deliveredCount(), worstGapMs, worstCpuGapMs);
    QVERIFY(changes > 20);
    QVERIFY2(worstCpuGapMs <= 50, qPrintable(QStringLiteral("event loop stalled for %1 ms of CPU").arg(worstCpuGapMs)));
    // Wall time: 50 ms too, unless other processes oversubscribe the CPUs (load above the core
    // count), where the scheduler alone can delay a beat; then only a sanity bound.
    const bool oversubscribed = loadAverage() > QThread::idealThreadCount();
    const qint64 wallLimitMs = oversubscribed ? 500 : 50;
    QVERIFY2(worstGapMs <= wallLimitMs, qPrintable(QStringLiteral("event loop stalled for %1 ms").arg(worstGapMs)));
    // After the storm, the views show the last scenario.
    auto* planner = qobject_cast<PlannerTab*>(window.analysisTab(QStringLiteral("Planner")));
    QVERIFY(planner && planner->data());
    QCOMPARE(planner->data()->plan.contextTokens, window.scenario().values().contextTokens);
  }
};

QTEST_MAIN(TestUiTabs)
#include "test_ui_tabs.moc"
