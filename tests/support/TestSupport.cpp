#include "TestSupport.h"

#include <QLocale>

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>

namespace sinkscope::test {

QString sourceDir() {
  return QStringLiteral(SINKSCOPE_SOURCE_DIR);
}

QString testDataPath(const QString& name) {
  return QStringLiteral(SINKSCOPE_TEST_DATA_DIR) + QLatin1Char('/') + name;
}

QString sharedGgufPath() {
  const QString fromEnvironment = qEnvironmentVariable("SINKSCOPE_TEST_GGUF");
  if (!fromEnvironment.isEmpty() && QFileInfo::exists(fromEnvironment)) return fromEnvironment;
  const QString shared = QDir(sourceDir() + QStringLiteral("/../shared/models"))
                             .absoluteFilePath(QStringLiteral("stories260K.gguf"));
  return QFileInfo::exists(shared) ? shared : QString();
}

QString cliPath() {
  return QStringLiteral(SINKSCOPE_CLI_PATH);
}

QString groupedTokens(qint64 tokens) {
  return QLocale(QLocale::English).toString(tokens);
}

QString printedConfidence(double jsonValue) {
  const QString low = QString::number(jsonValue - 0.0005, 'f', 2),
                high = QString::number(jsonValue + 0.0005, 'f', 2);
  return low == high ? low : low + QLatin1Char('|') + high;
}

bool containsAnyOf(const QString& text, const QString& alternatives) {
  for (const QString& alternative : alternatives.split(QLatin1Char('|')))
    if (text.contains(alternative)) return true;
  return false;
}

CliResult runCli(const QStringList& args, int timeoutMs) {
  return runCli(args, {}, timeoutMs);
}

CliResult runCli(const QStringList& args, const QMap<QString, QString>& extra, int timeoutMs) {
  return runCliWith(args, QString(), extra, timeoutMs);
}

CliResult runCliWith(const QStringList& args, const QString& standardOutputFile,
                     const QStringList& assignments, int timeoutMs) {
  QMap<QString, QString> extra;
  for (const QString& assignment : assignments)
    extra.insert(assignment.section(QLatin1Char('='), 0, 0), assignment.section(QLatin1Char('='), 1));
  return runCliWith(args, standardOutputFile, extra, timeoutMs);
}

CliResult runCliWith(const QStringList& args, const QString& standardOutputFile,
                     const QMap<QString, QString>& extra, int timeoutMs) {
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  for (auto it = extra.begin(); it != extra.end(); ++it) {
    if (it.value().isNull())
      environment.remove(it.key());
    else
      environment.insert(it.key(), it.value());
  }
  process.setProcessEnvironment(environment);
  if (!standardOutputFile.isEmpty()) process.setStandardOutputFile(standardOutputFile);
  process.start(QStringLiteral(SINKSCOPE_CLI_PATH), args);
  return finishProcess(process, timeoutMs, StandardInput::Closed);
}

CliResult finishProcess(QProcess& process, int timeoutMs, StandardInput input) {
  CliResult result;
  if (!process.waitForStarted(10000)) return result;
  if (input == StandardInput::Closed) process.closeWriteChannel();
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

QByteArray nearMessage(double actual, double expected, double tolerance) {
  return QStringLiteral("actual %1, expected %2, |difference| %3 above the tolerance %4")
      .arg(actual, 0, 'g', 17)
      .arg(expected, 0, 'g', 17)
      .arg(std::abs(actual - expected), 0, 'g', 3)
      .arg(tolerance, 0, 'g', 3)
      .toUtf8();
}

QByteArray apartMessage(double a, double b, double minimum) {
  return QStringLiteral("%1 and %2 differ by %3, not more than %4")
      .arg(a, 0, 'g', 17)
      .arg(b, 0, 'g', 17)
      .arg(std::abs(a - b), 0, 'g', 3)
      .arg(minimum, 0, 'g', 3)
      .toUtf8();
}

}  // namespace sinkscope::test
