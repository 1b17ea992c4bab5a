// Imports the user's files (HF config.json, .gguf, hardware JSON) from the Open dialog, the
// docks' Import buttons and drops, and Hugging Face ids from the Hub dialog; selects them in the scenario;
// keeps the recent-files list; reports a bad file in a non-blocking error dialog. Not the parsers:
// core/catalog.
#pragma once

#include "scenario/SpecLibrary.h"

#include <QObject>
#include <QStringList>

class QWidget;

namespace sinkscope::ui {

class Scenario;
class HubImportDialog;

class ImportController : public QObject {
  Q_OBJECT
 public:
  ImportController(SpecLibrary& library, Scenario& scenario, QWidget* dialogParent);

  // Each returns true on success; on failure emits importFailed and shows the error dialog.
  bool importAny(const QString& path);
  bool importModel(const QString& path);
  bool importHardware(const QString& path);
  // Re-imports files from an earlier session without dialogs; one that no longer imports is not
  // offered again. Returns "<path>: <why>" for each of those, for the window to say.
  QStringList restoreImports(const QStringList& paths);

  // A model the Hub dialog opened: added to the library under its id and selected.
  void addHubModel(const ModelSpec& spec, const QString& hubId);
  QStringList recentHubIds() const { return recentHubIds_; }
  void setRecentHubIds(const QStringList& ids) { recentHubIds_ = ids; }

  QStringList recentFiles() const { return recent_; }
  // A file opened elsewhere (the Measured tab's GGUF) goes first in Open recent.
  void rememberFile(const QString& path) { remember(path); }
  void setRecentFiles(const QStringList& paths) { recent_ = paths; }
  static bool canImport(const QString& path);  // by extension: .json or .gguf
  void setShowErrorDialogs(bool show) { showDialogs_ = show; }

 public slots:
  void openModelDialog();
  void openHardwareDialog();
  void openAnyDialog();
  HubImportDialog* openHubDialog();  // non-modal; deletes itself when closed

 signals:
  void imported(const QString& key);
  void importFailed(const QString& message);
  void recentFilesChanged();

 private:
  bool guarded(const QString& path, const std::function<void()>& action);
  void remember(const QString& path);

  SpecLibrary& library_;
  Scenario& scenario_;
  QWidget* dialogParent_;
  QStringList recent_;
  QStringList recentHubIds_;
  bool showDialogs_ = true;
};

}  // namespace sinkscope::ui
