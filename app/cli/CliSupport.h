// Shared plumbing for the subcommands: option parsing that fails with exit 2 naming the flag,
// value parsers with range checks, JSON/text output and atomic file writes. No command logic.
#pragma once

#include <QCommandLineParser>
#include <QJsonObject>
#include <QString>
#include <QTextStream>
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

// Largest context any command accepts (tokens); documented in docs/limits.md.
inline constexpr qint64 kMaxContextTokens = 10'485'760;

// One indented JSON object on stdout; Error(Internal) naming the field when a number in it is
// not finite. Every command's stdout is checked when it ends: a failed write is exit 3.
void printJson(const QJsonObject& object);

// A progress printer for long commands: "\r<command>: <stage> 42 %" on stderr when stderr is a
// terminal (people waiting), nothing otherwise (scripts and tests keep a clean stderr). finish()
// (or the destructor, when an error unwinds) ends the line it drew, before any "error:" line.
class TerminalProgress {
 public:
  explicit TerminalProgress(QString command);
  ~TerminalProgress() { finish(); }
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;
  void update(double fraction, const QString& stage);
  void finish();

 private:
  QString command_;
  bool enabled_ = false;
  int lastPercent_ = -1;
  QString lastStage_;
};


// Runs body, turning sinkscope::Error and other exceptions into "error: ..." and an exit code.
int guarded(const std::function<int()>& body);

}  // namespace sinkscope::cli
