// The built-in model and hardware catalogues (resources/models.json, hardware.json) and the
// resolution of a user's --model / --hardware argument. Not the parsers of each format.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"

#include <QJsonObject>
#include <functional>
#include <optional>
#include <vector>

namespace sinkscope {

class Catalog {
 public:
  // The catalogues compiled into the binary (":/models.json", ":/hardware.json"), loaded once.
  static const Catalog& builtin();
  static Catalog load(const QString& modelsPath, const QString& hardwarePath);

  const std::vector<ModelSpec>& models() const { return models_; }
  const std::vector<HardwareSpec>& hardware() const { return hardware_; }
  const ModelSpec* findModel(const QString& id) const;        // case-insensitive id
  const HardwareSpec* findHardware(const QString& id) const;  // case-insensitive id

 private:
  std::vector<ModelSpec> models_;
  std::vector<HardwareSpec> hardware_;
};

// A catalogue id, a path to a Hugging Face config.json (or a model folder holding one), a
// path to a .gguf file, or a Hugging Face Hub id "org/name[@revision]" (an existing path wins).
// Throws Error(BadInput) naming the argument when none of these works.
ModelSpec resolveModel(const QString& idOrPath);

// core has no network: the program that links the Hub client installs it here (docs/catalog.md
// "Hub import"). resolveModel hands it every argument that parseHubId accepts and that is
// neither a catalogue id nor an existing path. Without one, a Hub id is an error that says so.
using HubModelResolver = std::function<ModelSpec(const QString& hubId)>;
void setHubModelResolver(HubModelResolver resolver);
// A catalogue id or a path to a hardware JSON file in the catalogue's format.
HardwareSpec resolveHardware(const QString& idOrPath);
// What a file dropped on the window (or given on the command line) holds: a .gguf or a
// config.json is a model; a JSON object with memory_bytes (or a "hardware" list) is hardware.
// Error(BadInput) naming the path when it is neither readable nor JSON nor GGUF.
enum class ImportKind { Model, Hardware };
ImportKind classifyImportFile(const QString& path);

// One hardware profile from a JSON object (a profile, or {"hardware": [one profile]}).
HardwareSpec hardwareSpecFromJson(const QJsonObject& object, const QString& source);

}  // namespace sinkscope
