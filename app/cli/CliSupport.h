// Shared plumbing for the subcommands: option parsing that fails with exit 2 naming the flag,
// value parsers with range checks, JSON/text output and atomic file writes. No command logic.
#pragma once

#include "catalog/Runtime.h"
#include "common/Error.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QTextStream>
#include <functional>
#include <map>
#include <optional>

namespace sinkscope::cli {

QTextStream& out();  // stdout
QTextStream& err();  // stderr

// Parses args (without the program and subcommand names) into parser, adding --help.
// Throws Error(Usage) for unknown options, missing values or stray positional arguments.
void parseOrThrow(QCommandLineParser& parser, const QString& command, const QStringList& args);
// The value of a required option, or Error(Usage) "--name: missing".
QString requireOption(const QCommandLineParser& parser, const QString& name);

// Integers and lists of integers from a flag, within [minimum, maximum]; Error(Usage) otherwise.
// Accepts "32768", "32k"/"32K" (x1024) and "1M" (x1048576).
qint64 parseCount(const QString& flag, const QString& text, qint64 minimum, qint64 maximum);
std::optional<qint64> optionalCount(const QCommandLineParser& parser, const QString& name, qint64 minimum,
                                    qint64 maximum);
QList<qint64> parseCountList(const QString& flag, const QString& text, qint64 minimum, qint64 maximum);
double parsePositiveDouble(const QString& flag, const QString& text);
// A RoPE scaling factor s in [1, kMaxScalingFactor]; Error(Usage) naming flag otherwise.
double parseScalingFactor(const QString& flag, const QString& text);
inline constexpr double kMaxScalingFactor = 1e6;  // docs/limits.md

// The engine named by --runtime (vllm, llama.cpp, transformers; any case), or fallback when the
// flag is absent. Every command that takes --runtime reads it here; Error(Usage) naming --runtime.
Runtime runtimeOption(const QCommandLineParser& parser, Runtime fallback);

// Largest context any command accepts (tokens); documented in docs/limits.md.
inline constexpr qint64 kMaxContextTokens = 10'485'760;

// One indented JSON object on stdout; Error(Internal) naming the field when a number in it is
// not finite. Every command's stdout is checked when it ends: a failed write is exit 3.
void printJson(const QJsonObject& object);

// A progress printer for long commands: "\r<command>: <stage> 42 %" on stderr when stderr is a
// terminal (people waiting) or SINKSCOPE_PROGRESS is set, nothing otherwise (scripts and tests
// keep a clean stderr). finish()
// (or the destructor, when an error unwinds) ends the line it drew, before any "error:" line.
class TerminalProgress {
 public:
  explicit TerminalProgress(QString command);
  ~TerminalProgress() { finish(); }
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;
  // detail: what follows the percentage (tokens/s, time left), redrawn whenever it changes.
  void update(double fraction, const QString& stage, const QString& detail = QString());
  void finish();

 private:
  QString command_;
  bool enabled_ = false;
  int lastPercent_ = -1;
  QString lastStage_;
  QString lastDetail_;
};

// Core names a value at fault in its own terms (Error::field(), e.g. "window_tokens", with no
// source); the command line names its flag. Maps core field names to this command's flags.
using FlagNames = std::map<QString, QString>;
// The same error naming the flag when its source is empty and its field is one of flags, and
// naming the flag in its remedy when the remedy's field is one of flags (Error::withRemedy).
Error namingFlag(const Error& error, const FlagNames& flags);
// A file core refused to replace (AtomicFile.h, kExistingFileField), saying to use --force.
Error namingForce(const Error& error);
// Runs body, rethrowing any Error through namingFlag.
template <typename Body>
auto namingFlags(const FlagNames& flags, Body body) {
  try {
    return body();
  } catch (const Error& error) {
    throw namingFlag(error, flags);
  }
}

// Ctrl-C (SIGINT) from now on asks the running computation to stop instead of killing the
// process: the returned function turns true, core throws Cancelled within a second and guarded()
// ends the command with exit status 130. A second Ctrl-C kills as usual.
std::function<bool()> stopOnInterrupt();
inline constexpr int kCancelledExitCode = 130;  // 128 + SIGINT, as shells report an interrupted command

// Runs body, turning sinkscope::Error and other exceptions into "error: ..." and an exit code,
// and Cancelled into "sinkscope: cancelled" and kCancelledExitCode (not an error).
int guarded(const std::function<int()>& body);

}  // namespace sinkscope::cli
