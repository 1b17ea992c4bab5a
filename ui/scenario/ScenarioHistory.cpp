#include "scenario/ScenarioHistory.h"

#include <QUndoCommand>

namespace sinkscope::ui {

namespace {

// What a step changed, for the Edit menu's "Undo <what>" text.
QString describeChange(const ScenarioValues& before, const ScenarioValues& after) {
  if (before.modelId != after.modelId) return QObject::tr("model");
  if (before.hardwareId != after.hardwareId) return QObject::tr("hardware");
  if (before.contextTokens != after.contextTokens) return QObject::tr("context");
  if (before.batch != after.batch) return QObject::tr("batch");
  if (before.weightsDtype != after.weightsDtype || before.kvDtype != after.kvDtype)
    return QObject::tr("dtype");
  if (before.mitigations != after.mitigations) return QObject::tr("mitigations");
  if (before.compareLeft != after.compareLeft || before.compareRight != after.compareRight)
    return QObject::tr("compared pair");
  return QObject::tr("layer and head");
}

bool onlyContextDiffers(ScenarioValues a, const ScenarioValues& b) {
  a.contextTokens = b.contextTokens;
  return a == b;
}

constexpr int kContextChangeId = 1;

}  // namespace

// One scenario step: the values before and after. The first redo() is the change itself, which
// has already happened, so it only re-applies what is already there.
class ScenarioChange : public QUndoCommand {
 public:
  ScenarioChange(ScenarioHistory& history, ScenarioValues before, ScenarioValues after)
      : QUndoCommand(describeChange(before, after)),
        history_(history),
        before_(std::move(before)),
        after_(std::move(after)) {}
  void undo() override { apply(before_); }
  void redo() override { apply(after_); }
  int id() const override { return onlyContextDiffers(before_, after_) ? kContextChangeId : -1; }
  bool mergeWith(const QUndoCommand* other) override {
    const auto* next = static_cast<const ScenarioChange*>(other);
    if (!onlyContextDiffers(after_, next->after_)) return false;
    after_ = next->after_;
    if (after_ == before_) setObsolete(true);
    return true;
  }

 private:
  void apply(const ScenarioValues& values) {
    history_.replaying_ = true;
    history_.scenario_.setValues(values);
    history_.last_ = history_.scenario_.values();
    history_.replaying_ = false;
  }
  ScenarioHistory& history_;
  ScenarioValues before_;
  ScenarioValues after_;
};

ScenarioHistory::ScenarioHistory(Scenario& scenario, QObject* parent)
    : QObject(parent), scenario_(scenario), last_(scenario.values()) {
  stack_.setUndoLimit(200);
  connect(&scenario_, &Scenario::changed, this, &ScenarioHistory::record);
}

void ScenarioHistory::reset() {
  stack_.clear();
  last_ = scenario_.values();
}

void ScenarioHistory::record() {
  if (replaying_) return;
  const ScenarioValues now = scenario_.values();
  if (now == last_) return;
  stack_.push(new ScenarioChange(*this, last_, now));  // its redo() re-applies `now`: a no-op
  last_ = now;
}

}  // namespace sinkscope::ui
