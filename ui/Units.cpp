#include "Units.h"

#include "common/NumberFormat.h"

#include <QLocale>
#include <cmath>

namespace sinkscope::ui {

QString formatGiB(double bytes, int decimals) {
  return gibText(qint64(std::llround(bytes)), decimals);
}

QString formatBytes(double bytes) {
  const double magnitude = std::abs(bytes);
  if (magnitude >= kBytesPerGiB) return formatGiB(bytes);
  if (magnitude >= 1024.0 * 1024.0) return QStringLiteral("%1 MiB").arg(bytes / (1024.0 * 1024.0), 0, 'f', 1);
  if (magnitude >= 1024.0) return QStringLiteral("%1 KiB").arg(bytes / 1024.0, 0, 'f', 1);
  return QStringLiteral("%1 B").arg(qint64(bytes));
}

QString formatTokens(qint64 tokens) {
  return tokensText(tokens);
}

QString formatTokensShort(double tokens) {
  return tokensShort(tokens);
}

QString formatParameters(double parameters) {
  if (parameters >= 1e9) return QStringLiteral("%1 B parameters").arg(parameters / 1e9, 0, 'f', 2);
  if (parameters >= 1e6) return QStringLiteral("%1 M parameters").arg(parameters / 1e6, 0, 'f', 1);
  return QStringLiteral("%1 parameters").arg(QLocale().toString(qint64(parameters)));
}

QString formatFlops(double flopsPerSecond) {
  if (flopsPerSecond >= 1e15) return QStringLiteral("%1 PFLOP/s").arg(flopsPerSecond / 1e15, 0, 'f', 2);
  if (flopsPerSecond >= 1e12) return QStringLiteral("%1 TFLOP/s").arg(flopsPerSecond / 1e12, 0, 'f', 1);
  return QStringLiteral("%1 GFLOP/s").arg(flopsPerSecond / 1e9, 0, 'f', 1);
}

QString formatBandwidth(double bytesPerSecond) {
  if (bytesPerSecond >= 1e12) return QStringLiteral("%1 TB/s").arg(bytesPerSecond / 1e12, 0, 'f', 2);
  return QStringLiteral("%1 GB/s").arg(bytesPerSecond / 1e9, 0, 'f', 0);
}

QString formatRate(double tokensPerSecond) {
  return QStringLiteral("%1 tokens/s")
      .arg(QLocale().toString(tokensPerSecond, 'f', tokensPerSecond < 10 ? 2 : 0));
}

}  // namespace sinkscope::ui
