#include "scenario/SpecLibrary.h"

#include "catalog/Catalog.h"
#include "common/Error.h"
#include "common/InputFile.h"
#include "common/JsonRead.h"

#include <QFileInfo>
#include <QJsonObject>
#include <cerrno>

namespace sinkscope::ui {

namespace {

template <typename Spec>
std::shared_ptr<const Spec> find(const std::vector<SpecLibrary::Entry<Spec>>& entries, const QString& key) {
  for (const auto& entry : entries)
    if (entry.key.compare(key, Qt::CaseInsensitive) == 0) return entry.spec;
  return nullptr;
}

template <typename Spec>
void upsert(std::vector<SpecLibrary::Entry<Spec>>& entries, SpecLibrary::Entry<Spec> entry) {
  for (auto& existing : entries)
    if (existing.key == entry.key) {
      existing = std::move(entry);
      return;
    }
  entries.push_back(std::move(entry));
}

// A path given to import must exist and not be a folder; Error(BadInput) with the system's reason
// otherwise (a FIFO or device passes: reading it follows docs/limits.md, "Devices and pipes").
void requireImportablePath(const QString& path) {
  if (statInput(path).directory) throwCannotOpen(path, EISDIR);
}

}  // namespace

SpecLibrary::SpecLibrary(QObject* parent) : QObject(parent) {
  const Catalog& catalog = Catalog::builtin();
  for (const ModelSpec& spec : catalog.models())
    models_.push_back({spec.id, std::make_shared<const ModelSpec>(spec), false});
  for (const HardwareSpec& spec : catalog.hardware())
    hardware_.push_back({spec.id, std::make_shared<const HardwareSpec>(spec), false});
}

std::shared_ptr<const ModelSpec> SpecLibrary::model(const QString& key) const {
  return find(models_, key);
}

std::shared_ptr<const HardwareSpec> SpecLibrary::hardware(const QString& key) const {
  return find(hardware_, key);
}

QString SpecLibrary::importModel(const QString& path) {
  const QString key = QFileInfo(path).absoluteFilePath();
  requireImportablePath(path);
  auto spec = std::make_shared<const ModelSpec>(resolveModel(key));
  upsert(models_, Entry<ModelSpec>{key, std::move(spec), true});
  emit modelsChanged();
  return key;
}

QString SpecLibrary::addModel(const QString& key, const ModelSpec& spec) {
  upsert(models_, Entry<ModelSpec>{key, std::make_shared<const ModelSpec>(spec), true});
  emit modelsChanged();
  return key;
}

QString SpecLibrary::importHardware(const QString& path) {
  const QString key = QFileInfo(path).absoluteFilePath();
  requireImportablePath(path);
  auto spec = std::make_shared<const HardwareSpec>(resolveHardware(key));
  upsert(hardware_, Entry<HardwareSpec>{key, std::move(spec), true});
  emit hardwareChanged();
  return key;
}

SpecLibrary::FileKind SpecLibrary::classify(const QString& path) {
  const QFileInfo info(path);
  if (info.suffix().compare(QLatin1String("gguf"), Qt::CaseInsensitive) == 0) return FileKind::Model;
  if (info.suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) != 0)
    throwBadInput(path, QString(), QStringLiteral("not a config.json, .gguf or hardware JSON file"));
  const QJsonObject object = readJsonObjectFile(path);  // bounded, and never waits on a pipe
  for (const char* key : {"model_type", "architectures", "num_attention_heads", "hidden_size", "n_head"})
    if (object.contains(QLatin1String(key))) return FileKind::Model;
  return FileKind::Hardware;
}

std::pair<SpecLibrary::FileKind, QString> SpecLibrary::importFile(const QString& path) {
  // One spelling of the path throughout: a pipe is read once, under the name it was first read by.
  const QString absolute = QFileInfo(path).absoluteFilePath();
  const FileKind kind = classify(absolute);
  return {kind, kind == FileKind::Model ? importModel(absolute) : importHardware(absolute)};
}

QStringList SpecLibrary::importedPaths() const {
  QStringList paths;
  for (const auto& entry : models_)
    if (entry.imported) paths << entry.key;
  for (const auto& entry : hardware_)
    if (entry.imported) paths << entry.key;
  return paths;
}

}  // namespace sinkscope::ui
