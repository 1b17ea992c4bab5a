#include "DialogFolders.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace sinkscope::ui {

namespace {

QString settingsKey(DialogPurpose purpose) {
  switch (purpose) {
    case DialogPurpose::Import:
      return QStringLiteral("dialogs/import_folder");
    case DialogPurpose::Measure:
      return QStringLiteral("dialogs/measure_folder");
    case DialogPurpose::Export:
      return QStringLiteral("dialogs/export_folder");
    case DialogPurpose::Scenario:
      return QStringLiteral("dialogs/scenario_folder");
  }
  return QStringLiteral("dialogs/folder");
}

QString defaultFolder() {
  const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  return !documents.isEmpty() && QFileInfo(documents).isDir() ? documents : QDir::homePath();
}

}  // namespace

QString dialogStartPath(DialogPurpose purpose, const QString& fileName) {
  QString folder = QSettings().value(settingsKey(purpose)).toString();
  if (folder.isEmpty() || !QFileInfo(folder).isDir()) folder = defaultFolder();
  return fileName.isEmpty() ? folder : QDir(folder).filePath(fileName);
}

void rememberDialogFolder(DialogPurpose purpose, const QString& chosenPath) {
  if (chosenPath.isEmpty()) return;
  const QFileInfo info(chosenPath);
  const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
  QSettings().setValue(settingsKey(purpose), folder);
}

}  // namespace sinkscope::ui
