// `qwen3`: llama with NEOX RoPE and a per-head RMSNorm of q and k before RoPE
// (docs/measured-mode.md, Architectures).
#include "inference/architectures/Architectures.h"

namespace sinkscope::architectures {

ArchitectureTraits qwen3() {
  ArchitectureTraits traits;
  traits.name = QStringLiteral("qwen3");
  traits.ropeLayout = RopePairLayout::HalfSplit;
  traits.perHeadQkNorm = true;
  return traits;
}

}  // namespace sinkscope::architectures
