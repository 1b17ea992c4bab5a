// The names of the long-context mitigations SinkScope compares, as used on the command line,
// in JSON and in the UI. Not their maths: see RopeSchedule.h and the planner's estimates.
#pragma once

#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

enum class Mitigation {
  Baseline,    // the model as it ships
  Linear,      // position interpolation
  Ntk,         // NTK-aware base change (static)
  DynamicNtk,  // NTK base that grows with the sequence length
  Yarn,
  Llama3,
  LongRope,
  Alibi,
  Streaming,   // StreamingLLM: sink tokens + a window of recent tokens
  WindowOnly,  // the StreamingLLM control: a window of recent tokens, no sinks
};

QString mitigationName(Mitigation mitigation);  // "baseline", "dynamic-ntk", "window-only", ...
std::optional<Mitigation> mitigationFromName(const QString& name);
// The names of docs/design.md, in display order (window-only excluded: it is a control).
const std::vector<Mitigation>& comparedMitigations();
// Every mitigation that applies to a model: ALiBi models get {baseline, alibi, streaming}-style
// choices, RoPE models the RoPE family and streaming.
std::vector<Mitigation> mitigationsFor(bool modelUsesRope);

}  // namespace sinkscope
