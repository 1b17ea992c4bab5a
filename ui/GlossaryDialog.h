// Help → Glossary: the definitions of docs/glossary.md (shipped as a resource, so the window and
// the documentation say the same), in a non-modal, searchable window. Not the docs themselves.
#pragma once

#include <QDialog>

class QLineEdit;
class QTextBrowser;

namespace sinkscope::ui {

class GlossaryDialog : public QDialog {
  Q_OBJECT
 public:
  explicit GlossaryDialog(QWidget* parent = nullptr);
  QTextBrowser* browser() const { return browser_; }
  static QString glossaryMarkdown();  // the text of docs/glossary.md

 private:
  void find(const QString& text);

  QLineEdit* search_ = nullptr;
  QTextBrowser* browser_ = nullptr;
};

}  // namespace sinkscope::ui
