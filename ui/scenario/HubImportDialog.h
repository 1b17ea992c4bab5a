// The window's Import → "From Hugging Face": asks for an id (recent ones offered), opens it from
// the cache or fetches it in the background with progress and Cancel, and shows the command
// line's error messages. Not the client (hub/HubFetch.h) and not the library (SpecLibrary.h).
#pragma once

#include "catalog/ModelSpec.h"

#include <QDialog>
#include <QPointer>
#include <QStringList>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace sinkscope::hub {
class HubFetch;
}

namespace sinkscope::ui {

class HubImportDialog : public QDialog {
  Q_OBJECT
 public:
  HubImportDialog(const QStringList& recentIds, QWidget* parent = nullptr);
  ~HubImportDialog() override;

  QComboBox* idBox() const { return idBox_; }
  QLabel* statusLabel() const { return status_; }
  QPushButton* openButton() const { return open_; }
  bool fetching() const;

 public slots:
  void startOpen();  // the Open button: from the cache, else a background fetch
  void cancelOrClose();
  void reject() override;  // Esc or closing the window cancels a running fetch

 signals:
  void modelOpened(const sinkscope::ModelSpec& spec, const QString& hubId);
  void failed(const QString& message);

 private:
  void showError(const QString& message);
  void fetchFinished();
  void setBusy(bool busy);

  QComboBox* idBox_;
  QLabel* status_;
  QProgressBar* progress_;
  QPushButton* open_;
  QPushButton* cancel_;
  QPointer<hub::HubFetch> fetch_;
  QString pendingId_;
};

}  // namespace sinkscope::ui
