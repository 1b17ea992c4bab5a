#include "GuiMain.h"

#include "MainWindow.h"
#include "ScreenshotRunner.h"

#include <sinkscope/Version.h>

#include <QApplication>
#include <cstdio>

namespace sinkscope::ui {

namespace {

// Qt has already removed the options it knows (-platform, -style, ...); anything left besides
// the hidden --screenshots DIR is a mistake the user should hear about, not a window.
QString firstUnknownArgument(const QStringList& args) {
  for (qsizetype i = 1; i < args.size(); ++i) {
    if (args.at(i) == QLatin1String("--screenshots") && i + 1 < args.size()) {
      ++i;
      continue;
    }
    return args.at(i);
  }
  return {};
}

}  // namespace

int runGui(int argc, char* argv[]) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("SinkScope"));
  QApplication::setOrganizationDomain(QStringLiteral("sinkscope.org"));
  QApplication::setApplicationName(QStringLiteral("SinkScope"));
  QApplication::setApplicationVersion(QString::fromLatin1(kVersion));
  QApplication::setDesktopFileName(QStringLiteral("org.sinkscope.SinkScope"));
  // Hidden option for docs/update-screenshots.sh: the default scenario, no saved settings.
  const QStringList args = QApplication::arguments();
  if (const QString unknown = firstUnknownArgument(args); !unknown.isEmpty()) {
    std::fprintf(stderr, "error: unknown option '%s' (see sinkscope --help)\n", qPrintable(unknown));
    return 2;
  }
  const qsizetype screenshots = args.indexOf(QStringLiteral("--screenshots"));
  MainWindow window;
  if (screenshots > 0 && screenshots + 1 < args.size()) {
    window.setPersistSettings(false);
    window.resize(1600, 980);
    window.show();
    return takeScreenshots(window, args.at(screenshots + 1));
  }
  window.restoreSettings();
  window.show();
  return app.exec();
}

}  // namespace sinkscope::ui
