// How the window writes numbers with their units: bytes as GiB, tokens with K/M, parameters,
// FLOP/s and bandwidth; tokens and GiB through core's NumberFormat. Not parsing, not the numbers.
#pragma once

#include <QString>
#include <QtGlobal>

namespace sinkscope::ui {

inline constexpr double kBytesPerGiB = 1024.0 * 1024.0 * 1024.0;

QString formatGiB(double bytes, int decimals = 2);  // "14.48 GiB"
QString formatBytes(double bytes);                  // B, KiB, MiB or GiB, whichever fits
QString formatTokens(qint64 tokens);                // "32,768 tokens"
QString formatTokensShort(double tokens);           // "32K", "128K", "1M", "1.5K"
QString formatParameters(double parameters);        // "7.24 B parameters"
QString formatFlops(double flopsPerSecond);         // "989 TFLOP/s"
QString formatBandwidth(double bytesPerSecond);     // "3.35 TB/s"
QString formatRate(double tokensPerSecond);         // "1,234 tokens/s"

}  // namespace sinkscope::ui
