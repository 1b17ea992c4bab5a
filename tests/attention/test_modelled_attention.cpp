// Modelled attention's schemes: each mitigation changes the positional scheme as a runtime
// would (docs/references.md sections 1, 2, 4), and the sink curve over contexts.
#include "attention/ModelledAttention.h"
#include "catalog/Catalog.h"
#include "common/Error.h"

#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

PositionalScheme scheme(const char* model, Mitigation m, qint64 n, double factor = 0, int head = 0,
                        int layer = 0) {
  const ModelSpec spec = resolveModel(QString::fromLatin1(model));
  ModelledScheme choice;
  choice.mitigation = m;
  choice.factor = factor > 0 ? factor : defaultMitigationFactor(spec, n);
  choice.streaming = StreamingCache::builtin();
  return modelledSchemeFor(spec, choice, layer, head, n);
}

bool near(double a, double b, double relative) {
  return std::abs(a - b) <= relative * std::abs(b);
}

}  // namespace

class TestModelledAttention : public QObject {
  Q_OBJECT
 private slots:
  // Baseline: theta_i = b^(-2i/d), Llama-2: b = 1e4, d = 128 (docs/references.md section 1).
  void baselineIsTheShippedSchedule() {
    const PositionalScheme s = scheme("llama-2-7b", Mitigation::Baseline, 32768);
    QCOMPARE(s.kind, PositionalScheme::Kind::Rope);
    QCOMPARE(s.rope.rotaryDim, 128);
    QVERIFY(near(s.rope.invFreq[10], std::pow(10000.0, -20.0 / 128), 1e-6));
    QVERIFY(near(s.logitScale(128), 1 / std::sqrt(128.0), 1e-12));
    QVERIFY(!s.evicts());
  }

  // Default factor s = N / trained = 32768 / 4096 = 8; linear divides every frequency by s.
  void linearUsesContextOverTrained() {
    const ModelSpec spec = resolveModel(QStringLiteral("llama-2-7b"));
    QCOMPARE(defaultMitigationFactor(spec, 32768), 8.0);
    QCOMPARE(defaultMitigationFactor(spec, 2048), 1.0);
    const PositionalScheme s = scheme("llama-2-7b", Mitigation::Linear, 32768);
    QVERIFY(near(s.rope.invFreq[10], std::pow(10000.0, -20.0 / 128) / 8, 1e-6));
  }

  // NTK-aware s = 4: b' = 40 889.94 (docs/references.md section 1).
  void ntkChangesTheBase() {
    const PositionalScheme s = scheme("llama-2-7b", Mitigation::Ntk, 16384);
    QVERIFY(near(s.rope.invFreq[1], std::pow(40889.94, -2.0 / 128), 1e-6));
  }

  // Dynamic NTK depends on the sequence length: alpha = s L / L0 - (s - 1); at L = s L0,
  // alpha = s^2 - s + 1 (docs/references.md section 1). Inside L0 it is the default schedule.
  void dynamicNtkFollowsSequenceLength() {
    const double s = 8, d = 128;
    const PositionalScheme at4k = scheme("llama-2-7b", Mitigation::DynamicNtk, 4096, s);
    const PositionalScheme at32k = scheme("llama-2-7b", Mitigation::DynamicNtk, 32768, s);
    QVERIFY(near(at4k.rope.invFreq[1], std::pow(10000.0, -2.0 / d), 1e-6));
    const double base = 10000.0 * std::pow(s * s - s + 1, d / (d - 2));
    QVERIFY(near(at32k.rope.invFreq[1], std::pow(base, -2.0 / d), 1e-6));
  }

  // YaRN, Llama-2 (L0 4096, d 128, s 8): attention factor 1.2079442 (docs/references.md section 1),
  // applied to q and k so logits scale by its square.
  void yarnCarriesItsAttentionFactor() {
    const PositionalScheme s = scheme("llama-2-7b", Mitigation::Yarn, 32768);
    QVERIFY(near(s.rope.attentionFactor, 1.2079442, 1e-6));
  }

  // StreamingLLM: 4 sinks + 1020 window (docs/references.md section 4); window-only: the same cache
  // size without sinks. Frequencies unchanged.
  void streamingAndWindowOnlyCaches() {
    const PositionalScheme base = scheme("llama-2-7b", Mitigation::Baseline, 32768);
    const PositionalScheme streaming = scheme("llama-2-7b", Mitigation::Streaming, 32768);
    QCOMPARE(streaming.cache.sinkTokens, qint64(4));
    QCOMPARE(streaming.cache.windowTokens, qint64(1020));
    QCOMPARE(streaming.rope.invFreq, base.rope.invFreq);
    const PositionalScheme window = scheme("llama-2-7b", Mitigation::WindowOnly, 32768);
    QCOMPARE(window.cache.sinkTokens, qint64(0));
    QCOMPARE(window.cache.windowTokens, qint64(1024));
  }

  // ALiBi model, 32 heads: m_1 = 2^(-8/32), m_2 = 2^(-16/32) (docs/references.md section 2).
  void alibiModelGetsItsSlope() {
    const PositionalScheme h0 = scheme("mpt-7b", Mitigation::Baseline, 4096, 0, 0);
    QCOMPARE(h0.kind, PositionalScheme::Kind::Alibi);
    QVERIFY(near(h0.alibiSlope, std::pow(2.0, -0.25), 1e-12));
    QVERIFY(near(scheme("mpt-7b", Mitigation::Alibi, 4096, 0, 1).alibiSlope, std::pow(2.0, -0.5), 1e-12));
    QCOMPARE(scheme("mpt-7b", Mitigation::Streaming, 4096).cache.sinkTokens, qint64(4));
  }

  void refusesWhatDoesNotApply() {
    QVERIFY_THROWS_EXCEPTION(Error, scheme("llama-2-7b", Mitigation::Alibi, 32768));
    QVERIFY_THROWS_EXCEPTION(Error, scheme("mpt-7b", Mitigation::Ntk, 8192));
    QVERIFY_THROWS_EXCEPTION(Error, scheme("llama-2-7b", Mitigation::LongRope, 32768));  // no factors
  }

  // The alignment context: trained context, or max_position_embeddings when the model ships a
  // static scaling it was trained with.
  void alignmentContext() {
    QCOMPARE(alignmentContextFor(resolveModel(QStringLiteral("llama-2-7b"))), qint64(4096));
    QCOMPARE(alignmentContextFor(resolveModel(QStringLiteral("together-llama-2-7b-32k"))), qint64(32768));
    QCOMPARE(alignmentContextFor(resolveModel(QStringLiteral("llama-3.1-8b"))), qint64(131072));
    const TrainedPositions alibi = trainedPositionsFor(resolveModel(QStringLiteral("mpt-7b")));
    QCOMPARE(alibi.rotaryDim, 0);
    QCOMPARE(alibi.headDim, 128);
  }

  // A layer the config runs with a sliding window keeps only the last `sliding_window` keys, as
  // vLLM and transformers run it (Mistral 7B paper, section 2: W = 4096 on every layer; Gemma 2
  // report: local 4096-token layers alternate with global ones, config layer_types). The
  // mitigations change the RoPE schedule, not the window; StreamingLLM's cache replaces it.
  void modelSlidingWindowLimitsTheKeys() {
    for (Mitigation m : {Mitigation::Baseline, Mitigation::Ntk, Mitigation::Yarn}) {
      const PositionalScheme mistral = scheme("mistral-7b-v0.1", m, 32768, 0, 0, 31);
      QCOMPARE(mistral.cache.windowTokens, qint64(4096));
      QCOMPARE(mistral.cache.sinkTokens, qint64(0));
    }
    QCOMPARE(scheme("llama-2-7b", Mitigation::Baseline, 32768, 0, 0, 31).cache.windowTokens, qint64(0));
    QCOMPARE(scheme("mistral-7b-v0.3", Mitigation::Baseline, 32768, 0, 0, 31).cache.windowTokens, qint64(0));
    const ModelSpec gemma = resolveModel(QStringLiteral("gemma-2-9b"));
    QCOMPARE(gemma.layerType(0), LayerAttention::Sliding);
    QCOMPARE(gemma.layerType(1), LayerAttention::Full);
    QCOMPARE(scheme("gemma-2-9b", Mitigation::Baseline, 16384, 0, 0, 0).cache.windowTokens, qint64(4096));
    QCOMPARE(scheme("gemma-2-9b", Mitigation::Baseline, 16384, 0, 0, 1).cache.windowTokens, qint64(0));
    const PositionalScheme streaming = scheme("mistral-7b-v0.1", Mitigation::Streaming, 32768, 0, 0, 31);
    QCOMPARE(streaming.cache.sinkTokens, qint64(StreamingCache::builtin().sinkTokens));
    QCOMPARE(streaming.cache.windowTokens, qint64(StreamingCache::builtin().windowTokens));
  }

  // Under its own window Mistral-7B-v0.1's last query loses key 0 once the context passes the
  // window: its sink mass k = 1 is exactly 0 there and positive inside the window.
  void slidingWindowEvictsTheSinkPastTheWindow() {
    const ModelSpec spec = resolveModel(QStringLiteral("mistral-7b-v0.1"));
    const auto source = modelledSource(spec, 31, 0);
    ModelledScheme choice;
    choice.mitigation = Mitigation::Baseline;
    choice.streaming = StreamingCache::builtin();
    SinkCurveRequest request;
    request.contexts = {2048, 8192};
    request.queriesPerContext = 4;
    request.trainedContext = 4096;
    const auto curve = computeSinkCurve(
        *source, [&](qint64 n) { return modelledSchemeFor(spec, choice, 31, 0, n); }, request);
    QCOMPARE(curve.size(), size_t(2));
    QVERIFY(curve[0].last.sinkMass1 > 0);
    QCOMPARE(curve[1].last.sinkMass1, 0.0);
  }

  // Streaming keeps the first tokens and a window: a needle older than the window is evicted,
  // and the sink stays in the cache at every length (the sink curve never loses key 0).
  void streamingSinkCurveKeepsSinkEvictsNeedles() {
    const ModelSpec spec = resolveModel(QStringLiteral("llama-2-7b"));
    const auto source = modelledSource(spec, 12, 3);
    ModelledScheme choice;
    choice.mitigation = Mitigation::Streaming;
    choice.streaming = StreamingCache::builtin();
    SinkCurveRequest request;
    request.contexts = {16384, 2048};
    request.queriesPerContext = 8;
    request.trainedContext = 4096;
    request.needleDepths = {0.1, 0.5};
    const auto curve = computeSinkCurve(
        *source, [&](qint64 n) { return modelledSchemeFor(spec, choice, 12, 3, n); }, request);
    QCOMPARE(curve.size(), size_t(2));
    const SinkCurvePoint& longer = curve[0];
    QCOMPARE(longer.contextTokens, qint64(16384));
    for (const NeedleResult& n : longer.needles) QVERIFY(!n.inCache);
    QVERIFY(longer.last.sinkMass1 > 0);
  }

  // One probe request for the window and the report: the documented default is the last layer
  // with heads averaged (evenly spread); an explicit choice is kept; the curve's contexts double
  // from 512 and include the trained context; the heatmap has the documented rows and bins.
  void probeRequestDefaultsToTheLastLayerHeadsAveraged() {
    const ModelSpec mistral =
        resolveModel(QStringLiteral("mistral-7b-v0.1"));  // 32 layers, 32 heads, trained 8K
    const ModelledProbeRequest byDefault = modelledProbeRequest(mistral, 32768);
    QCOMPARE(byDefault.layer, 31);
    QVERIFY(byDefault.lastLayer);
    QCOMPARE(byDefault.curveHeads, (std::vector<int>{0, 8, 16, 24}));
    QCOMPARE(byDefault.curveHead(), -1);
    QCOMPARE(int(byDefault.heatmapHeads.size()), kProbeAveragedHeads);
    QCOMPARE(byDefault.heatmapHeads, byDefault.curveHeads);  // one meaning of "mean over heads"
    QCOMPARE(byDefault.curve.contexts, (std::vector<qint64>{512, 1024, 2048, 4096, 8192, 16384, 32768}));
    QCOMPARE(byDefault.curve.trainedContext, qint64(8192));
    QCOMPARE(byDefault.factor, 4.0);  // 32K / 8K
    QCOMPARE(int(byDefault.heatmap.queryPositions.size()), kHeatmapRows);
    QCOMPARE(byDefault.heatmap.queryPositions.back(), qint64(32767));
    QCOMPARE(byDefault.heatmap.bins, kHeatmapBins);
    QCOMPARE(probeTargetText(mistral, byDefault.layer, byDefault.curveHeads),
             QStringLiteral("layer 31 (the last), mean over 4 query heads (0, 8, 16, 24)"));
    const ModelledProbeRequest chosen = modelledProbeRequest(mistral, 6000, 3, 5);
    QCOMPARE(chosen.layer, 3);
    QVERIFY(!chosen.lastLayer);
    QCOMPARE(chosen.curveHeads, std::vector<int>{5});
    QCOMPARE(chosen.heatmapHead(), 5);
    // 6000 is not a doubling of 512: it ends the list; the trained 4096 is already in it.
    QCOMPARE(chosen.curve.contexts, (std::vector<qint64>{512, 1024, 2048, 4096, 6000}));
    QCOMPARE(probeTargetText(mistral, 3, chosen.curveHeads), QStringLiteral("layer 3, head 5"));
    // Out of range means the default, never an invalid layer or head.
    QCOMPARE(modelledProbeRequest(mistral, 8192, 99, 99).layer, 31);
    QCOMPARE(modelledProbeRequest(mistral, 8192, 99, 99).curveHeads.size(), size_t(4));
    // A trained context that is no doubling of 512 is added (the chart marks it).
    ModelSpec odd = mistral;
    odd.trainedContext = 3000;
    QCOMPARE(modelledProbeRequest(odd, 8192).curve.contexts,
             (std::vector<qint64>{512, 1024, 2048, 3000, 4096, 8192}));
  }
};

QTEST_GUILESS_MAIN(TestModelledAttention)
#include "test_modelled_attention.moc"
