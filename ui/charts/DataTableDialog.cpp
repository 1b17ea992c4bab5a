#include "charts/DataTableDialog.h"
#include "DialogFolders.h"

#include "ColumnGlossary.h"
#include "charts/ChartExport.h"
#include "common/AtomicFile.h"
#include "common/Error.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHeaderView>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sinkscope::ui {

DataTableDialog::DataTableDialog(const ChartTable& table, QWidget* parent) : QDialog(parent), table_(table) {
  setWindowTitle(tr("Data: %1").arg(table.title));
  resize(720, 480);
  auto* layout = new QVBoxLayout(this);
  tableWidget_ = new QTableWidget(int(table.rows.size()), int(table.columns.size()), this);
  tableWidget_->setAccessibleName(tr("Chart data table"));
  tableWidget_->setHorizontalHeaderLabels(table.columns);
  tableWidget_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  for (size_t r = 0; r < table.rows.size(); ++r)
    for (size_t c = 0; c < table.rows[r].size() && c < size_t(table.columns.size()); ++c)
      tableWidget_->setItem(int(r), int(c),
                            new QTableWidgetItem(displayCell(table.columns[int(c)], table.rows[r][c])));
  // Each header's meaning from docs/glossary.md; a column the glossary does not explain has none.
  for (int c = 0; c < table.columns.size(); ++c)
    if (const QString meaning = columnToolTip(table.columns[c]); !meaning.isEmpty())
      tableWidget_->horizontalHeaderItem(c)->setToolTip(tr("%1\n(Copy CSV gives every digit.)").arg(meaning));
  tableWidget_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  layout->addWidget(tableWidget_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  auto* copy = buttons->addButton(tr("Copy CSV"), QDialogButtonBox::ActionRole);
  copy->setToolTip(tr("Copy the whole table as comma-separated values"));
  auto* save = buttons->addButton(tr("Save CSV…"), QDialogButtonBox::ActionRole);
  save->setToolTip(tr("Save the whole table as a .csv file"));
  connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(table_.toCsv()); });
  connect(save, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save data"), dialogStartPath(DialogPurpose::Export), tr("CSV (*.csv)"));
    rememberDialogFolder(DialogPurpose::Export, path);
    if (path.isEmpty()) return;
    try {
      writeFileAtomically(path, table_.toCsv().toUtf8());
    } catch (const Error& error) {
      QMessageBox::critical(this, tr("Could not save the data"), error.describe());
    }
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
}

}  // namespace sinkscope::ui
