// How far a measured session has got, in the terms a person waiting wants: the share done, tokens
// per second and the time left, and their one-line text. Not a timer and not a display.
#pragma once

#include <QString>
#include <optional>

namespace sinkscope {

struct MeasureProgress {
  double fraction = 0;                // 0..1 of every forward pass the session makes
  double elapsedSeconds = 0;          // since the first forward pass started
  double tokensPerSecond = 0;         // token positions run through the model per second (0 at the start)
  std::optional<double> secondsLeft;  // at the rate so far; unknown before any progress
  // "42 %, 1234 tokens/s, 12 s left" (or "42 %" while the rate is unknown).
  QString text() const;
};

// The progress after `fraction` of `totalTokenPasses` token positions (tokens x forward passes)
// in `elapsedSeconds`: rate = fraction x total / elapsed, time left = elapsed x (1 - f) / f.
MeasureProgress measureProgressAt(double fraction, double elapsedSeconds, qint64 totalTokenPasses);

}  // namespace sinkscope
