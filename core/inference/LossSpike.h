// The loss-spike detector of measured mode (docs/measured-mode.md): Page's CUSUM on the per-token
// loss in excess of an in-distribution control run over the same tokens. Not a quality model.
#pragma once

#include <QtGlobal>
#include <span>

namespace sinkscope {

struct LossSpikeSettings {
  double allowanceNats = 0.05;  // k: excess per token tolerated (half the 0.1-nat shift to catch)
  double thresholdNats = 50.0;  // h: cumulative excess that raises the alarm
};

struct LossSpike {
  double allowanceNats = 0;  // k used
  double thresholdNats = 0;  // h used
  double meanExcess = 0;     // mean of nll - controlNll over all positions (nats)
  double excessStd = 0;      // per-token standard deviation of the excess (nats)
  bool detected = false;
  qint64 alarmPosition = -1;  // first p with S_p > h (-1 when none)
  qint64 onsetPosition = -1;  // the position after the last S = 0 before the alarm
  qint64 contextCap = 0;      // onsetPosition when detected, else every token measured
};

// nll[p] and controlNll[p]: losses of predicting token p + 1 under the measured configuration
// and under the in-distribution control. S_0 = 0, S_p = max(0, S_{p-1} + x_p - k) with
// x_p = nll[p] - controlNll[p]; the alarm is the first p with S_p > h.
LossSpike detectLossSpike(std::span<const float> nll, std::span<const float> controlNll,
                          const LossSpikeSettings& settings = {});

}  // namespace sinkscope
