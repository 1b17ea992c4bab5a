#include "GuiMain.h"

#include "MainWindow.h"

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
  MainWindow window;
  window.restoreSettings();
  window.show();
  return app.exec();
}

}  // namespace sinkscope::ui
