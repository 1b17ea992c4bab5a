// The user's current question: which model on which hardware at which context, compared under
// which mitigations. Views observe it through signals. Not a computation and not a widget.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "catalog/Runtime.h"
#include "positional/Mitigation.h"

#include <QObject>
#include <QSettings>
#include <QStringList>
#include <vector>

namespace sinkscope::ui {

class SpecLibrary;

// Plain values of a scenario, comparable and storable.
struct ScenarioValues {
  QString modelId;               // SpecLibrary id (catalogue id or imported file path)
  QString hardwareId;            // SpecLibrary id
  qint64 contextTokens = 32768;  // requested context, tokens
  int batch = 1;                 // concurrent sequences
  int gpusPerNode = 1;           // GPUs in each node (tensor-parallel over them)
  int nodes = 1;                 // nodes (pipeline stages over them)
  QString weightsDtype = QStringLiteral("bf16");
  QString kvDtype = QStringLiteral("bf16");
  // The engine the plan is for. The window opens on llama.cpp: it runs Mistral-v0.1 with full
  // attention, where baseline and NTK differ for a published reason (README, "The first screen").
  Runtime runtime = Runtime::LlamaCpp;
  std::vector<Mitigation> mitigations{Mitigation::Baseline, Mitigation::Ntk};  // compared set
  Mitigation compareLeft = Mitigation::Baseline;                               // Compare view, left side
  Mitigation compareRight = Mitigation::Ntk;                                   // Compare view, right side
  int layer = -1;                                                              // -1: the last layer
  int head = -1;                                                               // -1: mean over heads
  bool operator==(const ScenarioValues&) const = default;
  // The mitigation the plan is made for: the Compare view's right side when it is compared,
  // else the last non-baseline mitigation ticked, else baseline.
  Mitigation primaryMitigation() const;
};

// The context range the window offers, tokens.
inline constexpr qint64 kMinContextTokens = 128;
inline constexpr qint64 kMaxContextTokens = 10'485'760;
// The GPUs the window offers: per node, and nodes.
inline constexpr int kMaxGpusPerNode = 16;
inline constexpr int kMaxNodes = 64;

class Scenario : public QObject {
  Q_OBJECT
 public:
  explicit Scenario(const SpecLibrary& library, QObject* parent = nullptr);

  const ScenarioValues& values() const { return values_; }
  const SpecLibrary& library() const { return library_; }
  // The resolved specs; the library guarantees a valid model and hardware once it is non-empty.
  const ModelSpec& model() const;
  const HardwareSpec& hardware() const;

  void setValues(const ScenarioValues& values);  // emits changed() when anything differs
  void setModelId(const QString& id);
  void setHardwareId(const QString& id);
  void setContextTokens(qint64 tokens);
  void setBatch(int batch);
  void setGpus(int gpusPerNode, int nodes);
  void setWeightsDtype(const QString& dtype);
  void setKvDtype(const QString& dtype);
  void setRuntime(Runtime runtime);
  void setMitigations(const std::vector<Mitigation>& mitigations);
  void setComparePair(Mitigation left, Mitigation right);
  void setLayerHead(int layer, int head);

  // The source document's worked example: Mistral 7B at 32K on an H100 80 GB, baseline vs NTK.
  static ScenarioValues defaults(const SpecLibrary& library);
  void save(QSettings& settings) const;
  // Restores a saved scenario; unknown ids or out-of-range values fall back to the defaults.
  void restore(QSettings& settings);

 signals:
  void changed();       // any value changed
  void modelChanged();  // the model id changed (layer/head ranges, trained context)
  void hardwareChanged();

 private:
  void apply(ScenarioValues next);
  ScenarioValues sanitized(ScenarioValues values) const;

  const SpecLibrary& library_;
  ScenarioValues values_;
};

QStringList weightDtypeNames();  // the dtypes offered for weights
QStringList kvDtypeNames();      // the dtypes offered for the KV cache

}  // namespace sinkscope::ui
