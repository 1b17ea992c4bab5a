// The top-level window: docks and tabs wired to the scenario. It stays small and delegates
// every view and every computation to panels and controllers.
#pragma once

#include <QMainWindow>

namespace sinkscope::ui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace sinkscope::ui
