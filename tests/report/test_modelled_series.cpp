// The heads-averaged modelled series the window and the report share (core/report/ModelledSeries):
// each is the plain mean of the core probe run head by head, computed here independently.
#include "TestSupport.h"
#include "attention/ModelledAttention.h"
#include "catalog/Catalog.h"
#include "common/Cancelled.h"
#include "report/ModelledSeries.h"

#include <QtTest>

using namespace sinkscope;

class TestModelledSeries : public QObject {
  Q_OBJECT
 private slots:
  void curveIsTheMeanOfTheHeads() {
    const ModelSpec spec = resolveModel(QStringLiteral("llama-2-7b"));
    ModelledProbeRequest probe = modelledProbeRequest(spec, 8192);
    probe.curveHeads = {0, 7, 19};
    probe.curve.queriesPerContext = 8;
    const ModelledScheme choice{Mitigation::Ntk, probe.factor, StreamingCache::builtin(), true};
    const auto series = modelledSinkCurveSeries(spec, probe, choice);
    QCOMPARE(series.mitigation, Mitigation::Ntk);
    QCOMPARE(series.samples.size(), probe.curve.contexts.size());
    std::vector<double> sum(probe.curve.contexts.size(), 0.0), last(probe.curve.contexts.size(), 0.0);
    for (int head : probe.curveHeads) {
      const auto source = modelledSource(spec, probe.layer, head);
      const auto points = computeSinkCurve(
          *source, [&](qint64 n) { return modelledSchemeFor(spec, choice, probe.layer, head, n); },
          probe.curve);
      for (size_t i = 0; i < points.size(); ++i) {
        QCOMPARE(points[i].contextTokens, series.samples[i].contextTokens);
        sum[i] += points[i].mean.sinkMass1 / 3.0;
        last[i] += points[i].last.normalizedEntropy / 3.0;
      }
    }
    for (size_t i = 0; i < sum.size(); ++i) {
      SINKSCOPE_COMPARE_NEAR(series.samples[i].mean.sinkMass1, sum[i], 1e-12);
      SINKSCOPE_COMPARE_NEAR(series.samples[i].last.normalizedEntropy, last[i], 1e-12);
    }
  }

  void heatmapIsTheMeanOfTheHeads() {
    const ModelSpec spec = resolveModel(QStringLiteral("mistral-7b-v0.1"));
    ModelledProbeRequest probe = modelledProbeRequest(spec, 16384);
    probe.heatmapHeads = {2, 30};
    const ModelledScheme choice{Mitigation::Baseline, probe.factor, StreamingCache::builtin(), true};
    RowMetrics lastQuery;
    const auto mean = modelledMeanHeatmap(spec, probe, choice, {}, &lastQuery);
    std::vector<float> expected(mean.mass.size(), 0.0f);
    double sink = 0, entropy = 0;  // the last query row (position N - 1), mean of the two heads
    for (int head : probe.heatmapHeads) {
      const auto source = modelledSource(spec, probe.layer, head);
      const auto result = runAttentionProbe(
          *source, modelledSchemeFor(spec, choice, probe.layer, head, probe.heatmap.contextTokens),
          probe.heatmap);
      for (size_t i = 0; i < expected.size(); ++i) expected[i] += result.heatmap.mass[i] / 2.0f;
      QCOMPARE(result.queryPositions.back(), qint64(16383));
      sink += result.rows.back().sinkMass1 / 2.0;
      entropy += result.rows.back().normalizedEntropy / 2.0;
    }
    QVERIFY(mean.mass == expected);
    SINKSCOPE_COMPARE_NEAR(lastQuery.sinkMass1, sink, 1e-12);
    SINKSCOPE_COMPARE_NEAR(lastQuery.normalizedEntropy, entropy, 1e-12);
    // The window is honoured here: the last query of 16K cannot reach token 0 (4,096-token window).
    QCOMPARE(lastQuery.sinkMass1, 0.0);
  }

  // A mitigation that cannot be modelled says why (never a bare "no"): the tabs show the reason.
  void refusalFollowsTheSchemeAndSaysWhy() {
    const ModelSpec llama = resolveModel(QStringLiteral("llama-2-7b"));
    const ModelledProbeRequest probe = modelledProbeRequest(llama, 16384);
    const auto yarn =
        modelledSchemeRefusal(llama, probe, {Mitigation::Yarn, probe.factor, StreamingCache::builtin()});
    QVERIFY2(!yarn.has_value(), qPrintable(yarn.value_or(QString())));
    const auto alibi =
        modelledSchemeRefusal(llama, probe, {Mitigation::Alibi, probe.factor, StreamingCache::builtin()});
    QVERIFY(alibi.has_value());
    QVERIFY2(alibi->contains(QStringLiteral("needs a model trained with")), qPrintable(*alibi));
    // Llama 2 ships no LongRoPE factors (its config.json has no rope_scaling): nothing to model.
    const auto longrope =
        modelledSchemeRefusal(llama, probe, {Mitigation::LongRope, probe.factor, StreamingCache::builtin()});
    QVERIFY(longrope.has_value());
    QVERIFY2(!longrope->isEmpty(), "a refusal without a reason");
  }

  // Cancelled is an outcome of its own (common/Cancelled.h): the series neither returns a partial
  // curve nor an Error.
  void cancelledSeriesThrowsCancelled() {
    const ModelSpec spec = resolveModel(QStringLiteral("mistral-7b-v0.1"));
    const ModelledProbeRequest probe = modelledProbeRequest(spec, 16384);
    const ModelledScheme choice{Mitigation::Ntk, probe.factor, StreamingCache::builtin(), true};
    int polls = 0;
    const ProbeCallbacks stopAtThird{[&] { return ++polls >= 3; }, {}};
    QVERIFY_THROWS_EXCEPTION(Cancelled, modelledSinkCurveSeries(spec, probe, choice, stopAtThird));
    QCOMPARE(polls, 3);
    polls = 0;
    QVERIFY_THROWS_EXCEPTION(Cancelled, modelledMeanHeatmap(spec, probe, choice, stopAtThird));
    QCOMPARE(polls, 3);
  }
};

QTEST_GUILESS_MAIN(TestModelledSeries)
#include "test_modelled_series.moc"
