#include "charts/ChartTable.h"

#include "common/NumberFormat.h"

#include <cmath>
#include <limits>

namespace sinkscope::ui {

namespace {

QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')))
    return text;
  QString quoted = text;
  quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

}  // namespace

QString formatCell(const QVariant& value) {
  switch (value.typeId()) {
    case QMetaType::Double:
    case QMetaType::Float: {
      const double number = value.toDouble();
      if (std::isnan(number)) return QString();
      return QString::number(number, 'g', 10);
    }
    default:
      return value.toString();
  }
}

QVariant capCell(qint64 capTokens) {
  return capTokens > 0 ? QVariant(capTokens) : QVariant(noneText());
}

QString displayCell(const QString& column, const QVariant& value) {
  switch (value.typeId()) {
    case QMetaType::Double:
    case QMetaType::Float: {
      const double number = value.toDouble();
      if (std::isnan(number)) return QString();
      if (column.contains(QLatin1String("confidence"))) return confidenceText(number);
      if (column.contains(QLatin1String("(tokens")))
        return tokensFull(qint64(std::llround(number)));                                // whole tokens
      if (std::abs(number) >= 1000.0) return tokensFull(qint64(std::llround(number)));  // digits grouped
      return QString::number(number, 'g', 4);
    }
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
      return tokensFull(value.toLongLong());
    default:
      return value.toString();
  }
}

double ChartTable::number(size_t row, int column) const {
  if (row >= rows.size() || column < 0 || size_t(column) >= rows[row].size())
    return std::numeric_limits<double>::quiet_NaN();
  bool ok = false;
  const double value = rows[row][size_t(column)].toDouble(&ok);
  return ok ? value : std::numeric_limits<double>::quiet_NaN();
}

QString ChartTable::toCsv() const {
  QStringList lines;
  QStringList header;
  for (const QString& column : columns) header << csvField(column);
  lines << header.join(QLatin1Char(','));
  for (const auto& row : rows) {
    QStringList fields;
    for (const QVariant& cell : row) fields << csvField(formatCell(cell));
    lines << fields.join(QLatin1Char(','));
  }
  return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

}  // namespace sinkscope::ui
