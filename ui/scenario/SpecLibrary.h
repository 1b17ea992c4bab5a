// The models and hardware profiles the window offers: the built-in catalogues plus files the
// user imported (config.json, .gguf, hardware JSON). Not the parsers: core/catalog does that.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"

#include <QObject>
#include <QStringList>
#include <memory>
#include <vector>

namespace sinkscope::ui {

class SpecLibrary : public QObject {
  Q_OBJECT
 public:
  explicit SpecLibrary(QObject* parent = nullptr);  // loads the built-in catalogues

  template <typename Spec>
  struct Entry {
    QString key;  // catalogue id, the absolute path of an imported file, or a Hub id
    std::shared_ptr<const Spec> spec;
    bool imported = false;
  };
  const std::vector<Entry<ModelSpec>>& models() const { return models_; }
  const std::vector<Entry<HardwareSpec>>& hardware() const { return hardware_; }
  std::shared_ptr<const ModelSpec> model(const QString& key) const;  // null when unknown
  std::shared_ptr<const HardwareSpec> hardware(const QString& key) const;

  // Import a file; returns the new entry's key. Throws sinkscope::Error naming the file and
  // field at fault; nothing is added on failure. Re-importing a path replaces its entry.
  QString importModel(const QString& path);
  // Adds a model opened by other means (a Hugging Face id); key is its id. Replaces an entry.
  QString addModel(const QString& key, const ModelSpec& spec);
  QString importHardware(const QString& path);
  // What a dropped or opened file is: a .gguf or HF config.json is a model, any other JSON a
  // hardware profile when it has no model keys. Throws Error(BadInput) for anything else.
  enum class FileKind { Model, Hardware };
  static FileKind classify(const QString& path);
  // Imports by classify(); returns {kind, key}.
  std::pair<FileKind, QString> importFile(const QString& path);

  QStringList importedPaths() const;  // for QSettings' recent files

 signals:
  void modelsChanged();
  void hardwareChanged();

 private:
  std::vector<Entry<ModelSpec>> models_;
  std::vector<Entry<HardwareSpec>> hardware_;
};

}  // namespace sinkscope::ui
