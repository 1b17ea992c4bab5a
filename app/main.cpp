// Entry point: a known subcommand runs headless (QCoreApplication; QApplication on the offscreen
// platform for the commands that draw charts); otherwise the window opens.
#include "GuiMain.h"
#include "HubImport.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "common/InputFile.h"
#include "common/SafeText.h"

#include <sinkscope/Version.h>

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QPluginLoader>
#include <cerrno>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>

namespace {

using Command = std::function<int(const QStringList&)>;

const std::map<QString, Command>& commands() {
  using namespace sinkscope::cli;
  static const std::map<QString, Command> table{
      {QStringLiteral("list"), runList},     {QStringLiteral("show"), runShow},
      {QStringLiteral("plan"), runPlan},     {QStringLiteral("rope"), runRope},
      {QStringLiteral("probe"), runProbe},   {QStringLiteral("measure"), runMeasure},
      {QStringLiteral("report"), runReport}, {QStringLiteral("chart"), runChart},
  };
  return table;
}

const char* kUsage =
    "Usage: sinkscope [COMMAND] [OPTIONS]\n"
    "SinkScope analyses what happens to attention when a language model runs past its trained\n"
    "context, and plans memory and throughput for long-context deployments.\n"
    "\n"
    "Without a command the window opens. Commands (each has --help):\n"
    "  list models|hardware [--json]       the built-in catalogues\n"
    "  show --model M | --hardware H       what SinkScope read, normalised (--json)\n"
    "  plan --model M --hardware H --context N   memory, fit, throughput, confidence\n"
    "  rope --model M [--mitigation X] [--factor S] --json   RoPE frequencies\n"
    "  probe --model M --context N         modelled attention: heatmap and sink curve\n"
    "  measure --gguf FILE --text FILE     run a real GGUF model and measure attention and loss\n"
    "  report --model M --hardware H --context N --out FILE.pdf|.html\n"
    "  chart --chart KIND --model M --context N --out FILE.png|.svg|.pdf\n"
    "\n"
    "M: a catalogue id, a Hugging Face config.json, a .gguf file or a Hugging Face Hub id\n"
    "org/name[@revision] (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE apply). H: a catalogue id or a\n"
    "hardware JSON file. Exit status: 0 success, 2 usage error, 3 bad input, 4 internal failure.\n"
    "\n"
    "Options:\n"
    "  -h, --help      show this help\n"
    "  -v, --version   print the version\n";

// Commands that draw (QCustomPlot, QPainter) need a QGuiApplication; without a display they
// get the offscreen platform, so they run headless like the others.
bool drawsCharts(const QString& name) {
  return name == QLatin1String("report") || name == QLatin1String("chart");
}

// Qt's note that XDG_RUNTIME_DIR is unset (it then uses a private folder) is noise before our
// one "error:" line, headless or not; every other message passes through.
QtMessageHandler previousHandler = nullptr;

void dropRuntimeDirNote(QtMsgType type, const QMessageLogContext& context, const QString& message) {
  if (message.startsWith(QLatin1String("QStandardPaths: XDG_RUNTIME_DIR not set"))) return;
  if (previousHandler) previousHandler(type, context, message);
}

// 0 when everything printed reached stdout; else the error line and exit 3, as for the commands.
int stdoutWritten() {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return 0;
  std::fprintf(stderr, "error: stdout: write failed: %s\n",
               qPrintable(sinkscope::systemReason(errno != 0 ? errno : EIO)));
  return 3;
}

// The platform plugin Qt is asked for: -platform NAME (or -platform=NAME), else $QT_QPA_PLATFORM;
// with where it was asked, for the error message. Empty when neither says.
std::pair<QString, QString> requestedPlatform(int argc, char* argv[]) {
  for (int i = 1; i < argc; ++i) {
    const QString argument = QString::fromLocal8Bit(argv[i]);
    if ((argument == QLatin1String("-platform") || argument == QLatin1String("--platform")) && i + 1 < argc)
      return {QString::fromLocal8Bit(argv[i + 1]), argument};
    if (argument.startsWith(QLatin1String("-platform=")) || argument.startsWith(QLatin1String("--platform=")))
      return {argument.section(QLatin1Char('='), 1), argument.section(QLatin1Char('='), 0, 0)};
  }
  return {qEnvironmentVariable("QT_QPA_PLATFORM"), QStringLiteral("QT_QPA_PLATFORM")};
}

// The keys of every platform plugin Qt can find ("offscreen", "xcb", ...), read from the plugins'
// metadata without loading them.
QStringList availablePlatforms() {
  QStringList keys;
  for (const QString& folder : QCoreApplication::libraryPaths()) {
    const QDir platforms(folder + QStringLiteral("/platforms"));
    for (const QString& file : platforms.entryList(QDir::Files)) {
      const QJsonObject metaData =
          QPluginLoader(platforms.filePath(file)).metaData().value(QStringLiteral("MetaData")).toObject();
      for (const QJsonValue key : metaData.value(QStringLiteral("Keys")).toArray())
        keys << key.toString().toLower();
    }
  }
  keys.removeDuplicates();
  return keys;
}

// Qt aborts (SIGABRT) when the platform plugin it is asked for does not exist: refuse it first,
// as a usage error naming the flag or variable. Returns 0 when it exists or none was asked for.
int checkPlatformPlugin(int argc, char* argv[]) {
  const auto [spec, where] = requestedPlatform(argc, argv);
  const QString name = spec.section(QLatin1Char(':'), 0, 0).trimmed().toLower();  // "xcb:option=..."
  if (name.isEmpty()) return 0;
  const QStringList available = availablePlatforms();
  if (available.isEmpty() || available.contains(name)) return 0;  // nothing found: let Qt decide
  std::fprintf(stderr, "error: %s: no Qt platform plugin '%s' (available: %s)\n", qPrintable(where),
               qPrintable(sinkscope::escapeControlCharacters(name)),
               qPrintable(available.join(QStringLiteral(", "))));
  return 2;
}

std::unique_ptr<QCoreApplication> makeApplication(const QString& name, int& argc, char* argv[]) {
  if (!drawsCharts(name)) return std::make_unique<QCoreApplication>(argc, argv);
  previousHandler = qInstallMessageHandler(dropRuntimeDirNote);
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
      qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  return std::make_unique<QApplication>(argc, argv);
}

int runHeadless(int argc, char* argv[]) {
  if (drawsCharts(QString::fromLocal8Bit(argv[1])))
    if (const int status = checkPlatformPlugin(argc, argv)) return status;
  const auto app = makeApplication(QString::fromLocal8Bit(argv[1]), argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("SinkScope"));
  QCoreApplication::setApplicationVersion(QString::fromLatin1(sinkscope::kVersion));
  QStringList args = QCoreApplication::arguments().mid(1);
  const QString name = args.takeFirst();
  const Command& command = commands().at(name);
  sinkscope::hub::installHubModelResolver();  // --model org/name[@revision] (docs/catalog.md)
  return sinkscope::cli::guarded([&] { return command(args); });
}

}  // namespace

int main(int argc, char* argv[]) {
  if (argc > 1) {
    const QString first = QString::fromLocal8Bit(argv[1]);
    if (first == QLatin1String("--help") || first == QLatin1String("-h")) {
      std::fputs(kUsage, stdout);
      return stdoutWritten();
    }
    if (first == QLatin1String("--version") || first == QLatin1String("-v")) {
      std::printf("sinkscope %s\n", sinkscope::kVersion);
      return stdoutWritten();
    }
    if (commands().count(first)) return runHeadless(argc, argv);
    if (first.startsWith(QLatin1Char('-')) == false) {
      std::fprintf(stderr, "error: unknown command '%s' (see sinkscope --help)\n", argv[1]);
      return 2;
    }
  }
  if (const int status = checkPlatformPlugin(argc, argv)) return status;
  previousHandler = qInstallMessageHandler(dropRuntimeDirNote);
  return sinkscope::ui::runGui(argc, argv);
}
