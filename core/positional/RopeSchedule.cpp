#include "positional/RopeSchedule.h"

#include "common/Error.h"

#include <algorithm>
#include <cmath>
#include <numbers>

// Every float32 step below mirrors one torch operation of HF's modeling_rope_utils.py, rounded
// where torch rounds. This file is compiled with -ffp-contract=off so that no a*b+c is fused.

namespace sinkscope {

namespace {

const QString kSource = QStringLiteral("rope parameters");

[[noreturn]] void fail(const QString& field, const QString& message) {
  throwBadInput(kSource, field, message);
}

// torch: float32 pow(base, exponent). Computed in double and rounded once (correctly rounded in
// practice); torch's vectorised powf may differ by one unit in the last place (docs/positional.md).
float powFloat(float base, float exponent) {
  return static_cast<float>(std::pow(static_cast<double>(base), static_cast<double>(exponent)));
}

// base ** (arange(0, d, 2).float() / d), in float32.
std::vector<float> positionFrequencies(double base, int rotaryDim) {
  std::vector<float> result(static_cast<size_t>(rotaryDim / 2));
  const float baseFloat = static_cast<float>(base);
  const float dimFloat = static_cast<float>(rotaryDim);
  for (size_t i = 0; i < result.size(); ++i) {
    const float exponent = static_cast<float>(2 * i) / dimFloat;
    result[i] = powFloat(baseFloat, exponent);
  }
  return result;
}

// 1.0 / (base ** (arange / d)): HF's default inverse frequencies.
std::vector<float> defaultInvFreq(double base, int rotaryDim) {
  std::vector<float> result = positionFrequencies(base, rotaryDim);
  for (float& value : result) value = 1.0f / value;
  return result;
}

std::vector<double> widen(const std::vector<float>& values) {
  return {values.begin(), values.end()};
}

// A factor left at its default (1.0) counts as absent, as HF's `factor is None`.
bool factorGiven(const RopeScaling& scaling) {
  return scaling.factor > 1.0;
}

// L0 for yarn / llama3 / longrope: HF's standardisation falls back to max_position_embeddings.
qint64 scalingOriginalContext(const RopeParameters& params, const RopeScaling& scaling) {
  if (scaling.originalMaxPositionEmbeddings && *scaling.originalMaxPositionEmbeddings > 0)
    return *scaling.originalMaxPositionEmbeddings;
  if (params.maxPositionEmbeddings > 0) return params.maxPositionEmbeddings;
  if (params.originalContext > 0) return params.originalContext;
  fail(QStringLiteral("rope_scaling.original_max_position_embeddings"),
       QStringLiteral("missing, and max_position_embeddings is not set either"));
}

void validate(const RopeParameters& params) {
  if (!(params.theta > 1.0) || !std::isfinite(params.theta))
    fail(QStringLiteral("rope_theta"),
         QStringLiteral("must be a finite number above 1 (got %1)").arg(params.theta));
  if (params.headDim <= 0)
    fail(QStringLiteral("head_dim"), QStringLiteral("must be positive (got %1)").arg(params.headDim));
  if (!(params.partialRotaryFactor > 0.0 && params.partialRotaryFactor <= 1.0))
    fail(QStringLiteral("partial_rotary_factor"),
         QStringLiteral("must be in (0, 1] (got %1)").arg(params.partialRotaryFactor));
  const int rotaryDim = rotaryDimFor(params);
  if (rotaryDim < 2 || rotaryDim % 2 != 0)
    fail(QStringLiteral("partial_rotary_factor"),
         QStringLiteral(
             "head_dim %1 x partial_rotary_factor %2 gives rotary dim %3; it must be even and at least 2")
             .arg(params.headDim)
             .arg(params.partialRotaryFactor)
             .arg(rotaryDim));
  if (params.scaling) {
    const RopeScaling& scaling = *params.scaling;
    if (!std::isfinite(scaling.factor) || scaling.factor < 1.0)
      fail(QStringLiteral("rope_scaling.factor"),
           QStringLiteral("must be >= 1 (got %1)").arg(scaling.factor));
  }
}

double softmaxScaleFor(const RopeParameters& params) {
  const int dim = params.softmaxHeadDim > 0 ? params.softmaxHeadDim : params.headDim;
  return 1.0 / std::sqrt(static_cast<double>(dim));
}

RopeSchedule scheduleFrom(const RopeParameters& params, QString type, std::vector<float> invFreq,
                          double attentionFactor, double base, qint64 originalContext) {
  RopeSchedule schedule;
  schedule.ropeType = std::move(type);
  schedule.rotaryDim = rotaryDimFor(params);
  schedule.invFreq = widen(invFreq);
  schedule.attentionFactor = attentionFactor;
  schedule.softmaxScale = softmaxScaleFor(params);
  schedule.layout = params.layout;
  schedule.base = base;
  schedule.originalContext = originalContext;
  schedule.headDim = params.headDim;
  return schedule;
}

RopeSchedule computeDefault(const RopeParameters& params) {
  return scheduleFrom(params, QStringLiteral("default"), defaultInvFreq(params.theta, rotaryDimFor(params)),
                      1.0, params.theta, 0);
}

RopeSchedule computeLinear(const RopeParameters& params, const RopeScaling& scaling) {
  std::vector<float> invFreq = defaultInvFreq(params.theta, rotaryDimFor(params));
  const float factor = static_cast<float>(scaling.factor);
  for (float& value : invFreq) value /= factor;
  const qint64 originalContext = scaling.originalMaxPositionEmbeddings.value_or(params.originalContext);
  return scheduleFrom(params, QStringLiteral("linear"), std::move(invFreq), 1.0, params.theta,
                      originalContext);
}

RopeSchedule computeNtk(const RopeParameters& params, const RopeScaling& scaling) {
  const int rotaryDim = rotaryDimFor(params);
  const double base = ntkScaledBase(params.theta, scaling.factor, rotaryDim);
  const qint64 originalContext = scaling.originalMaxPositionEmbeddings.value_or(params.originalContext);
  return scheduleFrom(params, QStringLiteral("ntk"), defaultInvFreq(base, rotaryDim), 1.0, base,
                      originalContext);
}

// HF reads L0 from max_position_embeddings; an explicit original_max_position_embeddings in the
// scaling block (which withMitigation sets to the trained context) takes precedence.
RopeSchedule computeDynamic(const RopeParameters& params, const RopeScaling& scaling,
                            std::optional<qint64> sequenceLength) {
  qint64 originalContext = params.maxPositionEmbeddings;
  if (scaling.originalMaxPositionEmbeddings && *scaling.originalMaxPositionEmbeddings > 0)
    originalContext = *scaling.originalMaxPositionEmbeddings;
  if (originalContext <= 0)
    fail(QStringLiteral("max_position_embeddings"), QStringLiteral("dynamic NTK needs the original context"));
  const int rotaryDim = rotaryDimFor(params);
  const qint64 length = sequenceLength.value_or(originalContext);
  const double base =
      ntkScaledBase(params.theta, dynamicNtkAlpha(scaling.factor, length, originalContext), rotaryDim);
  return scheduleFrom(params, QStringLiteral("dynamic"), defaultInvFreq(base, rotaryDim), 1.0, base,
                      originalContext);
}

RopeSchedule computeYarn(const RopeParameters& params, const RopeScaling& scaling) {
  const int rotaryDim = rotaryDimFor(params);
  const qint64 originalContext = scalingOriginalContext(params, scaling);
  double factor = scaling.factor;
  if (!factorGiven(scaling) && params.maxPositionEmbeddings > originalContext)
    factor = static_cast<double>(params.maxPositionEmbeddings) / static_cast<double>(originalContext);

  double attentionFactor = 1.0;
  const double mscale = scaling.mscale.value_or(0.0);
  const double mscaleAllDim = scaling.mscaleAllDim.value_or(0.0);
  if (scaling.attentionFactor)
    attentionFactor = *scaling.attentionFactor;
  else if (mscale != 0.0 && mscaleAllDim != 0.0)
    attentionFactor = yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAllDim);
  else
    attentionFactor = yarnMscale(factor);

  // Python's `x or default`: an absent or zero beta takes the default.
  const double betaFast =
      scaling.betaFast.value_or(0.0) != 0.0 ? *scaling.betaFast : ropeScalingDefaults().yarnBetaFast;
  const double betaSlow =
      scaling.betaSlow.value_or(0.0) != 0.0 ? *scaling.betaSlow : ropeScalingDefaults().yarnBetaSlow;
  const YarnCorrectionRange range = yarnCorrectionRange(rotaryDim, params.theta, originalContext, betaFast,
                                                        betaSlow, scaling.truncate.value_or(true));
  double low = range.low;
  double high = range.high;
  if (low == high) high += 0.001;  // HF: prevent singularity

  const std::vector<float> posFreqs = positionFrequencies(params.theta, rotaryDim);
  const float factorFloat = static_cast<float>(factor);
  const float lowFloat = static_cast<float>(low);
  const float spanFloat = static_cast<float>(high - low);
  std::vector<float> invFreq(posFreqs.size());
  for (size_t i = 0; i < posFreqs.size(); ++i) {
    const float extrapolation = 1.0f / posFreqs[i];
    const float scaled = factorFloat * posFreqs[i];
    const float interpolation = 1.0f / scaled;
    const float linear = (static_cast<float>(i) - lowFloat) / spanFloat;
    const float ramp = std::clamp(linear, 0.0f, 1.0f);
    const float extrapolationFactor = 1.0f - ramp;
    const float interpolationWeight = 1.0f - extrapolationFactor;
    const float interpolated = interpolation * interpolationWeight;
    const float extrapolated = extrapolation * extrapolationFactor;
    invFreq[i] = interpolated + extrapolated;
  }
  RopeSchedule schedule = scheduleFrom(params, QStringLiteral("yarn"), std::move(invFreq), attentionFactor,
                                       params.theta, originalContext);
  // DeepSeek-V2/V3 attention: softmax scale times g(s, mscale_all_dim)^2 (HF DeepseekV2Attention).
  if (mscaleAllDim != 0.0) {
    const double mscaleAll = yarnMscale(factor, mscaleAllDim);
    schedule.softmaxScale *= mscaleAll * mscaleAll;
  }
  return schedule;
}

RopeSchedule computeLlama3(const RopeParameters& params, const RopeScaling& scaling) {
  const int rotaryDim = rotaryDimFor(params);
  const qint64 originalContext = scalingOriginalContext(params, scaling);
  const double lowFreqFactor = scaling.lowFreqFactor.value_or(ropeScalingDefaults().llama3LowFreqFactor);
  const double highFreqFactor = scaling.highFreqFactor.value_or(ropeScalingDefaults().llama3HighFreqFactor);
  if (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0))
    fail(QStringLiteral("rope_scaling.high_freq_factor"),
         QStringLiteral("must exceed low_freq_factor > 0 (got low %1, high %2)")
             .arg(lowFreqFactor)
             .arg(highFreqFactor));
  const double lowFreqWavelen = static_cast<double>(originalContext) / lowFreqFactor;
  const double highFreqWavelen = static_cast<double>(originalContext) / highFreqFactor;
  const float lowWavelenFloat = static_cast<float>(lowFreqWavelen);
  const float highWavelenFloat = static_cast<float>(highFreqWavelen);
  const float twoPi = static_cast<float>(2.0 * std::numbers::pi);
  const float factor = static_cast<float>(scaling.factor);
  const float contextFloat = static_cast<float>(originalContext);
  const float lowFloat = static_cast<float>(lowFreqFactor);
  const float spanFloat = static_cast<float>(highFreqFactor - lowFreqFactor);

  std::vector<float> invFreq = defaultInvFreq(params.theta, rotaryDim);
  for (float& value : invFreq) {
    // torch's scalar / tensor is reciprocal(tensor) * scalar.
    const float wavelen = (1.0f / value) * twoPi;
    const float kept = wavelen > lowWavelenFloat ? value / factor : value;
    const float ratio = (1.0f / wavelen) * contextFloat;
    const float smooth = (ratio - lowFloat) / spanFloat;
    const float oneMinus = 1.0f - smooth;
    const float interpolatedPart = (oneMinus * kept) / factor;
    const float keptPart = smooth * kept;
    const float smoothed = interpolatedPart + keptPart;
    const bool medium = !(wavelen < highWavelenFloat) && !(wavelen > lowWavelenFloat);
    value = medium ? smoothed : kept;
  }
  return scheduleFrom(params, QStringLiteral("llama3"), std::move(invFreq), 1.0, params.theta,
                      originalContext);
}

RopeSchedule computeLongRope(const RopeParameters& params, const RopeScaling& scaling,
                             std::optional<qint64> sequenceLength) {
  const int rotaryDim = rotaryDimFor(params);
  const size_t pairs = static_cast<size_t>(rotaryDim / 2);
  const qint64 originalContext = scalingOriginalContext(params, scaling);
  const bool useLong = sequenceLength && *sequenceLength > originalContext;
  const std::vector<double>& factors = useLong ? scaling.longFactor : scaling.shortFactor;
  const QString field =
      useLong ? QStringLiteral("rope_scaling.long_factor") : QStringLiteral("rope_scaling.short_factor");
  if (factors.size() != pairs)
    fail(field,
         QStringLiteral("needs %1 values (one per rotary pair), got %2").arg(pairs).arg(factors.size()));
  for (double value : factors)
    if (!(value > 0.0) || !std::isfinite(value))
      fail(field, QStringLiteral("values must be positive (got %1)").arg(value));

  double factor = scaling.factor;
  if (!factorGiven(scaling) && params.maxPositionEmbeddings > 0)
    factor = static_cast<double>(params.maxPositionEmbeddings) / static_cast<double>(originalContext);
  double attentionFactor = 1.0;
  if (scaling.attentionFactor)
    attentionFactor = *scaling.attentionFactor;
  else if (factor > 1.0)
    attentionFactor = std::sqrt(1.0 + std::log(factor) / std::log(static_cast<double>(originalContext)));

  const std::vector<float> posFreqs = positionFrequencies(params.theta, rotaryDim);
  std::vector<float> invFreq(pairs);
  for (size_t i = 0; i < pairs; ++i) {
    const float scaled = static_cast<float>(factors[i]) * posFreqs[i];
    invFreq[i] = 1.0f / scaled;
  }
  return scheduleFrom(params, QStringLiteral("longrope"), std::move(invFreq), attentionFactor, params.theta,
                      originalContext);
}

}  // namespace

int rotaryDimFor(const RopeParameters& params) {
  return static_cast<int>(static_cast<double>(params.headDim) * params.partialRotaryFactor);
}

double ntkScaledBase(double theta, double alpha, int rotaryDim) {
  const double exponent = static_cast<double>(rotaryDim) / static_cast<double>(rotaryDim - 2);
  return theta * std::pow(alpha, exponent);
}

double dynamicNtkAlpha(double factor, qint64 sequenceLength, qint64 originalContext) {
  const qint64 length = std::max(sequenceLength, originalContext);
  return (factor * static_cast<double>(length) / static_cast<double>(originalContext)) - (factor - 1.0);
}

double yarnMscale(double scale, double mscale) {
  if (scale <= 1.0) return 1.0;
  return 0.1 * mscale * std::log(scale) + 1.0;
}

YarnCorrectionRange yarnCorrectionRange(int rotaryDim, double theta, qint64 originalContext, double betaFast,
                                        double betaSlow, bool truncate) {
  const auto correctionDim = [&](double rotations) {
    return (rotaryDim *
            std::log(static_cast<double>(originalContext) / (rotations * 2.0 * std::numbers::pi))) /
           (2.0 * std::log(theta));
  };
  double low = correctionDim(betaFast);
  double high = correctionDim(betaSlow);
  if (truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  return {std::max(low, 0.0), std::min(high, static_cast<double>(rotaryDim - 1))};
}

RopeSchedule computeRopeSchedule(const RopeParameters& params, std::optional<qint64> sequenceLength) {
  validate(params);
  if (sequenceLength && *sequenceLength <= 0)
    fail(QStringLiteral("sequence_length"), QStringLiteral("must be positive (got %1)").arg(*sequenceLength));
  if (!params.scaling) return computeDefault(params);
  const RopeScaling& scaling = *params.scaling;
  const QString type = scaling.type.trimmed().toLower();
  if (type.isEmpty() || type == QLatin1String("default") || type == QLatin1String("none"))
    return computeDefault(params);
  if (type == QLatin1String("linear")) return computeLinear(params, scaling);
  if (type == QLatin1String("ntk")) return computeNtk(params, scaling);
  if (type == QLatin1String("dynamic")) return computeDynamic(params, scaling, sequenceLength);
  if (type == QLatin1String("yarn")) return computeYarn(params, scaling);
  if (type == QLatin1String("llama3")) return computeLlama3(params, scaling);
  if (type == QLatin1String("longrope")) return computeLongRope(params, scaling, sequenceLength);
  fail(QStringLiteral("rope_scaling.rope_type"),
       QStringLiteral("unknown type '%1' (known: default, linear, ntk, dynamic, yarn, llama3, longrope)")
           .arg(scaling.type));
}

}  // namespace sinkscope
