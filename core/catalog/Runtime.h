// The inference engine a plan is made for (vLLM, llama.cpp, transformers) and the model facts that
// depend on it, such as whether a sliding window is honoured. Not the launch flags (LaunchFlags.h).
#pragma once

#include "catalog/ModelSpec.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace sinkscope {

enum class Runtime { Vllm, LlamaCpp, Transformers };

QString runtimeName(Runtime runtime);                         // "vllm", "llama.cpp", "transformers"
std::optional<Runtime> runtimeFromName(const QString& name);  // case-insensitive
QStringList runtimeNames();

// Whether the engine applies the model's sliding window. vLLM and transformers do; llama.cpp
// converts Mistral-v0.1-style checkpoints as `llama` and runs them with full attention, while it
// does run Gemma 2's local layers windowed (docs/mitigations.md, "Runtimes").
bool runtimeHonoursWindow(const ModelSpec& model, Runtime runtime);

}  // namespace sinkscope
