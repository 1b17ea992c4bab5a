#include "positional/PhaseCoverage.h"

#include "common/Error.h"

#include <QLocale>
#include <algorithm>
#include <cmath>
#include <numbers>

namespace sinkscope {

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

void requirePositive(qint64 value, const QString& field) {
  if (value < 1)
    throwBadInput(QStringLiteral("phase coverage"), field,
                  QStringLiteral("must be at least 1 (got %1)").arg(value));
}

}  // namespace

int criticalDimension(double theta, int rotaryDim, qint64 trainedContext) {
  requirePositive(trainedContext, QStringLiteral("trained_context"));
  const double pairs =
      (rotaryDim / 2.0) * std::log(static_cast<double>(trainedContext) / kTwoPi) / std::log(theta);
  const double dims = 2.0 * std::ceil(pairs);
  return static_cast<int>(std::clamp(dims, 0.0, static_cast<double>(rotaryDim)));
}

int criticalDimension(const RopeSchedule& schedule, qint64 trainedContext) {
  requirePositive(trainedContext, QStringLiteral("trained_context"));
  const auto fits = std::count_if(schedule.invFreq.begin(), schedule.invFreq.end(), [&](double invFreq) {
    return kTwoPi / invFreq <= static_cast<double>(trainedContext);
  });
  return 2 * static_cast<int>(fits);
}

double unseenDistanceShare(double trainedInvFreq, double inferenceInvFreq, qint64 trainedContext,
                           qint64 context) {
  const double seenArc = static_cast<double>(trainedContext) * trainedInvFreq;  // radians
  if (seenArc >= kTwoPi || context <= 0 || inferenceInvFreq <= 0.0) return 0.0;
  const double turns = static_cast<double>(context) * inferenceInvFreq / kTwoPi;
  const double seenTurn = seenArc / kTwoPi;
  const double fullTurns = std::floor(turns);
  const double unseenTurns = fullTurns * (1.0 - seenTurn) + std::max(0.0, turns - fullTurns - seenTurn);
  return unseenTurns / turns;
}

PhaseCoverage phaseCoverage(const RopeSchedule& trained, const RopeSchedule& inference, qint64 trainedContext,
                            qint64 context) {
  requirePositive(trainedContext, QStringLiteral("trained_context"));
  requirePositive(context, QStringLiteral("context"));
  if (trained.invFreq.size() != inference.invFreq.size())
    throwBadInput(QStringLiteral("phase coverage"), QStringLiteral("rotary_dim"),
                  QStringLiteral("trained schedule has %1 pairs, the one in use %2")
                      .arg(trained.invFreq.size())
                      .arg(inference.invFreq.size()));
  PhaseCoverage coverage;
  coverage.trainedContext = trainedContext;
  coverage.context = context;
  coverage.rotaryDim = inference.rotaryDim;
  coverage.criticalDims = criticalDimension(trained, trainedContext);
  double shareSum = 0;
  for (size_t i = 0; i < inference.invFreq.size(); ++i) {
    PairPhaseCoverage pair;
    pair.pair = static_cast<int>(i);
    pair.trainedPeriodTokens = kTwoPi / trained.invFreq[i];
    pair.inferencePeriodTokens = kTwoPi / inference.invFreq[i];
    pair.fullCircleSeen = pair.trainedPeriodTokens <= static_cast<double>(trainedContext);
    pair.unseenShare = unseenDistanceShare(trained.invFreq[i], inference.invFreq[i], trainedContext, context);
    // Count a pair when at least half a distance's worth is unseen: rounding cannot tip it.
    if (pair.unseenShare * static_cast<double>(context) >= 0.5) coverage.unseenRotaryDims += 2;
    shareSum += pair.unseenShare;
    coverage.pairs.push_back(pair);
  }
  coverage.meanUnseenShare =
      coverage.pairs.empty() ? 0.0 : shareSum / static_cast<double>(coverage.pairs.size());
  return coverage;
}

int unseenRotaryDims(const RopeSchedule& schedule, qint64 trainedContext, qint64 context) {
  return phaseCoverage(schedule, schedule, trainedContext, context).unseenRotaryDims;
}

RopeSchedule trainedRopeSchedule(const RopeParameters& params) {
  RopeParameters unscaled = params;
  unscaled.scaling.reset();
  return computeRopeSchedule(unscaled);
}

PhaseCoverage phaseCoverageFor(const RopeParameters& params, qint64 context) {
  const qint64 trainedContext =
      params.originalContext > 0 ? params.originalContext : params.maxPositionEmbeddings;
  requirePositive(trainedContext, QStringLiteral("trained_context"));
  requirePositive(context, QStringLiteral("context"));
  return phaseCoverage(trainedRopeSchedule(params), computeRopeSchedule(params, context), trainedContext,
                       context);
}

QString unseenRotaryDimsSentence(const PhaseCoverage& coverage) {
  const QLocale english(QLocale::English);
  return QStringLiteral(
             "RoPE angles in %1 of %2 rotary dims were never seen in training (context %3; trained %4)")
      .arg(coverage.unseenRotaryDims)
      .arg(coverage.rotaryDim)
      .arg(english.toString(coverage.context), english.toString(coverage.trainedContext));
}

}  // namespace sinkscope
