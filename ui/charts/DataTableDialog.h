// A dialog that shows a chart's numbers as a table, accessible to screen readers, with Copy CSV
// and Save CSV. Not an editor: the table is read-only.
#pragma once

#include "charts/ChartTable.h"

#include <QDialog>

class QTableWidget;

namespace sinkscope::ui {

class DataTableDialog : public QDialog {
  Q_OBJECT
 public:
  DataTableDialog(const ChartTable& table, QWidget* parent = nullptr);
  QTableWidget* tableWidget() const { return tableWidget_; }

 private:
  ChartTable table_;
  QTableWidget* tableWidget_ = nullptr;
};

}  // namespace sinkscope::ui
