// `qwen2` (Qwen 2 and 2.5): llama with NEOX RoPE; its q/k/v biases are read for every
// architecture (docs/measured-mode.md, Architectures).
#include "inference/architectures/Architectures.h"

namespace sinkscope::architectures {

ArchitectureTraits qwen2() {
  ArchitectureTraits traits;
  traits.name = QStringLiteral("qwen2");
  traits.ropeLayout = RopePairLayout::HalfSplit;
  return traits;
}

}  // namespace sinkscope::architectures
