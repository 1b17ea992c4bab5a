#include "TestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>

namespace sinkscope::test {

QString sourceDir() { return QStringLiteral(SINKSCOPE_SOURCE_DIR); }

QString testDataPath(const QString& name) { return QStringLiteral(SINKSCOPE_TEST_DATA_DIR) + QLatin1Char('/') + name; }

QString sharedGgufPath() {
  const QString fromEnvironment = qEnvironmentVariable("SINKSCOPE_TEST_GGUF");
  if (!fromEnvironment.isEmpty() && QFileInfo::exists(fromEnvironment)) return fromEnvironment;
  const QString shared = QDir(sourceDir() + QStringLiteral("/../shared/models")).absoluteFilePath(QStringLiteral("stories260K.gguf"));
  return QFileInfo::exists(shared) ? shared : QString();
}

CliResult runCli(const QStringList& args, int timeoutMs) {
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  process.setProcessEnvironment(environment);
  process.start(QStringLiteral(SINKSCOPE_CLI_PATH), args);
  CliResult result;
  if (!process.waitForStarted(10000)) return result;
  process.closeWriteChannel();
  if (!process.waitForFinished(timeoutMs)) {
    process.kill();
    process.waitForFinished();
    return result;
  }
  result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  result.standardOutput = process.readAllStandardOutput();
  result.standardError = process.readAllStandardError();
  return result;
}

}  // namespace sinkscope::test
