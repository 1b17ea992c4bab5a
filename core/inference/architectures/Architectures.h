// One function per supported architecture, each defined in its own file here; the registry
// (ArchitectureTraits.cpp) lists them. Private to core/inference; not the traits' meaning.
#pragma once

#include "inference/architectures/ArchitectureTraits.h"

namespace sinkscope::architectures {

ArchitectureTraits llama();
ArchitectureTraits qwen2();
ArchitectureTraits qwen3();
ArchitectureTraits phi3();
ArchitectureTraits gemma2();
ArchitectureTraits gemma3();

}  // namespace sinkscope::architectures
