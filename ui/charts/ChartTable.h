// A chart's numbers as a table with units in the column headers, for the data view, the CSV
// copy and exports. Not the chart itself and not a Qt model.
#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>
#include <vector>

namespace sinkscope::ui {

struct ChartTable {
  QString title;
  QStringList columns;                      // "context (tokens)", "sink mass k=1", ...
  std::vector<std::vector<QVariant>> rows;  // doubles, integers or text; one entry per column

  void addRow(std::vector<QVariant> row) { rows.push_back(std::move(row)); }
  bool isEmpty() const { return rows.empty(); }
  int columnIndex(const QString& column) const { return int(columns.indexOf(column)); }
  // A number in a cell (NaN when it is text or missing).
  double number(size_t row, int column) const;
  // RFC 4180 CSV: header line, then rows; numbers in full precision ('g', 10 digits).
  QString toCsv() const;
};

// A context_cap cell: the tokens, or "none" where the stream has no cap (StreamingLLM).
QVariant capCell(qint64 capTokens);
QString formatCell(const QVariant& value);  // full precision, for CSV and JSON
// As the Data… view shows a cell (core NumberFormat): confidence columns to two decimals, other
// fractions to four significant digits, large numbers with their digits grouped, text as it is.
QString displayCell(const QString& column, const QVariant& value);

}  // namespace sinkscope::ui
