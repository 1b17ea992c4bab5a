// `llama` (Llama 1-3.x, Mistral, TinyLlama, SmolLM): the plain graph; Llama 3.x files carry
// rope_freqs.weight (docs/measured-mode.md, Architectures).
#include "inference/architectures/Architectures.h"

namespace sinkscope::architectures {

ArchitectureTraits llama() {
  ArchitectureTraits traits;
  traits.name = QStringLiteral("llama");
  traits.ropeFrequencyFactors = true;
  return traits;
}

}  // namespace sinkscope::architectures
