// Undo/Redo of scenario changes: every change of the Scenario, from any control, becomes one step
// on a QUndoStack (successive context edits merge into one). Not the scenario itself.
#pragma once

#include "scenario/Scenario.h"

#include <QObject>
#include <QUndoStack>

namespace sinkscope::ui {

class ScenarioHistory : public QObject {
  Q_OBJECT
 public:
  explicit ScenarioHistory(Scenario& scenario, QObject* parent = nullptr);
  QUndoStack& stack() { return stack_; }
  // Forgets every step (after a restore at start-up, so Undo does not reach the defaults).
  void reset();

 private:
  void record();

  Scenario& scenario_;
  QUndoStack stack_;
  ScenarioValues last_;
  bool replaying_ = false;
  friend class ScenarioChange;
};

}  // namespace sinkscope::ui
