// The Scenario dock: context, batch, weight and KV dtypes, the mitigations to compare, and the
// layer/head the heatmaps show. It writes user edits into the Scenario and mirrors its changes.
// Not a view of results.
#pragma once

#include <QWidget>

class QComboBox;
class QListWidget;
class QSpinBox;

namespace sinkscope::ui {

class ContextControl;
class Scenario;

class ScenarioPanel : public QWidget {
  Q_OBJECT
 public:
  ScenarioPanel(Scenario& scenario, QWidget* parent = nullptr);

  ContextControl* context() const { return context_; }
  QSpinBox* batch() const { return batch_; }
  QSpinBox* gpus() const { return gpus_; }
  QSpinBox* nodes() const { return nodes_; }
  QComboBox* weightsDtype() const { return weightsDtype_; }
  QComboBox* kvDtype() const { return kvDtype_; }
  QListWidget* mitigations() const { return mitigations_; }
  QSpinBox* layer() const { return layer_; }
  QSpinBox* head() const { return head_; }

 private:
  void rebuildForModel();  // mitigation choices and layer/head ranges
  void mirror();           // scenario -> controls, without feedback
  void writeMitigations();

  Scenario& scenario_;
  ContextControl* context_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QSpinBox* gpus_ = nullptr;
  QSpinBox* nodes_ = nullptr;
  QComboBox* weightsDtype_ = nullptr;
  QComboBox* kvDtype_ = nullptr;
  QComboBox* runtime_ = nullptr;
  QListWidget* mitigations_ = nullptr;
  QSpinBox* layer_ = nullptr;
  QSpinBox* head_ = nullptr;
  bool mirroring_ = false;
};

}  // namespace sinkscope::ui
