#include "MainWindow.h"

namespace sinkscope::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(QStringLiteral("SinkScope"));
  resize(1280, 800);
}

}  // namespace sinkscope::ui
