// ropeParametersFor and withMitigation: where a schedule's inputs come from (the model as it
// ships, or a runtime's override). The maths of each schedule is in RopeSchedule.cpp.
#include "common/Error.h"
#include "common/JsonRead.h"
#include "positional/RopeSchedule.h"

#include <cmath>

namespace sinkscope {

namespace {

bool isScaled(const std::optional<RopeScaling>& scaling) {
  if (!scaling) return false;
  const QString type = scaling->type.trimmed().toLower();
  return !type.isEmpty() && type != QLatin1String("default") && type != QLatin1String("none");
}

bool hasLongRopeFactors(const RopeParameters& params) {
  return params.scaling && params.scaling->type.trimmed().toLower() == QLatin1String("longrope") &&
         !params.scaling->shortFactor.empty() && !params.scaling->longFactor.empty();
}

QString whyNot(const RopeParameters& params, Mitigation mitigation) {
  if (mitigation == Mitigation::Alibi)
    return QStringLiteral(
        "not a RoPE frequency schedule: ALiBi replaces RoPE and needs a model trained with it");
  if (mitigation == Mitigation::LongRope && !hasLongRopeFactors(params))
    return QStringLiteral(
        "needs the per-pair rescale factors that LongRoPE's search found for this model "
        "(rope_scaling.short_factor / long_factor), and this model ships none; use yarn or llama3 instead");
  return {};
}

qint64 trainedContextOf(const RopeParameters& params) {
  if (params.originalContext > 0) return params.originalContext;
  if (params.maxPositionEmbeddings > 0) return params.maxPositionEmbeddings;
  throwBadInput(
      QStringLiteral("mitigation"), QStringLiteral("original_context"),
      QStringLiteral("the model's trained context is unknown, so a scaling factor cannot be applied"));
}

RopeScalingDefaults readDefaults(const QString& path) {
  const JsonReader root(readJsonObjectFile(path), path);
  const JsonReader yarn = root.requireObject(QStringLiteral("yarn"));
  const JsonReader llama3 = root.requireObject(QStringLiteral("llama3"));
  yarn.requireString(QStringLiteral("source"));
  llama3.requireString(QStringLiteral("source"));
  RopeScalingDefaults defaults;
  defaults.yarnBetaFast = yarn.requireDouble(QStringLiteral("beta_fast"), 1e-6, 1e6);
  defaults.yarnBetaSlow = yarn.requireDouble(QStringLiteral("beta_slow"), 1e-6, 1e6);
  defaults.llama3LowFreqFactor = llama3.requireDouble(QStringLiteral("low_freq_factor"), 1e-6, 1e6);
  defaults.llama3HighFreqFactor = llama3.requireDouble(QStringLiteral("high_freq_factor"), 1e-6, 1e6);
  return defaults;
}

}  // namespace

const RopeScalingDefaults& ropeScalingDefaults() {
  static const RopeScalingDefaults defaults = readDefaults(QStringLiteral(":/rope_defaults.json"));
  return defaults;
}

RopeParameters ropeParametersFor(const ModelSpec& model) {
  const QString name = model.id.isEmpty() ? model.displayName : model.id;
  if (!model.usesRope || model.attentionKind == AttentionKind::Alibi)
    throwBadInput(name, QStringLiteral("rope"),
                  QStringLiteral("the model does not use RoPE (it uses ALiBi or no positional encoding), "
                                 "so it has no RoPE schedule"));
  RopeParameters params;
  params.theta = model.ropeTheta;
  params.layout = model.ropePairLayout;
  params.maxPositionEmbeddings = model.maxPositionEmbeddings;
  if (model.mla) {
    // MLA (DeepSeek-V2/V3): only the decoupled rope part is rotated, all of it.
    params.headDim = model.mla->qkRopeHeadDim;
    params.partialRotaryFactor = 1.0;
    params.softmaxHeadDim = model.mla->qkNopeHeadDim + model.mla->qkRopeHeadDim;
  } else {
    params.headDim = model.headDim > 0
                         ? model.headDim
                         : (model.heads > 0 ? static_cast<int>(model.hiddenSize / model.heads) : 0);
    params.partialRotaryFactor = model.partialRotaryFactor;
    params.softmaxHeadDim = params.headDim;
  }
  if (isScaled(model.ropeScaling)) params.scaling = model.ropeScaling;
  if (model.trainedContext > 0)
    params.originalContext = model.trainedContext;
  else if (params.scaling && params.scaling->originalMaxPositionEmbeddings)
    params.originalContext = *params.scaling->originalMaxPositionEmbeddings;
  else
    params.originalContext = model.maxPositionEmbeddings;
  return params;
}

bool mitigationApplies(const RopeParameters& params, Mitigation mitigation, QString* reason) {
  const QString why = whyNot(params, mitigation);
  if (reason) *reason = why;
  return why.isEmpty();
}

RopeParameters withMitigation(const RopeParameters& params, Mitigation mitigation, double factor) {
  switch (mitigation) {
    case Mitigation::Baseline:
    case Mitigation::Streaming:  // keeps the model's frequencies; changes which keys are cached
    case Mitigation::WindowOnly:
      return params;
    default:
      break;
  }
  const QString why = whyNot(params, mitigation);
  if (!why.isEmpty()) throwBadInput(QStringLiteral("mitigation"), mitigationName(mitigation), why);
  if (!std::isfinite(factor) || factor < 1.0)
    throwBadInput(QStringLiteral("mitigation"), QStringLiteral("factor"),
                  QStringLiteral("must be a number >= 1 (got %1)").arg(factor));

  const qint64 trainedContext = trainedContextOf(params);
  RopeParameters result = params;
  result.maxPositionEmbeddings = std::llround(static_cast<double>(trainedContext) * factor);
  RopeScaling scaling;
  scaling.factor = factor;
  scaling.originalMaxPositionEmbeddings = trainedContext;
  switch (mitigation) {
    case Mitigation::Linear:
      scaling.type = QStringLiteral("linear");
      break;
    case Mitigation::Ntk:
      scaling.type = QStringLiteral("ntk");
      break;
    case Mitigation::DynamicNtk:
      scaling.type = QStringLiteral("dynamic");
      break;
    case Mitigation::Yarn:  // the defaults' betas; attention factor g(s) = 0.1 ln s + 1
      scaling.type = QStringLiteral("yarn");
      scaling.betaFast = ropeScalingDefaults().yarnBetaFast;
      scaling.betaSlow = ropeScalingDefaults().yarnBetaSlow;
      break;
    case Mitigation::Llama3:  // Llama 3.1's published frequency factors
      scaling.type = QStringLiteral("llama3");
      scaling.lowFreqFactor = ropeScalingDefaults().llama3LowFreqFactor;
      scaling.highFreqFactor = ropeScalingDefaults().llama3HighFreqFactor;
      break;
    case Mitigation::LongRope:
      // The model's own searched factors, for the L0 they were searched at; s sets the attention factor.
      scaling = *params.scaling;
      scaling.factor = factor;
      if (scaling.originalMaxPositionEmbeddings)
        result.maxPositionEmbeddings =
            std::llround(static_cast<double>(*scaling.originalMaxPositionEmbeddings) * factor);
      break;
    default:
      throwBadInput(QStringLiteral("mitigation"), mitigationName(mitigation),
                    QStringLiteral("is not a RoPE schedule"));
  }
  result.scaling = scaling;
  return result;
}

}  // namespace sinkscope
