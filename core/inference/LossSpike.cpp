#include "inference/LossSpike.h"

#include "common/Error.h"

#include <cmath>

namespace sinkscope {

LossSpike detectLossSpike(std::span<const float> nll, std::span<const float> controlNll,
                          const LossSpikeSettings& settings) {
  if (nll.size() != controlNll.size())
    throw Error(ErrorKind::Internal, QString(), QStringLiteral("loss spike"),
                QStringLiteral("control length differs"));
  LossSpike spike;
  spike.allowanceNats = settings.allowanceNats;
  spike.thresholdNats = settings.thresholdNats;
  const qint64 n = qint64(nll.size());
  spike.contextCap = n + 1;  // tokens measured (nll has one entry fewer)
  if (n == 0) return spike;
  double sum = 0, squares = 0;
  for (qint64 p = 0; p < n; ++p) sum += double(nll[size_t(p)]) - double(controlNll[size_t(p)]);
  spike.meanExcess = sum / double(n);
  for (qint64 p = 0; p < n; ++p)
    squares += std::pow(double(nll[size_t(p)]) - double(controlNll[size_t(p)]) - spike.meanExcess, 2);
  spike.excessStd = n > 1 ? std::sqrt(squares / double(n - 1)) : 0.0;

  double cusum = 0;
  qint64 lastZero = -1;  // the last p with S_p = 0 (S_{-1} = 0)
  for (qint64 p = 0; p < n; ++p) {
    cusum = std::max(0.0,
                     cusum + double(nll[size_t(p)]) - double(controlNll[size_t(p)]) - settings.allowanceNats);
    if (cusum == 0.0) lastZero = p;
    if (cusum > settings.thresholdNats) {
      spike.detected = true;
      spike.alarmPosition = p;
      spike.onsetPosition = lastZero + 1;
      spike.contextCap = spike.onsetPosition;
      break;
    }
  }
  return spike;
}

}  // namespace sinkscope
