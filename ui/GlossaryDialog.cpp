#include "GlossaryDialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QLineEdit>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace sinkscope::ui {

QString GlossaryDialog::glossaryMarkdown() {
  QFile file(QStringLiteral(":/docs/glossary.md"));
  return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

GlossaryDialog::GlossaryDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("SinkScope glossary"));
  setObjectName(QStringLiteral("glossaryDialog"));
  auto* layout = new QVBoxLayout(this);
  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Find a term (Enter for the next match)"));
  search_->setClearButtonEnabled(true);
  search_->setAccessibleName(tr("Find in glossary"));
  browser_ = new QTextBrowser(this);
  browser_->setMarkdown(glossaryMarkdown());
  browser_->setOpenLinks(false);
  browser_->setAccessibleName(tr("Glossary"));
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  layout->addWidget(search_);
  layout->addWidget(browser_, 1);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
  connect(search_, &QLineEdit::textEdited, this, [this](const QString& text) {
    browser_->moveCursor(QTextCursor::Start);
    find(text);
  });
  connect(search_, &QLineEdit::returnPressed, this, [this] { find(search_->text()); });
  resize(640, 720);
}

void GlossaryDialog::find(const QString& text) {
  if (text.isEmpty()) return;
  if (!browser_->find(text)) {  // wrap around
    browser_->moveCursor(QTextCursor::Start);
    browser_->find(text);
  }
}

}  // namespace sinkscope::ui
