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

QPalette darkDesktopPalette() {
  QPalette palette;
  const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6),
      dim(0x80, 0x80, 0x80);
  palette.setColor(QPalette::Window, window);
  palette.setColor(QPalette::WindowText, text);
  palette.setColor(QPalette::Base, base);
  palette.setColor(QPalette::AlternateBase, window);
  palette.setColor(QPalette::Text, text);
  palette.setColor(QPalette::Button, window);
  palette.setColor(QPalette::ButtonText, text);
  palette.setColor(QPalette::ToolTipBase, base);
  palette.setColor(QPalette::ToolTipText, text);
  palette.setColor(QPalette::PlaceholderText, dim);
  palette.setColor(QPalette::Highlight, QColor(0x35, 0x74, 0xc4));
  palette.setColor(QPalette::HighlightedText, Qt::white);
  palette.setColor(QPalette::Link, QColor(0x56, 0xb4, 0xe9));
  palette.setColor(QPalette::Light, QColor(0x3c, 0x3f, 0x43));
  palette.setColor(QPalette::Midlight, QColor(0x35, 0x37, 0x3a));
  palette.setColor(QPalette::Mid, QColor(0x24, 0x25, 0x28));
  palette.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
  palette.setColor(QPalette::Shadow, Qt::black);
  for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    palette.setColor(QPalette::Disabled, role, dim);
  return palette;
}

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
    // Up to ten minutes: the Measured tab runs a real checkpoint over 32K tokens on a busy CPU.
    if (!waitUntilIdle(window, 600000))
      std::fprintf(stderr, "warning: %s did not finish in time\n", qPrintable(tab->title()));
    ok = save(window, directory, slug(tab->title())) && ok;
    for (const QString& variant : tab->screenshotVariants()) {
      tab->prepareScreenshot(variant);
      waitUntilIdle(window, 120000);
      ok = save(window, directory, slug(variant)) && ok;
    }
    tab->prepareScreenshot(QString());
  }
  // The same window with a dark desktop palette: the compare view re-themed, exports stay white.
  const QPalette original = QApplication::palette();
  QApplication::setPalette(darkDesktopPalette());
  if (auto* heatmap = window.analysisTab(QStringLiteral("heatmap"))) {
    window.tabs()->setCurrentWidget(heatmap);
    heatmap->prepareScreenshot(QStringLiteral("compare"));
    waitUntilIdle(window, 120000);
    ok = save(window, directory, QStringLiteral("dark")) && ok;
    heatmap->prepareScreenshot(QString());
  }
  QApplication::setPalette(original);
  return ok ? 0 : 3;
}

}  // namespace sinkscope::ui
