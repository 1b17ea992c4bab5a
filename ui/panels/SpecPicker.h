// A searchable list with a details pane and an Import button: the Model and Hardware docks.
// Not a data owner: it shows what its callbacks return and reports the user's choice.
#pragma once

#include <QWidget>
#include <functional>
#include <vector>

class QLineEdit;
class QListWidget;
class QPushButton;
class QTextBrowser;

namespace sinkscope::ui {

struct PickerEntry {
  QString key;
  QString label;    // list text
  QString toolTip;  // one line summary
  QString search;   // extra text matched by the search box (family, vendor, ...)
};

class SpecPicker : public QWidget {
  Q_OBJECT
 public:
  struct Callbacks {
    std::function<std::vector<PickerEntry>()> entries;
    std::function<QString(const QString& key)> detailsHtml;
  };
  SpecPicker(const QString& what, Callbacks callbacks, QWidget* parent = nullptr);

  void reload();                    // entries changed (import)
  void select(const QString& key);  // without emitting picked()
  QString selectedKey() const;
  int count() const;         // entries listed (before filtering)
  int visibleCount() const;  // entries matching the search text
  QLineEdit* searchBox() const { return search_; }
  QListWidget* list() const { return list_; }
  QPushButton* importButton() const { return import_; }
  QTextBrowser* details() const { return details_; }

 signals:
  void picked(const QString& key);
  void importRequested();

 private:
  void applyFilter(const QString& text);
  void showDetails();

  Callbacks callbacks_;
  QLineEdit* search_ = nullptr;
  QListWidget* list_ = nullptr;
  QTextBrowser* details_ = nullptr;
  QPushButton* import_ = nullptr;
  bool selecting_ = false;
};

}  // namespace sinkscope::ui
