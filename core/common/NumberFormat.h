// How every surface (report, charts, data tables, command-line text) writes a quantity: tokens,
// bytes, percentages, confidence, and the words for a missing value. Not parsing, and not locale
// dependent: a report reads the same on every machine (docs/design.md "Numbers as text").
#pragma once

#include <QString>
#include <QtGlobal>
#include <optional>

namespace sinkscope {

// Tokens in powers of two, as contexts are named: 32768 -> "32K", 131072 -> "128K",
// 1048576 -> "1M", 1536 -> "1.5K", 4000 -> "3.9K", 0 -> "0".
QString tokensShort(double tokens);
// Every digit, grouped by thousands: 131072 -> "131,072".
QString tokensFull(qint64 tokens);
// tokensFull with the unit: "131,072 tokens".
QString tokensText(qint64 tokens);
// A context cap: "none" for 0 (StreamingLLM's stream has no cap), else tokensText.
QString capText(qint64 capTokens);
// Bytes in GiB (2^30): "14.48 GiB"; below 1/100 GiB in MiB or KiB ("1.1 MiB"), so a small file
// never reads "0.00 GiB".
QString gibText(qint64 bytes, int decimals = 2);
// A fraction as a percentage, whole numbers from 10 % up and one decimal below, so a small share
// never reads "0 %": 0.9 -> "90 %", 0.0012 -> "0.1 %", 0 -> "0 %".
QString percentText(double fraction);
// A percentage that may be missing: "n/a" when not estimated.
QString percentText(const std::optional<double>& fraction);
// A value with its band, as the window, `plan` and the report write one: "90 % (85 %–95 %)",
// "16K (8K–32K)"; the value alone when the band has no width at this precision ("0 %", never
// "0 % (0 %–0 %)").
QString percentBandText(double central, double low, double high);
QString tokensBandText(double central, double low, double high);
// The same rule inside a sentence, on texts already formatted: "27 %, band 0.0 %–36 %", or the
// value alone when the band has no width ("94 %", never "94 %, band 94 %–94 %").
QString bandInSentence(const QString& central, const QString& low, const QString& high);
// Planner confidence, two decimals: 0.366 -> "0.37", 0.8 -> "0.80".
QString confidenceText(double value);
// What a cell shows for a figure that does not apply (LongRoPE without its factors): "n/a".
QString notApplicableText();
// What a cell shows for a cap that does not exist: "none".
QString noneText();

}  // namespace sinkscope
