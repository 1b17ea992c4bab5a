// File → Save Scenario / Open Scenario and dropped scenario files: asks for a path, writes or
// reads the versioned JSON (ScenarioFile.h), imports a model file the scenario names, and shows
// errors. Not the file format.
#pragma once

#include <QObject>
#include <functional>

class QWidget;

namespace sinkscope::ui {

class Scenario;
class SpecLibrary;

class ScenarioFileActions : public QObject {
  Q_OBJECT
 public:
  ScenarioFileActions(Scenario& scenario, SpecLibrary& library, QWidget* dialogParent);
  // Each returns true on success; errors go to showError (a message box unless tests replace it).
  bool save(const QString& path);
  bool open(const QString& path);
  void setShowError(std::function<void(const QString&)> showError) { showError_ = std::move(showError); }

 public slots:
  void saveDialog();
  void openDialog();

 private:
  Scenario& scenario_;
  SpecLibrary& library_;
  QWidget* dialogParent_;
  std::function<void(const QString&)> showError_;
};

}  // namespace sinkscope::ui
