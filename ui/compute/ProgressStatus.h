// The status-bar strip that shows background work: what is running, a progress bar and a
// Cancel button. Not the scheduler: it only observes ComputeController.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace sinkscope::ui {

class ComputeController;

class ProgressStatus : public QWidget {
  Q_OBJECT
 public:
  ProgressStatus(ComputeController& controller, QWidget* parent = nullptr);
  QPushButton* cancelButton() const { return cancel_; }

 private:
  QLabel* label_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QPushButton* cancel_ = nullptr;
};

}  // namespace sinkscope::ui
