#include "positional/PositionalJson.h"

#include "catalog/SpecJson.h"

#include <QJsonArray>

namespace sinkscope {

QJsonObject ropeScheduleToJson(const RopeSchedule& schedule) {
  QJsonArray invFreq;
  for (double value : schedule.invFreq) invFreq.append(value);
  return QJsonObject{
      {QStringLiteral("rope_type"), schedule.ropeType},
      {QStringLiteral("rotary_dim"), schedule.rotaryDim},
      {QStringLiteral("head_dim"), schedule.headDim},
      {QStringLiteral("pair_layout"), ropePairLayoutName(schedule.layout)},
      {QStringLiteral("base"), schedule.base},
      {QStringLiteral("original_context"), schedule.originalContext},
      {QStringLiteral("inv_freq"), invFreq},
      {QStringLiteral("attention_factor"), schedule.attentionFactor},
      {QStringLiteral("logit_scale"), schedule.attentionFactor * schedule.attentionFactor},
      {QStringLiteral("softmax_scale"), schedule.softmaxScale},
  };
}

QJsonObject phaseCoverageToJson(const PhaseCoverage& coverage) {
  QJsonArray pairs;
  for (const PairPhaseCoverage& pair : coverage.pairs)
    pairs.append(QJsonObject{
        {QStringLiteral("pair"), pair.pair},
        {QStringLiteral("trained_period_tokens"), pair.trainedPeriodTokens},
        {QStringLiteral("period_tokens"), pair.inferencePeriodTokens},
        {QStringLiteral("full_circle_seen"), pair.fullCircleSeen},
        {QStringLiteral("unseen_share"), pair.unseenShare},
    });
  return QJsonObject{
      {QStringLiteral("context"), coverage.context},
      {QStringLiteral("trained_context"), coverage.trainedContext},
      {QStringLiteral("rotary_dim"), coverage.rotaryDim},
      {QStringLiteral("critical_dims"), coverage.criticalDims},
      {QStringLiteral("unseen_rotary_dims"), coverage.unseenRotaryDims},
      {QStringLiteral("mean_unseen_share"), coverage.meanUnseenShare},
      {QStringLiteral("summary"), unseenRotaryDimsSentence(coverage)},
      {QStringLiteral("pairs"), pairs},
  };
}

}  // namespace sinkscope
