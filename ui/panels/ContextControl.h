// The context-length control: a log-scale slider tied to a spin box, 128 to 10,485,760 tokens,
// with the model's trained context shown beside it. Not the scenario: it emits the user's value.
#pragma once

#include <QWidget>

class QLabel;
class QSlider;
class QSpinBox;

namespace sinkscope::ui {

class ContextControl : public QWidget {
  Q_OBJECT
 public:
  explicit ContextControl(QWidget* parent = nullptr);
  qint64 tokens() const;
  void setTokens(qint64 tokens);          // without emitting tokensChanged
  void setTrainedContext(qint64 tokens);  // the hint under the slider
  QSlider* slider() const { return slider_; }
  QSpinBox* spinBox() const { return spin_; }

  static int sliderPositionFor(qint64 tokens);  // eighths of an octave
  static qint64 tokensForSliderPosition(int position);

 signals:
  void tokensChanged(qint64 tokens);

 private:
  QSlider* slider_ = nullptr;
  QSpinBox* spin_ = nullptr;
  QLabel* hint_ = nullptr;
  bool updating_ = false;
};

}  // namespace sinkscope::ui
