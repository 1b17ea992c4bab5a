#include "GuiMain.h"

#include "MainWindow.h"
#include "ScreenshotRunner.h"

#include <sinkscope/Version.h>

#include <QApplication>

namespace sinkscope::ui {

int runGui(int argc, char* argv[]) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("SinkScope"));
  QApplication::setOrganizationDomain(QStringLiteral("sinkscope.org"));
  QApplication::setApplicationName(QStringLiteral("SinkScope"));
  QApplication::setApplicationVersion(QString::fromLatin1(kVersion));
  QApplication::setDesktopFileName(QStringLiteral("org.sinkscope.SinkScope"));
  // Hidden option for docs/update-screenshots.sh: the default scenario, no saved settings.
  const QStringList args = QApplication::arguments();
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
