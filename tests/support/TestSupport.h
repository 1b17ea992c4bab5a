// Helpers shared by the test executables: where test data lives, the shared real model, and
// running the sinkscope binary as a user would. Not assertions; each test states its own.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

namespace sinkscope::test {

QString sourceDir();                     // the repository root
QString testDataPath(const QString& name);  // tests/data/<name>
QString referencePath(const QString& name); // ../shared/reference/<name> (may not exist)

// ../shared/models/stories260K.gguf, or $SINKSCOPE_TEST_GGUF; empty when neither exists.
QString sharedGgufPath();

struct CliResult {
  int exitCode = -1;
  QByteArray standardOutput;
  QByteArray standardError;
};
// Runs the built sinkscope binary with args (QT_QPA_PLATFORM=offscreen), waiting up to timeoutMs.
CliResult runCli(const QStringList& args, int timeoutMs = 120000);
// The same with variables set (a value of null QString() removes the variable).
CliResult runCli(const QStringList& args, const QMap<QString, QString>& environment, int timeoutMs = 120000);
// As runCli, with stdout sent to a file (e.g. /dev/full) when standardOutputFile is not empty and
// extra environment variables set ("NAME=value", or as a map).
CliResult runCliWith(const QStringList& args, const QString& standardOutputFile,
                     const QStringList& environment = {}, int timeoutMs = 120000);
CliResult runCliWith(const QStringList& args, const QString& standardOutputFile,
                     const QMap<QString, QString>& environment, int timeoutMs = 120000);
QString cliPath();  // the built sinkscope binary

}  // namespace sinkscope::test

// Skips the current test function with a reason when the shared GGUF model is absent.
#define SINKSCOPE_REQUIRE_SHARED_GGUF(pathVar)                                                        \
  const QString pathVar = sinkscope::test::sharedGgufPath();                                          \
  if (pathVar.isEmpty())                                                                              \
    QSKIP("stories260K.gguf not found at ../shared/models or $SINKSCOPE_TEST_GGUF; "                  \
          "this test needs the real model");
