// The Compare view's words about a pair of heatmaps (core/report/HeatmapContrast): the numbers are
// the probe's own last-query metrics, the differences are computed by hand here, and the reason
// given for two alike maps is the one that is true of the model and the runtime.
#include "TestSupport.h"
#include "attention/ModelledAttention.h"
#include "catalog/Catalog.h"
#include "catalog/Runtime.h"
#include "report/HeatmapContrast.h"
#include "report/ModelledSeries.h"

#include <QtTest>

using namespace sinkscope;

namespace {

// A 2-row heatmap over 4 exact key columns and 2 pooled bins, every cell given.
PooledHeatmap smallHeatmap(const std::vector<float>& mass) {
  PooledHeatmap h;
  h.queryPositions = {10, 32767};
  h.binStart = {0, 1, 2, 3, 4, 16384, 32768};
  h.exactKeyColumns = 4;
  h.mass = mass;
  return h;
}

HeatmapChartData pair(const std::vector<float>& a, const std::vector<float>& b, RowMetrics lastA,
                      RowMetrics lastB) {
  HeatmapChartData data;
  data.contextTokens = 32768;
  data.trainedContextTokens = 8192;
  data.panels.push_back({Mitigation::Baseline, smallHeatmap(a), QStringLiteral("works")});
  data.panels.push_back({Mitigation::Ntk, smallHeatmap(b), QStringLiteral("works")});
  data.lastQueryMetrics = {lastA, lastB};
  return data;
}

// The opening scenario's probe (Mistral-7B-v0.1 at 32K, last layer, the window's four heads).
HeatmapChartData mistralPair(Runtime runtime) {
  const ModelSpec spec = resolveModel(QStringLiteral("mistral-7b-v0.1"));
  const ModelledProbeRequest probe = modelledProbeRequest(spec, 32768);
  HeatmapChartData data;
  data.contextTokens = 32768;
  data.trainedContextTokens = spec.trainedContext;
  const bool honour = runtimeHonoursWindow(spec, runtime);
  data.windowTokens = honour ? modelWindowAt(spec, probe.layer) : 0;
  data.runtime = runtimeName(runtime);
  for (Mitigation m : {Mitigation::Baseline, Mitigation::Ntk}) {
    RowMetrics last;
    const auto heatmap =
        modelledMeanHeatmap(spec, probe, {m, probe.factor, StreamingCache::builtin(), honour}, {}, &last);
    data.panels.push_back({m, heatmap, QString()});
    data.lastQueryMetrics.push_back(last);
  }
  return data;
}

}  // namespace

class TestHeatmapContrast : public QObject {
  Q_OBJECT
 private slots:
  // Differences by hand: single-key columns |0.10 - 0.40| = 0.30 (row 1, key 0), pooled bins
  // |0.40 - 0.15| = 0.25 (row 1, first pooled bin); S1 0.10 against 0.40 is not alike.
  void differencesAreTheLargestCellsOfEachKind() {
    const std::vector<float> a{0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.10f, 0.05f, 0.05f, 0.05f, 0.40f, 0.35f};
    const std::vector<float> b{0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.40f, 0.05f, 0.05f, 0.05f, 0.15f, 0.30f};
    const auto c = contrastHeatmaps(pair(a, b, {0.10, 0.25, 3.0, 0.60}, {0.40, 0.55, 2.0, 0.40}));
    QVERIFY(c);
    SINKSCOPE_COMPARE_NEAR(c->sinkColumnsDifference, 0.30, 1e-6);
    SINKSCOPE_COMPARE_NEAR(c->pooledBinsDifference, 0.25, 1e-6);
    QVERIFY(!c->alike);
    const QString text = heatmapContrastText(pair(a, b, {0.10, 0.25, 3.0, 0.60}, {0.40, 0.55, 2.0, 0.40}));
    QVERIFY2(
        text.contains(QStringLiteral("0.10 of its attention on token 0 under baseline and 0.40 under ntk")),
        qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("H / ln N is 0.60 and 0.40")), qPrintable(text));
    QVERIFY2(text.contains(
                 QStringLiteral("They differ most on token 0 at query 32767: 0.10 of the attention under "
                                "baseline, 0.40 under ntk")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("pooled bins differ by at most 0.250")), qPrintable(text));
    QVERIFY(!text.contains(QStringLiteral("By the last query")));
    // Maps that differ while the last query agrees say both.
    const QString agreeing =
        heatmapContrastText(pair(a, b, {0.10, 0.25, 3.0, 0.60}, {0.12, 0.25, 3.0, 0.62}));
    QVERIFY2(agreeing.contains(QStringLiteral("They differ most")) &&
                 agreeing.contains(QStringLiteral("By the last query")),
             qPrintable(agreeing));
  }

  // Alike maps get the reason that is true: a window honoured by the runtime, else a context
  // inside the trained one, else angles too close; differing verdicts are said to rest elsewhere.
  void alikeMapsSayWhy() {
    const std::vector<float> same{0.5f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.0f, 0.0f, 0.0f, 0.0f, 0.5f, 0.5f};
    HeatmapChartData data = pair(same, same, {0.0, 0.0, 7.0, 0.70}, {0.0, 0.0, 7.02, 0.71});
    data.windowTokens = 4096;
    data.runtime = QStringLiteral("vllm");
    QVERIFY(contrastHeatmaps(data)->alike);
    QVERIFY(heatmapContrastText(data).contains(
        QStringLiteral("under vllm each query sees only its last 4K keys")));
    data.windowTokens = 0;
    data.contextTokens = 8192;
    QVERIFY(heatmapContrastText(data).contains(QStringLiteral("8K is inside the trained 8K")));
    data.contextTokens = 32768;
    data.panels[1].verdict = QStringLiteral("collapses");
    const QString text = heatmapContrastText(data);
    QVERIFY(text.contains(QStringLiteral("rotary angles differ too little")));
    QVERIFY(text.contains(QStringLiteral("verdicts still differ (baseline: works; ntk: collapses)")));
    data.lastQueryMetrics.pop_back();
    QVERIFY(heatmapContrastText(data).isEmpty());  // nothing measured: nothing said
  }

  // The opening scenario under each runtime. vLLM honours the 4,096-token window (docs/references.md
  // section 9), so the last query of 32K cannot reach token 0 under either setting; llama.cpp runs
  // full attention, and both keep some attention on token 0. The sentence quotes the probe's numbers.
  void openingScenarioFollowsTheRuntime() {
    const HeatmapChartData vllm = mistralPair(Runtime::Vllm);
    QCOMPARE(vllm.lastQueryMetrics.size(), size_t(2));
    QCOMPARE(vllm.lastQueryMetrics[0].sinkMass1, 0.0);
    QCOMPARE(vllm.lastQueryMetrics[1].sinkMass1, 0.0);
    const QString vllmText = heatmapContrastText(vllm);
    QVERIFY2(vllmText.contains(
                 QStringLiteral("0.00 of its attention on token 0 under baseline and 0.00 under ntk")),
             qPrintable(vllmText));
    const HeatmapChartData llamaCpp = mistralPair(Runtime::LlamaCpp);
    QCOMPARE(llamaCpp.lastQueryMetrics.size(), size_t(2));
    QVERIFY(llamaCpp.lastQueryMetrics[0].sinkMass1 > 0);
    QVERIFY(llamaCpp.lastQueryMetrics[1].sinkMass1 > 0);
    // Full attention: past the trained 8K the baseline's far keys sit at angles training never
    // produced and its sink goes; NTK x4 keeps distances up to about 24K inside the trained angles
    // (phase coverage, docs/mitigations.md), so it keeps the sink for queries between the two.
    const auto contrast = contrastHeatmaps(llamaCpp);
    QVERIFY(contrast && !contrast->alike);
    QVERIFY(contrast->largestSinkGapQuery > 8192 && contrast->largestSinkGapQuery < 32767);
    QVERIFY(contrast->sinkAtGapB > contrast->sinkAtGapA + kAlikeThreshold);
    const QString text = heatmapContrastText(llamaCpp);
    QVERIFY2(text.contains(QStringLiteral("They differ most on token 0")), qPrintable(text));
    QVERIFY2(text.contains(QString::number(llamaCpp.lastQueryMetrics[0].sinkMass1, 'f', 2)),
             qPrintable(text));
    QVERIFY2(text.contains(QString::number(llamaCpp.lastQueryMetrics[1].normalizedEntropy, 'f', 2)),
             qPrintable(text));
    qInfo("%s", qPrintable(vllmText));
    qInfo("%s", qPrintable(text));
  }
};

QTEST_GUILESS_MAIN(TestHeatmapContrast)
#include "test_heatmap_contrast.moc"
