// `gemma3`: gemma2 without the attention softcap (final softcap only when the file has one),
// with per-head q/k norms, five sliding layers to one global, and RoPE base 10,000 on sliding
// layers (docs/measured-mode.md, Architectures).
#include "inference/architectures/Architectures.h"

namespace sinkscope::architectures {

ArchitectureTraits gemma3() {
  ArchitectureTraits traits;
  traits.name = QStringLiteral("gemma3");
  traits.ropeLayout = RopePairLayout::HalfSplit;
  traits.perHeadQkNorm = true;
  traits.postNorms = true;
  traits.embeddingScaledBySqrtWidth = true;
  traits.activation = FeedForwardActivation::GeluTanh;
  traits.readsFinalSoftcap = true;
  traits.slidingWindowPeriod = 6;
  traits.defaultLocalRopeBase = 10000.0;
  traits.queryScaleFromWidthAtLayers = 62;
  return traits;
}

}  // namespace sinkscope::architectures
