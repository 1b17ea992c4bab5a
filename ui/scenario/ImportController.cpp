#include "scenario/ImportController.h"
#include "DialogFolders.h"

#include "HubImport.h"
#include "catalog/HubId.h"
#include "common/Error.h"
#include "scenario/HubImportDialog.h"
#include "scenario/Scenario.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>

namespace sinkscope::ui {

namespace {
constexpr int kMaxRecentFiles = 10;
}

ImportController::ImportController(SpecLibrary& library, Scenario& scenario, QWidget* dialogParent)
    : QObject(dialogParent), library_(library), scenario_(scenario), dialogParent_(dialogParent) {}

bool ImportController::canImport(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  return suffix == QLatin1String("json") || suffix == QLatin1String("gguf");
}

bool ImportController::guarded(const QString& path, const std::function<void()>& action) {
  QString message;
  try {
    action();
    remember(QFileInfo(path).absoluteFilePath());
    return true;
  } catch (const Error& error) {
    message = error.describe();
  } catch (const std::exception& error) {
    message = QStringLiteral("%1: %2").arg(path, QString::fromLocal8Bit(error.what()));
  }
  emit importFailed(message);
  if (showDialogs_) {
    auto* box = new QMessageBox(QMessageBox::Critical, tr("Import failed"),
                                tr("SinkScope could not import this file."), QMessageBox::Ok, dialogParent_);
    box->setInformativeText(message);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setAccessibleName(tr("Import error"));
    box->open();
  }
  return false;
}

bool ImportController::importAny(const QString& path) {
  return guarded(path, [&] {
    const auto [kind, key] = library_.importFile(path);
    if (kind == SpecLibrary::FileKind::Model)
      scenario_.setModelId(key);
    else
      scenario_.setHardwareId(key);
    emit imported(key);
  });
}

bool ImportController::importModel(const QString& path) {
  return guarded(path, [&] {
    const QString key = library_.importModel(path);
    scenario_.setModelId(key);
    emit imported(key);
  });
}

bool ImportController::importHardware(const QString& path) {
  return guarded(path, [&] {
    const QString key = library_.importHardware(path);
    scenario_.setHardwareId(key);
    emit imported(key);
  });
}

QStringList ImportController::restoreImports(const QStringList& paths) {
  QStringList dropped;
  for (const QString& path : paths) {
    try {
      const auto hubId = parseHubId(path);
      if (hubId &&
          !QFileInfo::exists(path)) {  // a Hub model comes back from the cache only, never the network
        if (const auto cached = hub::cachedHubModel(*hubId)) library_.addModel(path, *cached);
        continue;
      }
      library_.importFile(path);
    } catch (const Error& error) {  // not offered again, and the window says why
      dropped << (error.source() == path ? error.describe()
                                         : QStringLiteral("%1: %2").arg(path, error.describe()));
    } catch (const std::exception& error) {
      dropped << QStringLiteral("%1: %2").arg(path, QString::fromLocal8Bit(error.what()));
    }
  }
  return dropped;
}

void ImportController::remember(const QString& path) {
  recent_.removeAll(path);
  recent_.prepend(path);
  while (recent_.size() > kMaxRecentFiles) recent_.removeLast();
  emit recentFilesChanged();
}

void ImportController::addHubModel(const ModelSpec& spec, const QString& hubId) {
  const QString key = library_.addModel(hubId, spec);
  scenario_.setModelId(key);
  recentHubIds_.removeAll(hubId);
  recentHubIds_.prepend(hubId);
  while (recentHubIds_.size() > kMaxRecentFiles) recentHubIds_.removeLast();
  emit imported(key);
}

HubImportDialog* ImportController::openHubDialog() {
  auto* dialog = new HubImportDialog(recentHubIds_, dialogParent_);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &HubImportDialog::modelOpened, this, &ImportController::addHubModel);
  connect(dialog, &HubImportDialog::failed, this, &ImportController::importFailed);
  dialog->open();
  return dialog;
}

void ImportController::openModelDialog() {
  const QString path = QFileDialog::getOpenFileName(
      dialogParent_, tr("Import a model"), dialogStartPath(DialogPurpose::Import),
      tr("Model files (config.json *.json *.gguf);;All files (*)"));
  rememberDialogFolder(DialogPurpose::Import, path);
  if (!path.isEmpty()) importModel(path);
}

void ImportController::openHardwareDialog() {
  const QString path = QFileDialog::getOpenFileName(dialogParent_, tr("Import a hardware profile"),
                                                    dialogStartPath(DialogPurpose::Import),
                                                    tr("Hardware JSON (*.json);;All files (*)"));
  rememberDialogFolder(DialogPurpose::Import, path);
  if (!path.isEmpty()) importHardware(path);
}

void ImportController::openAnyDialog() {
  const QString path = QFileDialog::getOpenFileName(
      dialogParent_, tr("Open a model or hardware file"), dialogStartPath(DialogPurpose::Import),
      tr("SinkScope inputs (*.json *.gguf);;Hugging Face config (config.json);;GGUF model (*.gguf);;All "
         "files (*)"));
  rememberDialogFolder(DialogPurpose::Import, path);
  if (!path.isEmpty()) importAny(path);
}

}  // namespace sinkscope::ui
