// Regenerates the documentation screenshots from the running app (sinkscope --screenshots DIR):
// the default scenario, one PNG per tab (named after it) plus each tab's variants (named after the variant,
// e.g. compare.png), each taken once its computation has finished, and dark.png with a dark desktop palette.
// Not a test: docs/update-screenshots.sh drives it.
#pragma once

#include <QObject>
#include <QPalette>
#include <QString>

namespace sinkscope::ui {

class MainWindow;

// A dark window palette as a desktop in dark mode hands to Qt (for the dark screenshot and tests).
QPalette darkDesktopPalette();

// Takes the screenshots and returns the process exit status (0 when all were written).
int takeScreenshots(MainWindow& window, const QString& directory);

// Waits (processing events) until no background work is left and the tab is up to date, at
// most timeoutMs. Returns false on timeout.
bool waitUntilIdle(MainWindow& window, int timeoutMs);

}  // namespace sinkscope::ui
