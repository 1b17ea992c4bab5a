// Starts the desktop application: QApplication, settings identity, the main window.
// Not the command line: app/main.cpp decides between this and a headless command.
#pragma once

namespace sinkscope::ui {
int runGui(int argc, char* argv[]);
}
