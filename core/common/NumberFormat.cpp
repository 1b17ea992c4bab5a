#include "common/NumberFormat.h"

#include <QLocale>
#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

// English digits and grouping whatever the machine's locale (reports and tests compare text).
const QLocale& numberLocale() {
  static const QLocale locale(QLocale::English, QLocale::UnitedStates);
  return locale;
}

// One decimal below ten, none from ten up, a trailing ".0" dropped: 1.5, 3.9, 32, 128.
QString scaled(double value) {
  QString text = QString::number(value, 'f', value < 10 ? 1 : 0);
  if (text.endsWith(QLatin1String(".0"))) text.chop(2);
  return text;
}

}  // namespace

QString tokensShort(double tokens) {
  constexpr double kKi = 1024.0, kMi = 1024.0 * 1024.0;
  if (tokens >= kMi) return scaled(tokens / kMi) + QLatin1Char('M');
  if (tokens >= kKi) return scaled(tokens / kKi) + QLatin1Char('K');
  return QString::number(qint64(std::llround(std::max(0.0, tokens))));
}

QString tokensFull(qint64 tokens) {
  return numberLocale().toString(tokens);
}

QString tokensText(qint64 tokens) {
  return tokensFull(tokens) + QStringLiteral(" tokens");
}

QString capText(qint64 capTokens) {
  return capTokens > 0 ? tokensText(capTokens) : noneText();
}

QString gibText(qint64 bytes, int decimals) {
  // Below 1/100 GiB a GiB figure reads "0.00 GiB" for a file that is not empty: MiB, then KiB.
  if (bytes > 0 && double(bytes) * 100.0 < double(1ll << 30)) {  // in double: no overflow near 2^63
    if (bytes >= (1ll << 20) / 10) return QString::number(double(bytes) / double(1ll << 20), 'f', 1) + " MiB";
    return QString::number(double(bytes) / 1024.0, 'f', 1) + QStringLiteral(" KiB");
  }
  return QString::number(double(bytes) / double(1ll << 30), 'f', decimals) + QStringLiteral(" GiB");
}

QString percentText(double fraction) {
  const double percent = fraction * 100.0;
  const bool small = percent != 0.0 && std::abs(percent) < 10.0;
  return QString::number(percent, 'f', small ? 1 : 0) + QStringLiteral(" %");
}

QString percentText(const std::optional<double>& fraction) {
  return fraction ? percentText(*fraction) : notApplicableText();
}

namespace {

QString bandText(const QString& central, const QString& low, const QString& high) {
  if (low == high) return central;
  return QStringLiteral("%1 (%2–%3)").arg(central, low, high);
}

}  // namespace

QString bandInSentence(const QString& central, const QString& low, const QString& high) {
  if (low == central && high == central) return central;
  return QStringLiteral("%1, band %2–%3").arg(central, low, high);
}

QString percentBandText(double central, double low, double high) {
  return bandText(percentText(central), percentText(low), percentText(high));
}

QString tokensBandText(double central, double low, double high) {
  return bandText(tokensShort(central), tokensShort(low), tokensShort(high));
}

QString confidenceText(double value) {
  return QString::number(value, 'f', 2);
}

QString notApplicableText() {
  return QStringLiteral("n/a");
}

QString noneText() {
  return QStringLiteral("none");
}

}  // namespace sinkscope
