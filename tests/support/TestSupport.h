// Helpers shared by the test executables: where test data lives, the shared real model, and
// running the sinkscope binary as a user would. Not assertions; each test states its own.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>
#include <cmath>

class QProcess;

namespace sinkscope::test {

QString sourceDir();                        // the repository root
QString testDataPath(const QString& name);  // tests/data/<name>

// ../shared/models/stories260K.gguf, or $SINKSCOPE_TEST_GGUF; empty when neither exists.
QString sharedGgufPath();

// "actual 1.2345678901234, expected 1.2345, |difference| 3.4e-05 above the tolerance 1e-06".
QByteArray nearMessage(double actual, double expected, double tolerance);
// "1.2 and 1.2000001 differ by 1e-07, not more than 1e-06".
QByteArray apartMessage(double a, double b, double minimum);

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
// Waits for a started process (killed after timeoutMs) and collects its exit code and output;
// exitCode stays -1 when it did not start, timed out or crashed.
enum class StandardInput { Closed, LeftOpen };
CliResult finishProcess(QProcess& process, int timeoutMs, StandardInput input);

// How a report prints numbers that plan --json gives (docs/design.md "Numbers as text"): tokens
// with digits grouped in threes ("131,072"), and a confidence to two decimals. The JSON rounds a
// confidence to three decimals first, so the printed text is one of two: "0.62|0.63" for 0.625.
QString groupedTokens(qint64 tokens);
QString printedConfidence(double jsonValue);
// Whether text contains any of the '|'-separated alternatives.
bool containsAnyOf(const QString& text, const QString& alternatives);

}  // namespace sinkscope::test

// Verifies |actual - expected| <= tolerance and, when not, prints both values, the difference
// and the tolerance (QVERIFY(fabs(a - b) < tol) prints nothing).
#define SINKSCOPE_COMPARE_NEAR(actual, expected, tolerance)                                         \
  do {                                                                                              \
    const double nearActual_ = double(actual), nearExpected_ = double(expected);                    \
    const double nearTolerance_ = double(tolerance);                                                \
    QVERIFY2(std::abs(nearActual_ - nearExpected_) <= nearTolerance_,                               \
             sinkscope::test::nearMessage(nearActual_, nearExpected_, nearTolerance_).constData()); \
  } while (false)

// Verifies |a - b| > minimum (two values that must differ), printing both when they do not.
#define SINKSCOPE_VERIFY_APART(a, b, minimum)                                               \
  do {                                                                                      \
    const double apartA_ = double(a), apartB_ = double(b), apartMinimum_ = double(minimum); \
    QVERIFY2(std::abs(apartA_ - apartB_) > apartMinimum_,                                   \
             sinkscope::test::apartMessage(apartA_, apartB_, apartMinimum_).constData());   \
  } while (false)

// Skips the current test function with a reason when the shared GGUF model is absent.
#define SINKSCOPE_REQUIRE_SHARED_GGUF(pathVar)                                     \
  const QString pathVar = sinkscope::test::sharedGgufPath();                       \
  if (pathVar.isEmpty())                                                           \
    QSKIP(                                                                         \
        "stories260K.gguf not found at ../shared/models or $SINKSCOPE_TEST_GGUF; " \
        "this test needs the real model");
