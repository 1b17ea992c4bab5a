#include "panels/ContextControl.h"

#include "Units.h"
#include "scenario/Explanations.h"
#include "scenario/Scenario.h"

#include <QGridLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <algorithm>
#include <cmath>

namespace sinkscope::ui {

namespace {
constexpr int kStepsPerOctave = 8;
constexpr qint64 kSnapTokens = 128;
}  // namespace

int ContextControl::sliderPositionFor(qint64 tokens) {
  return int(std::lround(kStepsPerOctave * std::log2(double(std::max<qint64>(tokens, 1)))));
}

qint64 ContextControl::tokensForSliderPosition(int position) {
  const double raw = std::exp2(double(position) / kStepsPerOctave);
  const qint64 snapped = std::llround(raw / double(kSnapTokens)) * kSnapTokens;
  return std::clamp(snapped, kMinContextTokens, kMaxContextTokens);
}

ContextControl::ContextControl(QWidget* parent) : QWidget(parent) {
  auto* layout = new QGridLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(sliderPositionFor(kMinContextTokens), sliderPositionFor(kMaxContextTokens));
  slider_->setPageStep(kStepsPerOctave);
  slider_->setAccessibleName(tr("Context length (logarithmic slider)"));
  slider_->setToolTip(contextExplanation() + tr("\nThe slider is logarithmic: one notch = 1/8 octave, a page "
                                                "step doubles the context."));
  spin_ = new QSpinBox(this);
  spin_->setRange(int(kMinContextTokens), int(kMaxContextTokens));
  spin_->setSingleStep(1024);
  spin_->setGroupSeparatorShown(true);
  spin_->setSuffix(tr(" tokens"));
  spin_->setKeyboardTracking(false);
  spin_->setAccessibleName(tr("Context length in tokens"));
  spin_->setToolTip(contextExplanation());
  hint_ = new QLabel(this);
  hint_->setAccessibleName(tr("Trained context of the model"));
  layout->addWidget(slider_, 0, 0, 1, 2);
  layout->addWidget(spin_, 1, 0, 1, 2);
  layout->addWidget(hint_, 2, 0, 1, 2);
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  connect(slider_, &QSlider::valueChanged, this, [this](int position) {
    if (updating_) return;
    const qint64 tokens = tokensForSliderPosition(position);
    updating_ = true;
    spin_->setValue(int(tokens));
    updating_ = false;
    emit tokensChanged(tokens);
  });
  connect(spin_, &QSpinBox::valueChanged, this, [this](int value) {
    if (updating_) return;
    updating_ = true;
    slider_->setValue(sliderPositionFor(value));
    updating_ = false;
    emit tokensChanged(value);
  });
}

qint64 ContextControl::tokens() const {
  return spin_->value();
}

void ContextControl::setTokens(qint64 tokens) {
  updating_ = true;
  spin_->setValue(int(tokens));
  slider_->setValue(sliderPositionFor(tokens));
  updating_ = false;
}

void ContextControl::setTrainedContext(qint64 tokens) {
  hint_->setText(tr("Trained at %1 (%2)").arg(formatTokens(tokens), formatTokensShort(double(tokens))));
}

}  // namespace sinkscope::ui
