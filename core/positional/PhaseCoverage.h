// Which RoPE angles a model saw in training (docs/references.md section 3): the critical dimension and,
// for a context N, per rotary pair the share of relative distances whose angle training never
// produced. Not attention: this is geometry of the frequencies only (docs/positional.md).
#pragma once

#include "positional/RopeSchedule.h"

#include <QString>
#include <vector>

namespace sinkscope {

// Liu et al. 2024: d_extra = 2 ceil((d/2) log_b(T / 2 pi)), clamped to [0, d]. Rotary dims below it
// belong to pairs whose period fits inside the trained context T.
int criticalDimension(double theta, int rotaryDim, qint64 trainedContext);
// The same boundary read from actual frequencies: 2 x the number of pairs whose period
// 2 pi / inv_freq is at most T. Equals the formula for an unscaled schedule.
int criticalDimension(const RopeSchedule& schedule, qint64 trainedContext);

// Training with frequency theta at distances 0..T-1 sweeps the arc [0, T theta] (each step
// continues to the next position), so a pair whose period is at most T has seen every angle. At
// inference, distance D has angle D theta' mod 2 pi; it is unseen when it falls outside that arc.
// Closed form over distances as a continuum [0, N): with turns u = N theta' / 2 pi, K = floor(u),
// a = T theta / 2 pi: share = (K (1 - a) + max(0, u - K - a)) / u. It differs from the count over
// integer distances 0..N-1 by at most (K + 2) / N.
double unseenDistanceShare(double trainedInvFreq, double inferenceInvFreq, qint64 trainedContext,
                           qint64 context);

struct PairPhaseCoverage {
  int pair = 0;                      // i: rotary dims (i, i + d/2) or (2i, 2i + 1)
  double trainedPeriodTokens = 0;    // 2 pi / theta_i of the trained schedule
  double inferencePeriodTokens = 0;  // 2 pi / theta'_i of the schedule in use
  bool fullCircleSeen = false;       // trained period <= T: every angle was seen
  double unseenShare = 0;            // share of distances 0..N-1 whose angle was never seen
};

struct PhaseCoverage {
  qint64 trainedContext = 0;  // T, tokens
  qint64 context = 0;         // N, tokens
  int rotaryDim = 0;
  int criticalDims = 0;        // of the trained schedule
  int unseenRotaryDims = 0;    // 2 x pairs where at least one distance (share x N >= 0.5) is unseen
  double meanUnseenShare = 0;  // over pairs
  std::vector<PairPhaseCoverage> pairs;
};

// trained: the schedule the model was trained with (usually the unscaled one); inference: the
// schedule in use at context N (for dynamic / longrope compute it at sequence length N).
// Throws Error(BadInput) when the schedules differ in size or T, N < 1.
PhaseCoverage phaseCoverage(const RopeSchedule& trained, const RopeSchedule& inference, qint64 trainedContext,
                            qint64 context);
// How many of the rotary dims see angles at context N that training at T never produced, when
// the model runs its own schedule (trained = inference).
int unseenRotaryDims(const RopeSchedule& schedule, qint64 trainedContext, qint64 context);
// The schedule pre-training used: the model's own base and dims with no scaling.
RopeSchedule trainedRopeSchedule(const RopeParameters& params);
// The usual question in one call: params as in use (the model's own, or withMitigation's), at
// context N, against pre-training at params.originalContext tokens with trainedRopeSchedule.
PhaseCoverage phaseCoverageFor(const RopeParameters& params, qint64 context);
// "RoPE angles in 36 of 128 rotary dims were never seen in training (context 32,768; trained 4,096)"
QString unseenRotaryDimsSentence(const PhaseCoverage& coverage);

}  // namespace sinkscope
