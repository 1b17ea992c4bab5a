#include "cli/CliSupport.h"

#include "common/AtomicFile.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "common/InputFile.h"
#include "common/JsonRead.h"
#include "common/SafeText.h"

#include <unistd.h>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>

namespace sinkscope::cli {

namespace {

int gStdoutError = 0;  // errno of the first failed write to stdout, 0 while none failed

// Writes bytes to stdout, remembering why a write failed.
bool writeStdout(const char* data, size_t size) {
  if (std::fwrite(data, 1, size, stdout) == size) return true;
  if (gStdoutError == 0) gStdoutError = errno != 0 ? errno : EIO;
  return false;
}

// stdout for text: control characters from files (ESC, NUL, C1, ...) are escaped on the way out
// (docs/limits.md, "Threat model"), line breaks and tabs kept; a failed write is remembered.
class EscapingStdout : public QIODevice {
 public:
  EscapingStdout() { open(QIODevice::WriteOnly | QIODevice::Unbuffered); }

 protected:
  qint64 readData(char*, qint64) override { return -1; }
  qint64 writeData(const char* data, qint64 size) override {
    QByteArray bytes = pending_ + QByteArray(data, qsizetype(size));
    pending_.clear();
    if (bytes.endsWith('\xc2')) pending_ = bytes.right(1), bytes.chop(1);  // half of a C1 character
    const QByteArray safe = escapeControlCharacters(QString::fromUtf8(bytes), true).toUtf8();
    if (!writeStdout(safe.constData(), size_t(safe.size()))) return -1;
    return size;
  }

 private:
  QByteArray pending_;
};

}  // namespace

QTextStream& out() {
  static EscapingStdout device;
  static QTextStream stream(&device);
  return stream;
}

QTextStream& err() {
  static QTextStream stream(stderr);
  return stream;
}

void parseOrThrow(QCommandLineParser& parser, const QString& command, const QStringList& args) {
  parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
  const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                QStringLiteral("Show this help."));
  parser.addOption(help);
  QStringList withProgram = args;
  withProgram.prepend(QStringLiteral("sinkscope %1").arg(command));
  if (!parser.parse(withProgram)) throwUsage(QString(), parser.errorText());
  if (parser.isSet(help)) {
    // Qt's first line names the program by its full path; users type "sinkscope <command>".
    QString text = parser.helpText();
    text.replace(0, text.indexOf(QLatin1Char('\n')),
                 QStringLiteral("Usage: sinkscope %1 [options]").arg(command));
    out() << text;
    out().flush();
    std::exit(0);
  }
  if (!parser.positionalArguments().isEmpty())
    throwUsage(parser.positionalArguments().first(), QStringLiteral("unexpected argument"));
  // An empty value is never meant (--gguf "" would otherwise silently skip the measurement).
  for (const QString& name : parser.optionNames())
    for (const QString& value : parser.values(name))
      if (value.trimmed().isEmpty())
        throwUsage((name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--")) + name,
                   QStringLiteral("empty value"));
}

QString requireOption(const QCommandLineParser& parser, const QString& name) {
  if (!parser.isSet(name)) throwUsage(QStringLiteral("--") + name, QStringLiteral("missing"));
  return parser.value(name);
}

qint64 parseCount(const QString& flag, const QString& text, qint64 minimum, qint64 maximum) {
  QString digits = text.trimmed();
  qint64 multiplier = 1;
  if (digits.endsWith(QLatin1Char('k'), Qt::CaseInsensitive)) {
    multiplier = 1024;
    digits.chop(1);
  } else if (digits.endsWith(QLatin1Char('m'), Qt::CaseInsensitive)) {
    multiplier = 1024 * 1024;
    digits.chop(1);
  }
  bool ok = false;
  const qint64 base = digits.toLongLong(&ok);
  if (!ok) throwUsage(flag, QStringLiteral("'%1' is not a whole number").arg(text));
  if (base > maximum / multiplier || base < minimum / multiplier - 1 || base * multiplier < minimum ||
      base * multiplier > maximum)
    throwUsage(flag, QStringLiteral("%1 is outside [%2, %3]").arg(text).arg(minimum).arg(maximum));
  return base * multiplier;
}

std::optional<qint64> optionalCount(const QCommandLineParser& parser, const QString& name, qint64 minimum,
                                    qint64 maximum) {
  if (!parser.isSet(name)) return std::nullopt;
  return parseCount(QStringLiteral("--") + name, parser.value(name), minimum, maximum);
}

QList<qint64> parseCountList(const QString& flag, const QString& text, qint64 minimum, qint64 maximum) {
  QList<qint64> values;
  const QStringList parts = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
  if (parts.isEmpty()) throwUsage(flag, QStringLiteral("expected a comma-separated list"));
  for (const QString& part : parts) values << parseCount(flag, part, minimum, maximum);
  return values;
}

double parseScalingFactor(const QString& flag, const QString& text) {
  bool ok = false;
  const double value = text.toDouble(&ok);
  if (!ok || !std::isfinite(value) || value < 1 || value > kMaxScalingFactor)
    throwUsage(flag,
               QStringLiteral("'%1' is not a scaling factor in [1, %2]").arg(text).arg(kMaxScalingFactor));
  return value;
}

Runtime runtimeOption(const QCommandLineParser& parser, Runtime fallback) {
  if (!parser.isSet(QStringLiteral("runtime"))) return fallback;
  const QString name = parser.value(QStringLiteral("runtime"));
  const auto runtime = runtimeFromName(name);
  if (!runtime)
    throwUsage(QStringLiteral("--runtime"), QStringLiteral("unknown runtime '%1' (known: %2)")
                                                .arg(name, runtimeNames().join(QStringLiteral(", "))));
  return *runtime;
}

double parsePositiveDouble(const QString& flag, const QString& text) {
  bool ok = false;
  const double value = text.toDouble(&ok);
  if (!ok || !std::isfinite(value) || value <= 0)
    throwUsage(flag, QStringLiteral("'%1' is not a positive number").arg(text));
  return value;
}

TerminalProgress::TerminalProgress(QString command)
    : command_(std::move(command)),
      enabled_(isatty(fileno(stderr)) != 0 || qEnvironmentVariableIsSet("SINKSCOPE_PROGRESS")) {}

void TerminalProgress::update(double fraction, const QString& stage, const QString& detail) {
  const int percent = int(std::clamp(fraction, 0.0, 1.0) * 100.0);
  if (!enabled_ || (percent == lastPercent_ && stage == lastStage_ && detail == lastDetail_)) return;
  lastPercent_ = percent;
  lastStage_ = stage;
  lastDetail_ = detail;
  if (detail.isEmpty())
    std::fprintf(stderr, "\r%s: %s %3d %%   ", qPrintable(command_), qPrintable(stage), percent);
  else
    std::fprintf(stderr, "\r%s: %s %s   ", qPrintable(command_), qPrintable(stage), qPrintable(detail));
  std::fflush(stderr);
}

void TerminalProgress::finish() {
  if (enabled_ && lastPercent_ >= 0) std::fputs("\n", stderr);
  lastPercent_ = -1;
}

void printJson(const QJsonObject& object) {
  requireFiniteNumbers(object, QStringLiteral("output"));  // never a success with nulls
  out().flush();
  const QByteArray bytes = QJsonDocument(object).toJson(QJsonDocument::Indented);  // escapes controls itself
  writeStdout(bytes.constData(), size_t(bytes.size()));
}

Error namingForce(const Error& error) {
  if (error.field() != kExistingFileField) return error;
  return Error(error.kind(), error.source(), QString(),
               error.message() + QStringLiteral(" (use --force to replace it)"));
}

Error namingFlag(const Error& error, const FlagNames& flags) {
  const auto remedyFlag = flags.find(error.remedyField());
  const Error withFlagRemedy = remedyFlag == flags.end() ? error : error.remedyNaming(remedyFlag->second);
  const auto flag = flags.find(error.field());
  if (!error.source().isEmpty() || flag == flags.end()) return withFlagRemedy;
  return withFlagRemedy.at(flag->second, QString());
}

namespace {

volatile std::sig_atomic_t interrupted = 0;

void onInterrupt(int) {
  interrupted = 1;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C kills
}

}  // namespace

namespace {

// Every byte of stdout reached its destination (a full disk, /dev/full, a closed pipe: no).
void requireStdoutWritten() {
  out().flush();
  if (std::fflush(stdout) != 0 && gStdoutError == 0) gStdoutError = errno;
  const bool failed = gStdoutError != 0 || std::ferror(stdout) || out().status() != QTextStream::Ok;
  if (!failed) return;
  const int reason = gStdoutError != 0 ? gStdoutError : EIO;
  gStdoutError = 0;
  std::clearerr(stdout);
  out().resetStatus();
  throwBadInput(QStringLiteral("stdout"), QString(),
                QStringLiteral("write failed: %1").arg(systemReason(reason)));
}

}  // namespace

std::function<bool()> stopOnInterrupt() {
  interrupted = 0;
  std::signal(SIGINT, onInterrupt);
  return [] { return interrupted != 0; };
}

int guarded(const std::function<int()>& body) {
  try {
    const int status = body();
    if (status == 0) requireStdoutWritten();
    return status;
  } catch (const Cancelled&) {
    out().flush();
    err() << "sinkscope: cancelled" << Qt::endl;
    return kCancelledExitCode;
  } catch (const Error& coreError) {
    // Core names a value by its field; these are the flags every command spells the same way.
    static const FlagNames commonFlags{{QStringLiteral("model"), QStringLiteral("--model")},
                                       {QStringLiteral("hardware"), QStringLiteral("--hardware")},
                                       {QStringLiteral("mitigation"), QStringLiteral("--mitigation")},
                                       {QStringLiteral("gguf"), QStringLiteral("--gguf")}};
    const Error error = namingForce(namingFlag(coreError, commonFlags));
    out().flush();
    err() << "error: " << error.describe() << Qt::endl;
    return error.exitCode();
  } catch (const std::bad_alloc&) {
    err() << "error: out of memory" << Qt::endl;
    return 4;
  } catch (const std::exception& exception) {
    err() << "error: internal: " << escapeControlCharacters(QString::fromUtf8(exception.what())) << Qt::endl;
    return 4;
  }
}

}  // namespace sinkscope::cli
