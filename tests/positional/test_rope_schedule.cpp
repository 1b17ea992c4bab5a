// Tests of the RoPE schedules against Hugging Face's own numbers (tests/data/rope_vectors.json,
// provenance in tests/data/README.md) and the worked figures of docs/references.md section 1.
#include "TestSupport.h"
#include "common/Error.h"
#include "common/JsonRead.h"
#include "positional/RopeSchedule.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>
#include <bit>
#include <cmath>
#include <cstdint>

using namespace sinkscope;

namespace {

std::uint32_t floatBits(double value) {
  return std::bit_cast<std::uint32_t>(static_cast<float>(value));
}

std::vector<double> doubles(const QJsonArray& array) {
  std::vector<double> values;
  for (const QJsonValue& value : array) values.push_back(value.toDouble());
  return values;
}

// The inputs of one reference case, read the way HF's config and standardisation read them.
RopeParameters parametersFromCase(const QJsonObject& inputs) {
  RopeParameters params;
  params.theta = inputs.value(QStringLiteral("rope_theta")).toDouble();
  const int heads = inputs.value(QStringLiteral("num_attention_heads")).toInt();
  const int hidden = inputs.value(QStringLiteral("hidden_size")).toInt();
  params.headDim = inputs.contains(QStringLiteral("head_dim"))
                       ? inputs.value(QStringLiteral("head_dim")).toInt()
                       : hidden / heads;
  params.softmaxHeadDim = params.headDim;
  params.maxPositionEmbeddings = inputs.value(QStringLiteral("max_position_embeddings")).toInteger();
  const QJsonValue scalingValue = inputs.value(QStringLiteral("rope_scaling"));
  if (!scalingValue.isObject()) return params;
  const QJsonObject object = scalingValue.toObject();
  RopeScaling scaling;
  scaling.type = object.value(QStringLiteral("rope_type")).toString();
  scaling.factor = object.value(QStringLiteral("factor")).toDouble(1.0);
  if (object.contains(QStringLiteral("original_max_position_embeddings")))
    scaling.originalMaxPositionEmbeddings =
        object.value(QStringLiteral("original_max_position_embeddings")).toInteger();
  // Phi-3 keeps original_max_position_embeddings at the top level; HF gives it priority.
  if (inputs.contains(QStringLiteral("original_max_position_embeddings")))
    scaling.originalMaxPositionEmbeddings =
        inputs.value(QStringLiteral("original_max_position_embeddings")).toInteger();
  if (object.contains(QStringLiteral("low_freq_factor")))
    scaling.lowFreqFactor = object.value(QStringLiteral("low_freq_factor")).toDouble();
  if (object.contains(QStringLiteral("high_freq_factor")))
    scaling.highFreqFactor = object.value(QStringLiteral("high_freq_factor")).toDouble();
  scaling.shortFactor = doubles(object.value(QStringLiteral("short_factor")).toArray());
  scaling.longFactor = doubles(object.value(QStringLiteral("long_factor")).toArray());
  params.scaling = scaling;
  return params;
}

RopeParameters llama2Params() {
  RopeParameters params;
  params.theta = 10000.0;
  params.headDim = 128;
  params.softmaxHeadDim = 128;
  params.maxPositionEmbeddings = 4096;
  params.originalContext = 4096;
  return params;
}

RopeParameters withScaling(RopeParameters params, const QString& type, double factor) {
  RopeScaling scaling;
  scaling.type = type;
  scaling.factor = factor;
  scaling.originalMaxPositionEmbeddings = params.originalContext;
  params.scaling = scaling;
  return params;
}

}  // namespace

class TestRopeSchedule : public QObject {
  Q_OBJECT

 private slots:
  void referenceVectors_data();
  void referenceVectors();
  void defaultMatchesFloat64Formula();
  void ntkBaseWorkedExample();
  void dynamicNtkAlphaAtScaledLength();
  void dynamicNtkBelowOriginalIsDefault();
  void yarnLlama2WorkedExample();
  void yarnDeepSeekSoftmaxScale();
  void llama3PairClasses();
  void linearDividesEveryFrequency();
  void partialRotaryDims();
  void impossibleParametersNameTheField();
  void mitigationOverrides();
  void longRopeWithoutFactorsIsRefused();
  void parametersFromModelSpec();
};

// docs/references.md section 1: the reference inv_freq come from HF transformers' own functions.
void TestRopeSchedule::referenceVectors_data() {
  QTest::addColumn<QJsonObject>("referenceCase");
  const QJsonObject root = readJsonObjectFile(test::testDataPath(QStringLiteral("rope_vectors.json")));
  const QJsonArray cases = root.value(QStringLiteral("cases")).toArray();
  QVERIFY(cases.size() >= 8);
  for (const QJsonValue& value : cases) {
    const QJsonObject object = value.toObject();
    QTest::newRow(object.value(QStringLiteral("id")).toString().toUtf8().constData()) << object;
  }
}

void TestRopeSchedule::referenceVectors() {
  QFETCH(QJsonObject, referenceCase);
  const QJsonObject inputs = referenceCase.value(QStringLiteral("inputs")).toObject();
  const RopeParameters params = parametersFromCase(inputs);
  std::optional<qint64> sequenceLength;
  if (inputs.value(QStringLiteral("seq_len")).isDouble())
    sequenceLength = inputs.value(QStringLiteral("seq_len")).toInteger();
  const RopeSchedule schedule = computeRopeSchedule(params, sequenceLength);

  QCOMPARE(schedule.ropeType, referenceCase.value(QStringLiteral("rope_type")).toString());
  QCOMPARE(schedule.rotaryDim, referenceCase.value(QStringLiteral("rotary_dim")).toInt());
  const QJsonArray expected = referenceCase.value(QStringLiteral("inv_freq")).toArray();
  const QJsonArray expectedHex = referenceCase.value(QStringLiteral("inv_freq_float32_hex")).toArray();
  QCOMPARE(schedule.invFreq.size(), static_cast<size_t>(expected.size()));
  int bitExact = 0;
  for (int i = 0; i < expected.size(); ++i) {
    const double want = expected[i].toDouble();
    const double got = schedule.invFreq[static_cast<size_t>(i)];
    QVERIFY2(
        std::abs(got - want) <= 1e-6 * std::abs(want),
        qPrintable(QStringLiteral("pair %1: %2 vs %3").arg(i).arg(got, 0, 'g', 17).arg(want, 0, 'g', 17)));
    const std::uint32_t wantBits = expectedHex[i].toString().toUInt(nullptr, 16);
    const std::uint32_t gotBits = floatBits(got);
    const auto ulps = static_cast<std::int64_t>(gotBits) - static_cast<std::int64_t>(wantBits);
    // torch's vectorised powf is within one ulp of the correctly rounded value we compute.
    QVERIFY2(std::abs(ulps) <= 1, qPrintable(QStringLiteral("pair %1 is %2 ulps away").arg(i).arg(ulps)));
    if (ulps == 0) ++bitExact;
  }
  qInfo("%s: %d of %d inverse frequencies bit-exact",
        qPrintable(referenceCase.value(QStringLiteral("id")).toString()), bitExact,
        static_cast<int>(expected.size()));
  // Only LongRoPE's rotary dim 96 reaches a pair (20) where torch's powf rounds the other way.
  const bool longRope = schedule.ropeType == QLatin1String("longrope");
  QVERIFY(bitExact >= expected.size() - (longRope ? 1 : 0));
  const double wantFactor = referenceCase.value(QStringLiteral("attention_factor")).toDouble();
  SINKSCOPE_COMPARE_NEAR(schedule.attentionFactor, wantFactor, 1e-12 * wantFactor);
}

// Independent of the float32 emulation: theta_i = b^(-2i/d) in double.
void TestRopeSchedule::defaultMatchesFloat64Formula() {
  const RopeSchedule schedule = computeRopeSchedule(llama2Params());
  QCOMPARE(schedule.ropeType, QStringLiteral("default"));
  for (int i = 0; i < 64; ++i) {
    const double exact = std::pow(10000.0, -2.0 * i / 128.0);
    SINKSCOPE_COMPARE_NEAR(schedule.invFreq[static_cast<size_t>(i)], exact, 1e-6 * exact);
  }
  QCOMPARE(schedule.attentionFactor, 1.0);
  SINKSCOPE_COMPARE_NEAR(schedule.softmaxScale, 1.0 / std::sqrt(128.0), 1e-15);
}

// docs/references.md section 1: b = 1e4, d = 128: s = 4 -> 40 889.94; s = 8 -> 82 684.62.
void TestRopeSchedule::ntkBaseWorkedExample() {
  SINKSCOPE_COMPARE_NEAR(ntkScaledBase(10000.0, 4.0, 128), 40889.94, 0.005);
  SINKSCOPE_COMPARE_NEAR(ntkScaledBase(10000.0, 8.0, 128), 82684.62, 0.005);
  const RopeSchedule ntk = computeRopeSchedule(withScaling(llama2Params(), QStringLiteral("ntk"), 4.0));
  QCOMPARE(ntk.ropeType, QStringLiteral("ntk"));
  SINKSCOPE_COMPARE_NEAR(ntk.base, 40889.94, 0.005);
  // The lowest pair is divided by exactly s^(d/(d-2) * (d-2)/d) = s: the NTK design goal.
  SINKSCOPE_COMPARE_NEAR(ntk.invFreq[63] * 4.0 / std::pow(10000.0, -126.0 / 128.0), 1.0, 1e-6);
  QCOMPARE(ntk.invFreq[0], 1.0);
}

// docs/references.md section 1: at L = s L0, alpha = s^2 - s + 1.
void TestRopeSchedule::dynamicNtkAlphaAtScaledLength() {
  for (double s : {2.0, 4.0, 8.0}) {
    QCOMPARE(dynamicNtkAlpha(s, static_cast<qint64>(s * 4096), 4096), s * s - s + 1.0);
    RopeParameters dynamic = withScaling(llama2Params(), QStringLiteral("dynamic"), s);
    const RopeSchedule atLength = computeRopeSchedule(dynamic, static_cast<qint64>(s * 4096));
    const RopeSchedule staticEquivalent =
        computeRopeSchedule(withScaling(llama2Params(), QStringLiteral("ntk"), s * s - s + 1.0));
    QCOMPARE(atLength.ropeType, QStringLiteral("dynamic"));
    QCOMPARE(atLength.invFreq, staticEquivalent.invFreq);
  }
}

void TestRopeSchedule::dynamicNtkBelowOriginalIsDefault() {
  const RopeParameters dynamic = withScaling(llama2Params(), QStringLiteral("dynamic"), 4.0);
  const RopeSchedule plain = computeRopeSchedule(llama2Params());
  QCOMPARE(computeRopeSchedule(dynamic, 1000).invFreq, plain.invFreq);  // alpha = 1
  QCOMPARE(computeRopeSchedule(dynamic).invFreq, plain.invFreq);        // HF's init: L = L0
  QVERIFY(computeRopeSchedule(dynamic, 8192).invFreq[63] < plain.invFreq[63]);
}

// docs/references.md section 1: Llama-2 (L0 4096, d 128, s 8): low 20, high 46, factor 1.2079442.
void TestRopeSchedule::yarnLlama2WorkedExample() {
  const YarnCorrectionRange range = yarnCorrectionRange(128, 10000.0, 4096, 32.0, 1.0, true);
  QCOMPARE(range.low, 20.0);
  QCOMPARE(range.high, 46.0);
  const RopeSchedule yarn = computeRopeSchedule(withScaling(llama2Params(), QStringLiteral("yarn"), 8.0));
  SINKSCOPE_COMPARE_NEAR(yarn.attentionFactor, 1.2079442, 5e-8);
  const RopeSchedule plain = computeRopeSchedule(llama2Params());
  for (int i = 0; i <= 20; ++i)
    QCOMPARE(yarn.invFreq[static_cast<size_t>(i)], plain.invFreq[static_cast<size_t>(i)]);
  for (int i = 46; i < 64; ++i)
    SINKSCOPE_COMPARE_NEAR(yarn.invFreq[static_cast<size_t>(i)] * 8.0 / plain.invFreq[static_cast<size_t>(i)],
                           1.0, 1e-6);
  // Without truncation the ramp ends fall between pairs.
  const YarnCorrectionRange loose = yarnCorrectionRange(128, 10000.0, 4096, 32.0, 1.0, false);
  QVERIFY(loose.low > 20.0 && loose.low < 21.0);
  QVERIFY(loose.high > 45.0 && loose.high < 46.0);
}

// docs/references.md section 1: DeepSeek-V2 (s 40, mscale = mscale_all_dim = 0.707, rope part 64,
// qk head dim 192): cos/sin factor 1.0, softmax scale 0.0721688 -> 0.1147214.
void TestRopeSchedule::yarnDeepSeekSoftmaxScale() {
  RopeParameters params;
  params.theta = 10000.0;
  params.headDim = 64;
  params.softmaxHeadDim = 192;
  params.maxPositionEmbeddings = 163840;
  RopeScaling scaling;
  scaling.type = QStringLiteral("yarn");
  scaling.factor = 40.0;
  scaling.originalMaxPositionEmbeddings = 4096;
  scaling.mscale = 0.707;
  scaling.mscaleAllDim = 0.707;
  scaling.betaFast = 32.0;
  scaling.betaSlow = 1.0;
  params.scaling = scaling;
  SINKSCOPE_COMPARE_NEAR(1.0 / std::sqrt(192.0), 0.0721688, 5e-8);
  const RopeSchedule schedule = computeRopeSchedule(params);
  QCOMPARE(schedule.attentionFactor, 1.0);
  SINKSCOPE_COMPARE_NEAR(schedule.softmaxScale, 0.1147214, 5e-8);
  SINKSCOPE_COMPARE_NEAR(yarnMscale(40.0, 0.707) * yarnMscale(40.0, 0.707), 1.589626, 5e-7);
  // An explicit attention_factor wins over mscale.
  params.scaling->attentionFactor = 1.5;
  QCOMPARE(computeRopeSchedule(params).attentionFactor, 1.5);
}

// docs/references.md section 1: Llama-3.1-8B: pairs 0-28 unchanged, 29-34 blended, 35-63 divided by 8.
void TestRopeSchedule::llama3PairClasses() {
  RopeParameters params;
  params.theta = 500000.0;
  params.headDim = 128;
  params.maxPositionEmbeddings = 131072;
  RopeScaling scaling;
  scaling.type = QStringLiteral("llama3");
  scaling.factor = 8.0;
  scaling.lowFreqFactor = 1.0;
  scaling.highFreqFactor = 4.0;
  scaling.originalMaxPositionEmbeddings = 8192;
  params.scaling = scaling;
  const RopeSchedule llama3 = computeRopeSchedule(params);
  params.scaling.reset();
  const RopeSchedule plain = computeRopeSchedule(params);
  for (size_t i = 0; i < 64; ++i) {
    const double ratio = llama3.invFreq[i] / plain.invFreq[i];
    if (i <= 28)
      QCOMPARE(ratio, 1.0);
    else if (i >= 35)
      QCOMPARE(ratio, 0.125);
    else
      QVERIFY2(ratio > 0.125 && ratio < 1.0,
               qPrintable(QStringLiteral("pair %1 ratio %2").arg(i).arg(ratio)));
  }
}

void TestRopeSchedule::linearDividesEveryFrequency() {
  const RopeSchedule linear = computeRopeSchedule(withScaling(llama2Params(), QStringLiteral("linear"), 4.0));
  const RopeSchedule plain = computeRopeSchedule(llama2Params());
  for (size_t i = 0; i < 64; ++i) QCOMPARE(linear.invFreq[i], plain.invFreq[i] / 4.0);
  QCOMPARE(linear.attentionFactor, 1.0);
}

// d = head_dim x partial_rotary_factor; the exponent is 2i/d with that d.
void TestRopeSchedule::partialRotaryDims() {
  RopeParameters params = llama2Params();
  params.partialRotaryFactor = 0.25;
  const RopeSchedule schedule = computeRopeSchedule(params);
  QCOMPARE(schedule.rotaryDim, 32);
  QCOMPARE(schedule.headDim, 128);
  QCOMPARE(schedule.invFreq.size(), size_t{16});
  for (int i = 0; i < 16; ++i)
    SINKSCOPE_COMPARE_NEAR(schedule.invFreq[static_cast<size_t>(i)] / std::pow(10000.0, -2.0 * i / 32.0), 1.0,
                           1e-6);
  params.layout = RopePairLayout::Adjacent;
  QCOMPARE(computeRopeSchedule(params).layout, RopePairLayout::Adjacent);
  QCOMPARE(computeRopeSchedule(params).invFreq, schedule.invFreq);  // same frequencies, other layout
}

void TestRopeSchedule::impossibleParametersNameTheField() {
  const auto expectFailure = [](const RopeParameters& params, const QString& field) {
    try {
      computeRopeSchedule(params);
      QFAIL("no error");
    } catch (const Error& error) {
      QCOMPARE(error.kind(), ErrorKind::BadInput);
      QVERIFY2(error.describe().contains(field), qPrintable(error.describe()));
    }
  };
  expectFailure(withScaling(llama2Params(), QStringLiteral("linear"), 0.5),
                QStringLiteral("rope_scaling.factor"));
  expectFailure(withScaling(llama2Params(), QStringLiteral("warp"), 2.0),
                QStringLiteral("rope_scaling.rope_type"));
  RopeParameters odd = llama2Params();
  odd.headDim = 7;
  expectFailure(odd, QStringLiteral("partial_rotary_factor"));
  RopeParameters noBase = llama2Params();
  noBase.theta = 0.0;
  expectFailure(noBase, QStringLiteral("rope_theta"));
  RopeParameters longRope = withScaling(llama2Params(), QStringLiteral("longrope"), 2.0);
  longRope.scaling->shortFactor = {1.0, 2.0};
  expectFailure(longRope, QStringLiteral("short_factor"));
}

void TestRopeSchedule::mitigationOverrides() {
  const RopeParameters base = llama2Params();
  QCOMPARE(computeRopeSchedule(withMitigation(base, Mitigation::Baseline, 8.0)).invFreq,
           computeRopeSchedule(base).invFreq);
  const RopeParameters llama3 = withMitigation(base, Mitigation::Llama3, 8.0);
  QCOMPARE(llama3.scaling->type, QStringLiteral("llama3"));
  QCOMPARE(*llama3.scaling->lowFreqFactor, 1.0);
  QCOMPARE(*llama3.scaling->highFreqFactor, 4.0);
  QCOMPARE(*llama3.scaling->originalMaxPositionEmbeddings, qint64{4096});
  QCOMPARE(llama3.maxPositionEmbeddings, qint64{32768});
  // docs/references.md section 1: yarn's defaults beta_fast 32, beta_slow 1 (resources/rope_defaults.json).
  const RopeParameters yarnParams = withMitigation(base, Mitigation::Yarn, 8.0);
  QCOMPARE(*yarnParams.scaling->betaFast, 32.0);
  QCOMPARE(*yarnParams.scaling->betaSlow, 1.0);
  const RopeSchedule yarn = computeRopeSchedule(yarnParams);
  SINKSCOPE_COMPARE_NEAR(yarn.attentionFactor, 1.2079442, 5e-8);
  const RopeSchedule ntk = computeRopeSchedule(withMitigation(base, Mitigation::Ntk, 4.0));
  SINKSCOPE_COMPARE_NEAR(ntk.base, 40889.94, 0.005);
  // Dynamic NTK grows from the trained context, not from max_position_embeddings.
  RopeParameters longWindow = base;
  longWindow.maxPositionEmbeddings = 32768;
  const RopeParameters dynamic = withMitigation(longWindow, Mitigation::DynamicNtk, 2.0);
  SINKSCOPE_COMPARE_NEAR(computeRopeSchedule(dynamic, 8192).base, ntkScaledBase(10000.0, 3.0, 128), 1e-6);
  QVERIFY_THROWS_EXCEPTION(Error, withMitigation(base, Mitigation::Linear, 0.5));
  QVERIFY_THROWS_EXCEPTION(Error, withMitigation(base, Mitigation::Alibi, 2.0));
  QString reason;
  QVERIFY(!mitigationApplies(base, Mitigation::Alibi, &reason));
  QVERIFY(reason.contains(QStringLiteral("ALiBi")));
  QVERIFY(mitigationApplies(base, Mitigation::Streaming));
}

void TestRopeSchedule::longRopeWithoutFactorsIsRefused() {
  QString reason;
  QVERIFY(!mitigationApplies(llama2Params(), Mitigation::LongRope, &reason));
  QVERIFY(reason.contains(QStringLiteral("short_factor")));
  try {
    withMitigation(llama2Params(), Mitigation::LongRope, 4.0);
    QFAIL("no error");
  } catch (const Error& error) {
    QCOMPARE(error.exitCode(), 3);
    QVERIFY(error.describe().contains(QStringLiteral("longrope")));
  }
  // A model that ships factors keeps them; the factor sets the attention factor.
  RopeParameters phi = llama2Params();
  phi.headDim = 4;
  RopeScaling scaling;
  scaling.type = QStringLiteral("longrope");
  scaling.originalMaxPositionEmbeddings = 4096;
  scaling.shortFactor = {1.0, 1.5};
  scaling.longFactor = {2.0, 4.0};
  phi.scaling = scaling;
  QVERIFY(mitigationApplies(phi, Mitigation::LongRope));
  const RopeSchedule schedule = computeRopeSchedule(withMitigation(phi, Mitigation::LongRope, 32.0), 8192);
  SINKSCOPE_COMPARE_NEAR(schedule.attentionFactor, std::sqrt(1.0 + std::log(32.0) / std::log(4096.0)), 1e-12);
  SINKSCOPE_COMPARE_NEAR(schedule.invFreq[1], 1.0 / (4.0 * 100.0), 1e-9);
}

void TestRopeSchedule::parametersFromModelSpec() {
  ModelSpec deepseek;
  deepseek.id = QStringLiteral("deepseek-v2");
  deepseek.headDim = 128;
  deepseek.ropeTheta = 10000.0;
  deepseek.maxPositionEmbeddings = 163840;
  deepseek.trainedContext = 4096;
  MlaSpec mla;
  mla.qkRopeHeadDim = 64;
  mla.qkNopeHeadDim = 128;
  deepseek.mla = mla;
  RopeScaling scaling;
  scaling.type = QStringLiteral("yarn");
  scaling.factor = 40.0;
  scaling.originalMaxPositionEmbeddings = 4096;
  scaling.mscale = 0.707;
  scaling.mscaleAllDim = 0.707;
  deepseek.ropeScaling = scaling;
  const RopeParameters params = ropeParametersFor(deepseek);
  QCOMPARE(params.headDim, 64);
  QCOMPARE(params.softmaxHeadDim, 192);
  QCOMPARE(params.originalContext, qint64{4096});
  SINKSCOPE_COMPARE_NEAR(computeRopeSchedule(params).softmaxScale, 0.1147214, 5e-8);

  ModelSpec bloom;
  bloom.id = QStringLiteral("bloom-7b1");
  bloom.usesRope = false;
  bloom.attentionKind = AttentionKind::Alibi;
  try {
    ropeParametersFor(bloom);
    QFAIL("no error");
  } catch (const Error& error) {
    QCOMPARE(error.kind(), ErrorKind::BadInput);
    QVERIFY(error.describe().contains(QStringLiteral("bloom-7b1")));
  }
}

QTEST_GUILESS_MAIN(TestRopeSchedule)
#include "test_rope_schedule.moc"
