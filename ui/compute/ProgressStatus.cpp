#include "compute/ProgressStatus.h"

#include "compute/ComputeController.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace sinkscope::ui {

ProgressStatus::ProgressStatus(ComputeController& controller, QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  label_ = new QLabel(this);
  bar_ = new QProgressBar(this);
  bar_->setRange(0, 1000);
  bar_->setMaximumWidth(180);
  bar_->setTextVisible(false);
  bar_->setAccessibleName(tr("Background work progress"));
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setAccessibleName(tr("Cancel background work"));
  cancel_->setToolTip(tr("Stop every computation that is running; the views keep their last results"));
  layout->addWidget(label_);
  layout->addWidget(bar_);
  layout->addWidget(cancel_);
  connect(cancel_, &QPushButton::clicked, &controller, &ComputeController::cancelAll);
  connect(&controller, &ComputeController::progressChanged, this, [this](int permille, const QString& label) {
    bar_->setValue(permille);
    label_->setText(label);
  });
  connect(&controller, &ComputeController::busyChanged, this, &QWidget::setVisible);
  setVisible(controller.isBusy());
}

}  // namespace sinkscope::ui
