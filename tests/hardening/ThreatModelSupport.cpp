#include "ThreatModelSupport.h"

#include "gguf/GgufFile.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

namespace sinkscope::test {

QString tinyGgufPath() {
  return sourceDir() + QStringLiteral("/tests/fuzz/corpus/gguf/tiny_llama.gguf");
}

void writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  QCOMPARE(file.write(bytes), qint64(bytes.size()));
}

QByteArray llama2Config() {
  QFile file(testDataPath(QStringLiteral("bad_inputs/catalogue.json")));
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QJsonObject base =
      QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("bases")).toObject();
  return QJsonDocument(base.value(QStringLiteral("llama2")).toObject()).toJson();
}

CliResult runShell(const QString& script, int timeoutMs) {
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  environment.insert(QStringLiteral("S"), cliPath());
  process.setProcessEnvironment(environment);
  process.start(QStringLiteral("/bin/bash"), {QStringLiteral("-c"), script});
  return finishProcess(process, timeoutMs, StandardInput::LeftOpen);
}

QStringList hiddenOrTemporary(const QString& folder) {
  return QDir(folder).entryList({QStringLiteral(".*")}, QDir::Files | QDir::Hidden | QDir::System);
}

void poisonFirstFloatTensor(const QString& path, float value) {
  qint64 offset = -1;
  {
    const GgufFile gguf(path);
    for (const GgufTensorInfo& info : gguf.tensors())
      if (info.type == GgmlType::F32 && offset < 0) offset = qint64(info.fileOffset);
    QVERIFY2(offset >= 0, "the fixture has no F32 tensor");
  }
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadWrite));
  QVERIFY(file.seek(offset));
  QCOMPARE(file.write(reinterpret_cast<const char*>(&value), sizeof value), qint64(sizeof value));
}

}  // namespace sinkscope::test
