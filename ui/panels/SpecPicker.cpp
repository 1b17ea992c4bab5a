#include "panels/SpecPicker.h"

#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace sinkscope::ui {

namespace {
constexpr int kKeyRole = Qt::UserRole;
constexpr int kSearchRole = Qt::UserRole + 1;
}  // namespace

SpecPicker::SpecPicker(const QString& what, Callbacks callbacks, QWidget* parent)
    : QWidget(parent), callbacks_(std::move(callbacks)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search %1…").arg(what));
  search_->setClearButtonEnabled(true);
  search_->setAccessibleName(tr("Search %1").arg(what));
  search_->setToolTip(tr("Filter the %1 list by name, family or vendor").arg(what));
  list_ = new QListWidget(this);
  list_->setAccessibleName(tr("%1 list").arg(what));
  list_->setToolTip(tr("Pick one of the built-in %1 or one you imported").arg(what));
  list_->setUniformItemSizes(true);
  details_ = new QTextBrowser(this);
  details_->setAccessibleName(tr("%1 details").arg(what));
  details_->setOpenExternalLinks(true);
  import_ = new QPushButton(tr("Import…"), this);
  import_->setAccessibleName(tr("Import %1").arg(what));
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(list_);
  splitter->addWidget(details_);
  splitter->setStretchFactor(0, 1);
  splitter->setStretchFactor(1, 1);
  splitter->setChildrenCollapsible(false);
  layout->addWidget(search_);
  layout->addWidget(splitter, 1);
  layout->addWidget(import_);
  connect(search_, &QLineEdit::textChanged, this, &SpecPicker::applyFilter);
  connect(list_, &QListWidget::currentItemChanged, this, [this] {
    showDetails();
    if (!selecting_ && list_->currentItem()) emit picked(selectedKey());
  });
  connect(import_, &QPushButton::clicked, this, &SpecPicker::importRequested);
  reload();
}

void SpecPicker::reload() {
  const QString current = selectedKey();
  selecting_ = true;
  list_->clear();
  for (const PickerEntry& entry : callbacks_.entries()) {
    auto* item = new QListWidgetItem(entry.label, list_);
    item->setData(kKeyRole, entry.key);
    item->setData(kSearchRole, entry.label + QLatin1Char(' ') + entry.key + QLatin1Char(' ') + entry.search);
    item->setToolTip(entry.toolTip);
  }
  selecting_ = false;
  applyFilter(search_->text());
  if (!current.isEmpty()) select(current);
}

void SpecPicker::select(const QString& key) {
  if (key == selectedKey()) return;
  selecting_ = true;
  for (int i = 0; i < list_->count(); ++i) {
    if (list_->item(i)->data(kKeyRole).toString() == key) {
      list_->setCurrentRow(i);
      list_->scrollToItem(list_->item(i));
      break;
    }
  }
  selecting_ = false;
  showDetails();
}

QString SpecPicker::selectedKey() const {
  return list_->currentItem() ? list_->currentItem()->data(kKeyRole).toString() : QString();
}

int SpecPicker::count() const {
  return list_->count();
}

int SpecPicker::visibleCount() const {
  int visible = 0;
  for (int i = 0; i < list_->count(); ++i) visible += list_->item(i)->isHidden() ? 0 : 1;
  return visible;
}

void SpecPicker::applyFilter(const QString& text) {
  const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
  for (int i = 0; i < list_->count(); ++i) {
    const QString haystack = list_->item(i)->data(kSearchRole).toString();
    bool match = true;
    for (const QString& word : words) match = match && haystack.contains(word, Qt::CaseInsensitive);
    list_->item(i)->setHidden(!match);
  }
}

void SpecPicker::showDetails() {
  const QString key = selectedKey();
  details_->setHtml(key.isEmpty() ? QString() : callbacks_.detailsHtml(key));
}

}  // namespace sinkscope::ui
