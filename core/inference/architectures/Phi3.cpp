// `phi3` (Phi-3, Phi-3.5, Phi-4 mini): NEOX RoPE, attn_qkv fused, ffn_up holding gate then up,
// LongRoPE factors in the 128K files (docs/measured-mode.md, Architectures). llama.cpp applies no sliding
// window to phi3 files.
#include "inference/architectures/Architectures.h"

namespace sinkscope::architectures {

ArchitectureTraits phi3() {
  ArchitectureTraits traits;
  traits.name = QStringLiteral("phi3");
  traits.ropeLayout = RopePairLayout::HalfSplit;
  traits.fusedGateUp = true;
  traits.longRopeFactors = true;
  return traits;
}

}  // namespace sinkscope::architectures
