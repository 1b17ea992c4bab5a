#include "catalog/Catalog.h"

#include "catalog/GgufImport.h"
#include "catalog/HfConfigImport.h"
#include "catalog/HubId.h"
#include "common/Error.h"
#include "common/InputFile.h"
#include "common/JsonRead.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <cerrno>
#include <set>

namespace sinkscope {

namespace {

QString entrySource(const QString& path, const QString& list, qsizetype index, const QJsonObject& entry) {
  const QString id = entry.value(QStringLiteral("id")).toString();
  return QStringLiteral("%1: %2[%3]%4")
      .arg(path, list)
      .arg(index)
      .arg(id.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(id));
}

std::optional<DeviceLink> linkFromJson(const JsonReader& r, const QString& key) {
  const auto object = r.optionalObject(key);
  if (!object) return std::nullopt;
  DeviceLink link;
  link.name = object->requireString(QStringLiteral("link"));
  link.bytesPerSecond = object->requireDouble(QStringLiteral("bytes_per_s"), 0.0, 1e18);
  return link;
}

// Optional "interconnect": { intra_node: {link, bytes_per_s}, inter_node: {...}, source }.
Interconnect interconnectFromJson(const JsonReader& r) {
  Interconnect interconnect;
  const auto object = r.optionalObject(QStringLiteral("interconnect"));
  if (!object) return interconnect;
  interconnect.intraNode = linkFromJson(*object, QStringLiteral("intra_node"));
  interconnect.interNode = linkFromJson(*object, QStringLiteral("inter_node"));
  interconnect.source = object->optionalString(QStringLiteral("source")).value_or(QString());
  return interconnect;
}

HardwareSpec hardwareFromJson(const JsonReader& r, bool catalogue) {
  HardwareSpec spec;
  spec.id = r.requireString(QStringLiteral("id"));
  spec.displayName = catalogue ? r.requireString(QStringLiteral("name"))
                               : r.optionalString(QStringLiteral("name")).value_or(spec.id);
  spec.vendor = catalogue ? r.requireString(QStringLiteral("vendor"))
                          : r.optionalString(QStringLiteral("vendor")).value_or(QString());
  spec.category = catalogue ? r.requireString(QStringLiteral("category"))
                            : r.optionalString(QStringLiteral("category")).value_or(QString());
  static const std::set<QString> categories{QStringLiteral("datacenter-gpu"),
                                            QStringLiteral("workstation-gpu"), QStringLiteral("consumer-gpu"),
                                            QStringLiteral("apple-silicon"), QStringLiteral("cpu")};
  if (!spec.category.isEmpty() && categories.count(spec.category) == 0)
    r.fail(QStringLiteral("category"),
           QStringLiteral("unknown category '%1' (known: datacenter-gpu, workstation-gpu, "
                          "consumer-gpu, apple-silicon, cpu)")
               .arg(spec.category));
  spec.memoryBytes = r.requireInt(QStringLiteral("memory_bytes"), 1, 1ll << 52);
  spec.memoryBandwidthBytesPerSecond =
      r.requireDouble(QStringLiteral("memory_bandwidth_bytes_per_s"), 1.0, 1e18);
  const JsonReader flops = r.requireObject(QStringLiteral("peak_flops"));
  for (auto it = flops.object().begin(); it != flops.object().end(); ++it)
    spec.peakFlopsPerSecond[it.key()] = flops.requireDouble(it.key(), 0.0, 1e20);
  spec.source = catalogue ? r.requireString(QStringLiteral("source"))
                          : r.optionalString(QStringLiteral("source")).value_or(QString());
  if (catalogue && spec.source.trimmed().isEmpty())
    r.fail(QStringLiteral("source"), QStringLiteral("must not be empty"));
  spec.notes = r.optionalString(QStringLiteral("notes")).value_or(QString());
  spec.interconnect = interconnectFromJson(r);
  validateHardwareSpec(spec, r.source());
  return spec;
}

// Each object of the catalogue file's `list` array made into a spec by makeSpec(entry, source),
// refusing an element that is not an object and an id given twice (case-insensitively).
template <typename Spec, typename MakeSpec>
std::vector<Spec> loadEntries(const QString& path, const QString& list, MakeSpec makeSpec) {
  const JsonReader root(readJsonObjectFile(path), path);
  const QJsonArray entries = root.requireArray(list);
  std::vector<Spec> specs;
  std::set<QString> ids;
  for (qsizetype i = 0; i < entries.size(); ++i) {
    const QString element = QStringLiteral("%1[%2]").arg(list).arg(i);
    if (!entries.at(i).isObject()) root.fail(element, QStringLiteral("expected an object"));
    const QJsonObject entry = entries.at(i).toObject();
    specs.push_back(makeSpec(entry, entrySource(path, list, i, entry)));
    if (!ids.insert(specs.back().id.toLower()).second)
      root.fail(element + QStringLiteral(".id"), QStringLiteral("duplicate id '%1'").arg(specs.back().id));
  }
  return specs;
}

std::vector<ModelSpec> loadModels(const QString& path) {
  return loadEntries<ModelSpec>(path, QStringLiteral("models"),
                                [](const QJsonObject& entry, const QString& source) {
                                  return modelSpecFromConfig(entry, source, ConfigFlavour::CatalogueEntry);
                                });
}

std::vector<HardwareSpec> loadHardware(const QString& path) {
  return loadEntries<HardwareSpec>(path, QStringLiteral("hardware"),
                                   [](const QJsonObject& entry, const QString& source) {
                                     HardwareSpec spec = hardwareFromJson(JsonReader(entry, source), true);
                                     spec.origin = QStringLiteral("catalogue");
                                     return spec;
                                   });
}

HubModelResolver& hubModelResolver() {
  static HubModelResolver resolver;
  return resolver;
}

bool looksLikePath(const QString& text) {
  return text.contains(QLatin1Char('/')) || text.contains(QLatin1Char('\\')) ||
         text.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ||
         text.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive);
}

[[noreturn]] void throwMissingModel(const QString& idOrPath) {
  if (parseHubId(idOrPath)) {
    throwBadInput(idOrPath, QString(),
                  QStringLiteral("is a Hugging Face id, but this program was built without the Hub client"));
  }
  if (looksLikeHubIdAttempt(idOrPath))
    throwBadInput(idOrPath, QString(),
                  QStringLiteral("neither a file nor a valid Hugging Face id (org/name[@revision]: "
                                 "letters, digits, '-', '_', '.'; at most 96 characters)"));
  if (looksLikePath(idOrPath)) throwBadInput(idOrPath, QString(), QStringLiteral("no such file"));
  throwBadInput(idOrPath, QString(),
                QStringLiteral("not a catalogue model id (see 'sinkscope list models') nor a file"));
}

}  // namespace

const Catalog& Catalog::builtin() {
  static const Catalog catalog = [] {
    try {
      return load(QStringLiteral(":/models.json"), QStringLiteral(":/hardware.json"));
    } catch (const Error& error) {  // the shipped catalogue is ours: a defect in it is a bug
      throw Error(ErrorKind::Internal, error.source(), error.field(), error.message());
    }
  }();
  return catalog;
}

Catalog Catalog::load(const QString& modelsPath, const QString& hardwarePath) {
  Catalog catalog;
  catalog.models_ = loadModels(modelsPath);
  catalog.hardware_ = loadHardware(hardwarePath);
  return catalog;
}

const ModelSpec* Catalog::findModel(const QString& id) const {
  for (const ModelSpec& model : models_)
    if (model.id.compare(id.trimmed(), Qt::CaseInsensitive) == 0) return &model;
  return nullptr;
}

const HardwareSpec* Catalog::findHardware(const QString& id) const {
  for (const HardwareSpec& hardware : hardware_)
    if (hardware.id.compare(id.trimmed(), Qt::CaseInsensitive) == 0) return &hardware;
  return nullptr;
}

ModelSpec resolveModel(const QString& idOrPath) {
  if (idOrPath.trimmed().isEmpty())
    throwBadInput(QString(), QStringLiteral("model"), QStringLiteral("empty model id or path"));
  if (const ModelSpec* model = Catalog::builtin().findModel(idOrPath)) return *model;
  // A path that is not there may be a Hub id; any other failure keeps the system's reason
  // (symlink loop, name too long, permission denied: docs/limits.md).
  const int statError = inputStatError(idOrPath);
  if (statError == ENOENT || statError == ENOTDIR) {
    if (parseHubId(idOrPath) && hubModelResolver()) return hubModelResolver()(idOrPath);
    throwMissingModel(idOrPath);
  }
  if (statInput(idOrPath).directory) {  // a downloaded model folder: its config.json
    const QString config = QDir(idOrPath).filePath(QStringLiteral("config.json"));
    if (!QFileInfo::exists(config))
      throwBadInput(idOrPath, QString(), QStringLiteral("is a folder without a config.json"));
    return importHfConfigFile(config);
  }
  if (isGgufFile(idOrPath)) return importGgufMetadata(idOrPath);
  return importHfConfigFile(idOrPath);
}

void setHubModelResolver(HubModelResolver resolver) {
  hubModelResolver() = std::move(resolver);
}

HardwareSpec hardwareSpecFromJson(const QJsonObject& object, const QString& source) {
  QJsonObject entry = object;
  if (object.contains(QStringLiteral("hardware"))) {  // a catalogue-format file with one profile
    const QJsonArray list = object.value(QStringLiteral("hardware")).toArray();
    if (list.size() != 1 || !list.at(0).isObject())
      throwBadInput(source, QStringLiteral("hardware"),
                    QStringLiteral("expected exactly one profile object"));
    entry = list.at(0).toObject();
  }
  HardwareSpec spec = hardwareFromJson(JsonReader(entry, source), false);
  spec.origin = source;
  return spec;
}

ImportKind classifyImportFile(const QString& path) {
  if (isGgufFile(path)) return ImportKind::Model;
  const QJsonObject object = readJsonObjectFile(path);
  return object.contains(QStringLiteral("memory_bytes")) || object.value(QStringLiteral("hardware")).isArray()
             ? ImportKind::Hardware
             : ImportKind::Model;
}

HardwareSpec resolveHardware(const QString& idOrPath) {
  if (idOrPath.trimmed().isEmpty())
    throwBadInput(QString(), QStringLiteral("hardware"), QStringLiteral("empty hardware id or path"));
  if (const HardwareSpec* hardware = Catalog::builtin().findHardware(idOrPath)) return *hardware;
  if (!looksLikePath(idOrPath) && !QFileInfo::exists(idOrPath))
    throwBadInput(idOrPath, QString(),
                  QStringLiteral("not a catalogue hardware id (see 'sinkscope list hardware') nor a file"));
  if (statInput(idOrPath).directory)
    throwBadInput(idOrPath, QString(), QStringLiteral("is a directory, expected a JSON file"));
  return hardwareSpecFromJson(readJsonObjectFile(idOrPath), idOrPath);
}

}  // namespace sinkscope
