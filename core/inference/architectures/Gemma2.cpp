// `gemma2`: embeddings x sqrt(E), post-norms, GELU-tanh gate, attention softcap 50 and final
// softcap 30 unless the file says, every other layer sliding over 4096 tokens unless the file
// says, NEOX RoPE, head always tied (docs/measured-mode.md, Architectures).
#include "inference/architectures/Architectures.h"

namespace sinkscope::architectures {

ArchitectureTraits gemma2() {
  ArchitectureTraits traits;
  traits.name = QStringLiteral("gemma2");
  traits.ropeLayout = RopePairLayout::HalfSplit;
  traits.postNorms = true;
  traits.embeddingScaledBySqrtWidth = true;
  traits.outputAlwaysTied = true;
  traits.activation = FeedForwardActivation::GeluTanh;
  traits.readsAttentionSoftcap = true;
  traits.defaultAttentionSoftcap = 50.0;
  traits.readsFinalSoftcap = true;
  traits.defaultFinalSoftcap = 30.0;
  traits.slidingWindowPeriod = 2;
  traits.defaultSlidingWindow = 4096;
  traits.queryScaleFromWidthAtLayers = 46;
  return traits;
}

}  // namespace sinkscope::architectures
