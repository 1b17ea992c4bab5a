#include "ScreenshotRunner.h"

#include "MainWindow.h"
#include "compute/ComputeController.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTabWidget>
#include <QThread>
#include <cstdio>

namespace sinkscope::ui {

namespace {

QString slug(const QString& text) {
  QString result = text.toLower();
  result.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
  return result;
}

bool save(MainWindow& window, const QString& directory, const QString& name) {
  QApplication::processEvents();
  const QString path = QDir(directory).filePath(name + QStringLiteral(".png"));
  const bool ok = window.grab().save(path, "PNG");
  std::fprintf(ok ? stdout : stderr, "%s %s\n", ok ? "wrote" : "error: could not write", qPrintable(path));
  return ok;
}

}  // namespace

bool waitUntilIdle(MainWindow& window, int timeoutMs) {
  QDeadlineTimer deadline(timeoutMs);
  int quietRounds = 0;
  while (!deadline.hasExpired()) {
    QApplication::processEvents(QEventLoop::AllEvents, 20);
    const bool stale = std::any_of(window.analysisTabs().begin(), window.analysisTabs().end(),
                                   [](AnalysisTab* tab) { return tab->isVisible() && tab->isStale(); });
    quietRounds = (!window.compute().isBusy() && !stale) ? quietRounds + 1 : 0;
    if (quietRounds >= 5) return true;
    QThread::msleep(10);
  }
  return false;
}

int takeScreenshots(MainWindow& window, const QString& directory) {
  if (!QDir().mkpath(directory)) {
    std::fprintf(stderr, "error: %s: cannot create the folder\n", qPrintable(directory));
    return 3;
  }
  bool ok = true;
  waitUntilIdle(window, 60000);
  ok = save(window, directory, QStringLiteral("window")) && ok;
  for (int index = 0; index < window.tabs()->count(); ++index) {
    window.tabs()->setCurrentIndex(index);
    auto* tab = qobject_cast<AnalysisTab*>(window.tabs()->widget(index));
    if (!tab) continue;
    tab->prepareScreenshot(QString());
    tab->refreshNow();
    if (!waitUntilIdle(window, 120000)) std::fprintf(stderr, "warning: %s did not finish in time\n", qPrintable(tab->title()));
    ok = save(window, directory, slug(tab->title())) && ok;
    for (const QString& variant : tab->screenshotVariants()) {
      tab->prepareScreenshot(variant);
      waitUntilIdle(window, 120000);
      ok = save(window, directory, slug(variant)) && ok;
    }
    tab->prepareScreenshot(QString());
  }
  return ok ? 0 : 3;
}

}  // namespace sinkscope::ui
