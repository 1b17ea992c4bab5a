#include "scenario/ScenarioFileActions.h"

#include "DialogFolders.h"
#include "HubImport.h"
#include "catalog/HubId.h"
#include "common/Error.h"
#include "scenario/Scenario.h"
#include "scenario/ScenarioFile.h"
#include "scenario/SpecLibrary.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>

namespace sinkscope::ui {

namespace {

// A scenario names a catalogue id, the path of a file imported when it was saved (imported
// again) or a Hugging Face id (taken from the Hub cache); anything else is an error naming the field.
void ensureKnown(const QString& scenarioPath, const QString& field, const QString& id, bool known,
                 const std::function<void()>& importFile,
                 const std::function<void(const ModelSpec&)>& addHubModel = nullptr) {
  if (known) return;
  if (QFileInfo(id).isFile()) return importFile();
  if (const auto hubId = parseHubId(id);
      hubId && field == QLatin1String("model")) {  // from the cache, never the network
    if (const auto cached = hub::cachedHubModel(*hubId)) return addHubModel(*cached);
    throwBadInput(scenarioPath, QStringLiteral("scenario.model"),
                  QObject::tr("'%1' is a Hugging Face id not in the cache; open it with Import from Hugging "
                              "Face, then open the "
                              "scenario again")
                      .arg(id));
  }
  throwBadInput(
      scenarioPath, QStringLiteral("scenario.") + field,
      QObject::tr(
          "'%1' is neither in the catalogue nor a readable file; import it, then open the scenario again")
          .arg(id));
}

}  // namespace

ScenarioFileActions::ScenarioFileActions(Scenario& scenario, SpecLibrary& library, QWidget* dialogParent)
    : QObject(dialogParent), scenario_(scenario), library_(library), dialogParent_(dialogParent) {
  showError_ = [this](const QString& message) {
    QMessageBox::warning(dialogParent_, tr("Scenario"), message);
  };
}

bool ScenarioFileActions::save(const QString& path) {
  try {
    writeScenarioFile(path, scenario_.values());
    return true;
  } catch (const Error& error) {
    showError_(error.describe());
    return false;
  }
}

bool ScenarioFileActions::open(const QString& path) {
  try {
    ScenarioValues values = readScenarioFile(path, Scenario::defaults(library_));
    ensureKnown(
        path, QStringLiteral("model"), values.modelId, library_.model(values.modelId) != nullptr,
        [&] { values.modelId = library_.importModel(values.modelId); },
        [&](const ModelSpec& spec) { values.modelId = library_.addModel(values.modelId, spec); });
    ensureKnown(path, QStringLiteral("hardware"), values.hardwareId,
                library_.hardware(values.hardwareId) != nullptr,
                [&] { values.hardwareId = library_.importHardware(values.hardwareId); });
    scenario_.setValues(values);
    return true;
  } catch (const Error& error) {
    showError_(error.describe());
    return false;
  }
}

void ScenarioFileActions::saveDialog() {
  const QString path = QFileDialog::getSaveFileName(
      dialogParent_, tr("Save scenario"),
      dialogStartPath(DialogPurpose::Scenario, QStringLiteral("scenario.sinkscope.json")),
      tr("SinkScope scenario (*.sinkscope.json *.json)"));
  rememberDialogFolder(DialogPurpose::Scenario, path);
  if (!path.isEmpty()) save(path);
}

void ScenarioFileActions::openDialog() {
  const QString path = QFileDialog::getOpenFileName(
      dialogParent_, tr("Open scenario"), dialogStartPath(DialogPurpose::Scenario),
      tr("SinkScope scenario (*.sinkscope.json *.json);;All files (*)"));
  rememberDialogFolder(DialogPurpose::Scenario, path);
  if (!path.isEmpty()) open(path);
}

}  // namespace sinkscope::ui
