#include "measure/MeasureProgress.h"

#include <QLocale>
#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

QString durationText(double seconds) {
  const qint64 whole = qint64(std::ceil(seconds));
  if (whole < 60) return QStringLiteral("%1 s").arg(whole);
  if (whole < 3600) return QStringLiteral("%1 min %2 s").arg(whole / 60).arg(whole % 60);
  return QStringLiteral("%1 h %2 min").arg(whole / 3600).arg((whole % 3600) / 60);
}

}  // namespace

QString MeasureProgress::text() const {
  QString line = QStringLiteral("%1 %").arg(int(std::clamp(fraction, 0.0, 1.0) * 100.0));
  if (tokensPerSecond > 0)
    line += QStringLiteral(", %1 tokens/s").arg(QLocale::c().toString(qint64(std::lround(tokensPerSecond))));
  if (secondsLeft) line += QStringLiteral(", %1 left").arg(durationText(*secondsLeft));
  return line;
}

MeasureProgress measureProgressAt(double fraction, double elapsedSeconds, qint64 totalTokenPasses) {
  MeasureProgress progress;
  progress.fraction = std::clamp(fraction, 0.0, 1.0);
  progress.elapsedSeconds = std::max(0.0, elapsedSeconds);
  if (progress.fraction <= 0 || progress.elapsedSeconds <= 0) return progress;
  progress.tokensPerSecond = progress.fraction * double(totalTokenPasses) / progress.elapsedSeconds;
  progress.secondsLeft = progress.elapsedSeconds * (1.0 - progress.fraction) / progress.fraction;
  return progress;
}

}  // namespace sinkscope
