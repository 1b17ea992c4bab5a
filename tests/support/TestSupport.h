// Helpers shared by the test executables: where test data lives, the shared real model, and
// running the sinkscope binary as a user would. Not assertions; each test states its own.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace sinkscope::test {

QString sourceDir();                     // the repository root
QString testDataPath(const QString& name);  // tests/data/<name>

// ../shared/models/stories260K.gguf, or $SINKSCOPE_TEST_GGUF; empty when neither exists.
QString sharedGgufPath();

struct CliResult {
  int exitCode = -1;
  QByteArray standardOutput;
  QByteArray standardError;
};
// Runs the built sinkscope binary with args (QT_QPA_PLATFORM=offscreen), waiting up to timeoutMs.
CliResult runCli(const QStringList& args, int timeoutMs = 120000);

}  // namespace sinkscope::test

// Skips the current test function with a reason when the shared GGUF model is absent.
#define SINKSCOPE_REQUIRE_SHARED_GGUF(pathVar)                                                        \
  const QString pathVar = sinkscope::test::sharedGgufPath();                                          \
  if (pathVar.isEmpty())                                                                              \
    QSKIP("stories260K.gguf not found at ../shared/models or $SINKSCOPE_TEST_GGUF; "                  \
          "this test needs the real model");
