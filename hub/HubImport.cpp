#include "HubImport.h"

#include "catalog/Catalog.h"
#include "catalog/HfConfigImport.h"
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/InputFile.h"
#include "common/JsonRead.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace sinkscope::hub {

namespace {

const QString kConfigFile = QStringLiteral("config.json");
const QString kCheckpointFile = QStringLiteral("checkpoint.json");

QByteArray readSmallFile(const QString& path, qint64 cap) {
  return readInputBytes(path, cap);  // bounded, the system's reason kept, never waiting on a pipe
}

QJsonObject checkpointToJson(const HubFiles& files, const HubSettings& settings) {
  QJsonObject object{{QStringLiteral("fetched_from"), settings.endpoint},
                     {QStringLiteral("fetched_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
  if (!files.weights) {
    object.insert(QStringLiteral("weights"), QStringLiteral("config"));
    return object;
  }
  object.insert(QStringLiteral("weights"), QStringLiteral("safetensors"));
  object.insert(QStringLiteral("parameters"), files.weights->parameters);
  object.insert(QStringLiteral("bytes"), files.weights->bytes);
  object.insert(QStringLiteral("dtypes"), files.weights->dtypes);
  object.insert(QStringLiteral("source"), files.weights->source);
  return object;
}

std::optional<CheckpointWeights> checkpointFromJson(const JsonReader& r) {
  const QString weights = r.requireString(QStringLiteral("weights"));
  if (weights == QLatin1String("config")) return std::nullopt;
  if (weights != QLatin1String("safetensors"))
    r.fail(QStringLiteral("weights"), QStringLiteral("expected config or safetensors"));
  CheckpointWeights result;
  result.parameters = r.requireInt(QStringLiteral("parameters"), 0, 1ll << 50);
  result.bytes = r.requireInt(QStringLiteral("bytes"), 0, 1ll << 56);
  result.dtypes = r.requireString(QStringLiteral("dtypes"));
  result.source = r.requireString(QStringLiteral("source"));
  return result;
}

QString cachedWhen(const HubSettings& settings, const HubId& id) {
  const QString path = QDir(cacheFolder(settings, id)).filePath(kCheckpointFile);
  const QJsonObject object = parseJsonObject(readSmallFile(path, 1 << 20), path);
  return object.value(QStringLiteral("fetched_at")).toString().left(10);
}

}  // namespace

QString cacheFolder(const HubSettings& settings, const HubId& id) {
  const QString revision = QString::fromLatin1(QUrl::toPercentEncoding(id.revision));
  return settings.cacheRoot + QLatin1Char('/') + id.repo + QLatin1Char('/') + revision;
}

std::optional<HubFiles> readCachedFiles(const HubSettings& settings, const HubId& id) {
  const QDir folder(cacheFolder(settings, id));
  const QString configPath = folder.filePath(kConfigFile);
  const QString checkpointPath = folder.filePath(kCheckpointFile);
  if (!QFileInfo::exists(configPath) || !QFileInfo::exists(checkpointPath)) return std::nullopt;
  HubFiles files;
  files.config = readSmallFile(configPath, kMaxConfigBytes);
  files.weights = checkpointFromJson(
      JsonReader(parseJsonObject(readSmallFile(checkpointPath, 1 << 20), checkpointPath), checkpointPath));
  return files;
}

void writeCachedFiles(const HubSettings& settings, const HubId& id, const HubFiles& files) {
  const QString folder = cacheFolder(settings, id);
  if (!QDir().mkpath(folder))
    throwBadInput(folder, QString(), QStringLiteral("cannot create the cache folder"));
  // checkpoint.json first: readCachedFiles needs both, and config.json is the larger write.
  writeFileAtomically(QDir(folder).filePath(kCheckpointFile),
                      QJsonDocument(checkpointToJson(files, settings)).toJson());
  writeFileAtomically(QDir(folder).filePath(kConfigFile), files.config);
}

ModelSpec hubModelSpec(const HubId& id, const HubSettings& settings, const HubFiles& files,
                       HubOrigin origin) {
  const QString source = id.display() + QStringLiteral(": config.json");
  const QJsonObject config = parseJsonObject(files.config, source);
  const QString modelId = id.explicitRevision ? id.display() : id.repo;
  ModelSpec spec = modelSpecFromConfig(config, source, ConfigFlavour::HuggingFace, modelId);
  spec.id = modelId;
  if (spec.displayName.isEmpty() || spec.displayName == modelId.toLower())
    spec.displayName = id.repo.section(QLatin1Char('/'), 1);
  if (origin == HubOrigin::Downloaded) {
    spec.origin = QStringLiteral("Hugging Face %1 from %2").arg(id.display(), settings.endpoint);
  } else {
    spec.origin =
        QStringLiteral("Hugging Face %1, cached copy of %2%3")
            .arg(id.display(), cachedWhen(settings, id),
                 settings.offline ? QStringLiteral(" (offline: HF_HUB_OFFLINE is set)") : QString());
  }
  if (spec.source.isEmpty())
    spec.source = QStringLiteral("config.json of %1").arg(id.modelPageUrl(settings.endpoint));
  spec.checkpointWeights = files.weights;
  if (files.weights) spec.publishedParameters = double(files.weights->parameters);
  return spec;
}

std::optional<ModelSpec> cachedHubModel(const HubId& id) {
  const HubSettings settings = HubSettings::fromEnvironment();
  const auto cached = readCachedFiles(settings, id);
  if (!cached) return std::nullopt;
  return hubModelSpec(id, settings, *cached, HubOrigin::Cached);
}

ModelSpec openHubModel(const HubId& id, const HubSettings& settings) {
  if (const auto cached = readCachedFiles(settings, id))
    return hubModelSpec(id, settings, *cached, HubOrigin::Cached);
  HubFetch fetch(id, settings);
  runToCompletion(fetch);
  ModelSpec spec =
      hubModelSpec(id, settings, fetch.files(), HubOrigin::Downloaded);  // throws before caching a bad config
  writeCachedFiles(settings, id, fetch.files());
  return spec;
}

void installHubModelResolver() {
  setHubModelResolver([](const QString& argument) {
    const std::optional<HubId> id = parseHubId(argument);
    if (!id) throwBadInput(argument, QString(), QStringLiteral("not a Hugging Face id"));
    return openHubModel(*id, HubSettings::fromEnvironment());
  });
}

}  // namespace sinkscope::hub
