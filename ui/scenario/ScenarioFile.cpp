#include "scenario/ScenarioFile.h"

#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/JsonRead.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace sinkscope::ui {

namespace {

QJsonArray mitigationArray(const std::vector<Mitigation>& mitigations) {
  QJsonArray names;
  for (Mitigation m : mitigations) names.append(mitigationName(m));
  return names;
}

QString knownMitigationNames() {
  QStringList names;
  for (Mitigation m : comparedMitigations()) names << mitigationName(m);
  return names.join(QStringLiteral(", "));
}

Mitigation requireMitigation(const JsonReader& reader, const QString& key, const QString& name) {
  if (auto m = mitigationFromName(name)) return *m;
  reader.fail(key, QObject::tr("'%1' is not a mitigation (%2)").arg(name, knownMitigationNames()));
}

}  // namespace

QJsonObject scenarioFields(const ScenarioValues& v) {
  return QJsonObject{
      {QStringLiteral("model"), v.modelId},
      {QStringLiteral("hardware"), v.hardwareId},
      {QStringLiteral("context_tokens"), double(v.contextTokens)},
      {QStringLiteral("batch"), v.batch},
      {QStringLiteral("gpus_per_node"), v.gpusPerNode},
      {QStringLiteral("nodes"), v.nodes},
      {QStringLiteral("weights_dtype"), v.weightsDtype},
      {QStringLiteral("kv_dtype"), v.kvDtype},
      {QStringLiteral("runtime"), runtimeName(v.runtime)},
      {QStringLiteral("mitigations"), mitigationArray(v.mitigations)},
      {QStringLiteral("compare_left"), mitigationName(v.compareLeft)},
      {QStringLiteral("compare_right"), mitigationName(v.compareRight)},
      {QStringLiteral("layer"), v.layer},
      {QStringLiteral("head"), v.head},
  };
}

ScenarioValues scenarioFromFields(const QJsonObject& f, ScenarioValues v) {
  const auto string = [&f](const char* key, QString& into) {
    if (f.value(QLatin1String(key)).isString()) into = f.value(QLatin1String(key)).toString();
  };
  const auto integer = [&f](const char* key, auto& into) {
    if (f.value(QLatin1String(key)).isDouble())
      into = decltype(into + 0)(f.value(QLatin1String(key)).toDouble());
  };
  string("model", v.modelId);
  string("hardware", v.hardwareId);
  integer("context_tokens", v.contextTokens);
  integer("batch", v.batch);
  integer("gpus_per_node", v.gpusPerNode);
  integer("nodes", v.nodes);
  string("weights_dtype", v.weightsDtype);
  string("kv_dtype", v.kvDtype);
  if (auto r = runtimeFromName(f.value(QStringLiteral("runtime")).toString())) v.runtime = *r;
  if (f.value(QStringLiteral("mitigations")).isArray()) {
    v.mitigations.clear();
    for (const QJsonValue& name : f.value(QStringLiteral("mitigations")).toArray())
      if (auto m = mitigationFromName(name.toString())) v.mitigations.push_back(*m);
  }
  if (auto m = mitigationFromName(f.value(QStringLiteral("compare_left")).toString())) v.compareLeft = *m;
  if (auto m = mitigationFromName(f.value(QStringLiteral("compare_right")).toString())) v.compareRight = *m;
  integer("layer", v.layer);
  integer("head", v.head);
  return v;
}

QByteArray scenarioFileBytes(const ScenarioValues& values) {
  const QJsonObject file{{QStringLiteral("format"), QLatin1String(kScenarioFileFormat)},
                         {QStringLiteral("version"), kScenarioFileVersion},
                         {QStringLiteral("scenario"), scenarioFields(values)}};
  return QJsonDocument(file).toJson(QJsonDocument::Indented);
}

void writeScenarioFile(const QString& path, const ScenarioValues& values) {
  writeFileAtomically(path, scenarioFileBytes(values), ExistingFile::Replace);
}

ScenarioValues readScenarioFile(const QString& path, const ScenarioValues& defaults) {
  const JsonReader file(readJsonObjectFile(path), path);
  if (file.requireString(QStringLiteral("format")) != QLatin1String(kScenarioFileFormat))
    file.fail(QStringLiteral("format"),
              QObject::tr("is not '%1': not a SinkScope scenario").arg(QLatin1String(kScenarioFileFormat)));
  const qint64 version = file.requireInt(QStringLiteral("version"), 1, 1'000'000);
  if (version > kScenarioFileVersion)
    file.fail(QStringLiteral("version"),
              QObject::tr("%1 is newer than this SinkScope reads (%2); update SinkScope")
                  .arg(version)
                  .arg(kScenarioFileVersion));
  const JsonReader s = file.requireObject(QStringLiteral("scenario"));
  ScenarioValues v = defaults;
  v.modelId = s.requireString(QStringLiteral("model"));
  v.hardwareId = s.requireString(QStringLiteral("hardware"));
  v.contextTokens = s.requireInt(QStringLiteral("context_tokens"), kMinContextTokens, kMaxContextTokens);
  v.batch = int(s.optionalInt(QStringLiteral("batch"), 1, 4096).value_or(v.batch));
  v.gpusPerNode =
      int(s.optionalInt(QStringLiteral("gpus_per_node"), 1, kMaxGpusPerNode).value_or(v.gpusPerNode));
  v.nodes = int(s.optionalInt(QStringLiteral("nodes"), 1, kMaxNodes).value_or(v.nodes));
  v.weightsDtype = s.optionalString(QStringLiteral("weights_dtype")).value_or(v.weightsDtype);
  v.kvDtype = s.optionalString(QStringLiteral("kv_dtype")).value_or(v.kvDtype);
  if (!weightDtypeNames().contains(v.weightsDtype))
    s.fail(QStringLiteral("weights_dtype"),
           QObject::tr("'%1' is not one of %2")
               .arg(v.weightsDtype, weightDtypeNames().join(QStringLiteral(", "))));
  if (!kvDtypeNames().contains(v.kvDtype))
    s.fail(QStringLiteral("kv_dtype"),
           QObject::tr("'%1' is not one of %2").arg(v.kvDtype, kvDtypeNames().join(QStringLiteral(", "))));
  if (const auto runtime = s.optionalString(QStringLiteral("runtime"))) {
    const auto known = runtimeFromName(*runtime);
    if (!known)
      s.fail(QStringLiteral("runtime"),
             QObject::tr("'%1' is not one of %2").arg(*runtime, runtimeNames().join(QStringLiteral(", "))));
    v.runtime = *known;
  }
  if (s.has(QStringLiteral("mitigations"))) {
    v.mitigations.clear();
    for (const QJsonValue& name : s.requireArray(QStringLiteral("mitigations")))
      v.mitigations.push_back(requireMitigation(s, QStringLiteral("mitigations"), name.toString()));
  }
  if (auto name = s.optionalString(QStringLiteral("compare_left")))
    v.compareLeft = requireMitigation(s, QStringLiteral("compare_left"), *name);
  if (auto name = s.optionalString(QStringLiteral("compare_right")))
    v.compareRight = requireMitigation(s, QStringLiteral("compare_right"), *name);
  v.layer = int(s.optionalInt(QStringLiteral("layer"), -1, 100'000).value_or(-1));
  v.head = int(s.optionalInt(QStringLiteral("head"), -1, 65'536).value_or(-1));
  return v;
}

bool isScenarioFile(const QString& path) {
  QFile file(path);
  if (!QFileInfo(path).isFile() || !file.open(QIODevice::ReadOnly)) return false;
  const QByteArray head = file.read(64 * 1024);
  return head.contains(QByteArrayLiteral("\"format\"")) && head.contains(QByteArray(kScenarioFileFormat));
}

}  // namespace sinkscope::ui
