// Reads a Hugging Face config.json, or one entry of resources/models.json (the same keys plus
// SinkScope's extras), into a ModelSpec. Not the catalogue itself (Catalog.h) and not GGUF.
#pragma once

#include "catalog/ModelSpec.h"

#include <QJsonObject>
#include <QString>

namespace sinkscope {

// How strict the reader is about SinkScope's extras (id, name, source, trained_context, ...).
enum class ConfigFlavour {
  HuggingFace,     // a user's config.json: extras optional, every default listed in defaultedFields
  CatalogueEntry,  // resources/models.json: extras required, no field may be defaulted
};

// Parses one config object and validates the result (validateModelSpec). `source` names the
// file (and entry) in error messages; `fallbackId` is used when the object has no "id".
// Throws Error(BadInput) "<source>: <field>: <what>" on missing, malformed or impossible values.
ModelSpec modelSpecFromConfig(const QJsonObject& config, const QString& source, ConfigFlavour flavour,
                              const QString& fallbackId = QString());

// Reads a config.json file; the id is derived from its folder name (or file name).
ModelSpec importHfConfigFile(const QString& path);

}  // namespace sinkscope
