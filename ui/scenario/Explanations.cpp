#include "scenario/Explanations.h"

#include <QObject>

namespace sinkscope::ui {

QString mitigationTitle(Mitigation mitigation) {
  switch (mitigation) {
    case Mitigation::Baseline:
      return QObject::tr("Baseline (as shipped)");
    case Mitigation::Linear:
      return QObject::tr("Linear position interpolation");
    case Mitigation::Ntk:
      return QObject::tr("NTK-aware scaling");
    case Mitigation::DynamicNtk:
      return QObject::tr("Dynamic NTK");
    case Mitigation::Yarn:
      return QObject::tr("YaRN");
    case Mitigation::Llama3:
      return QObject::tr("Llama 3.1 scaling");
    case Mitigation::LongRope:
      return QObject::tr("LongRoPE");
    case Mitigation::Alibi:
      return QObject::tr("ALiBi");
    case Mitigation::Streaming:
      return QObject::tr("StreamingLLM (sinks + window)");
    case Mitigation::WindowOnly:
      return QObject::tr("Window only (no sinks)");
  }
  return mitigationName(mitigation);
}

QString mitigationExplanation(Mitigation mitigation) {
  switch (mitigation) {
    case Mitigation::Baseline:
      return QObject::tr(
          "The model exactly as it ships, with its own RoPE or ALiBi settings. Past the trained "
          "context its rotary angles leave the range seen in training.");
    case Mitigation::Linear:
      return QObject::tr(
          "Position interpolation (Chen et al. 2023): every position is divided by the scale "
          "factor s, so the longest context maps back into the trained range. Cheap, but it "
          "compresses nearby positions and needs fine-tuning to recover quality.");
    case Mitigation::Ntk:
      return QObject::tr(
          "NTK-aware scaling: the RoPE base b is raised to b·s^(d/(d−2)). High-frequency "
          "dimensions (local order) stay almost unchanged while low-frequency ones are "
          "interpolated, so it works reasonably without fine-tuning.");
    case Mitigation::DynamicNtk:
      return QObject::tr(
          "Dynamic NTK: the NTK base grows with the current sequence length, so short prompts "
          "run exactly as trained and only long ones are rescaled.");
    case Mitigation::Yarn:
      return QObject::tr(
          "YaRN (Peng et al. 2023): interpolates only the low-frequency dimensions (a ramp "
          "between β_fast and β_slow) and sharpens the softmax by 0.1·ln s + 1 to counter the "
          "entropy rise that interpolation causes.");
    case Mitigation::Llama3:
      return QObject::tr(
          "Llama 3.1 scaling: wavelengths longer than the low-frequency limit are divided by "
          "the factor, short ones are kept, and a smooth ramp joins the two.");
    case Mitigation::LongRope:
      return QObject::tr(
          "LongRoPE: a searched rescale factor per rotary dimension (short and long factor "
          "lists), switching to the long list past the original context.");
    case Mitigation::Alibi:
      return QObject::tr(
          "ALiBi: no rotary positions; a linear distance penalty per head biases attention "
          "towards recent tokens, which extrapolates by construction but favours locality.");
    case Mitigation::Streaming:
      return QObject::tr(
          "StreamingLLM (Xiao et al. 2024): keep the first 4 tokens (the attention sinks) plus "
          "a window of recent tokens in the KV cache. Stable at any length, but it does not "
          "extend what the model can recall.");
    case Mitigation::WindowOnly:
      return QObject::tr(
          "A window of recent tokens without the sink tokens: the StreamingLLM control, which "
          "collapses once the first tokens leave the cache.");
  }
  return QString();
}

QString sinkExplanation() {
  return QObject::tr(
      "An attention sink is a token, usually the first, that receives a large share of every "
      "query's attention regardless of its content. Sink mass S_k is the share of a query's "
      "attention on the first k tokens. Past the trained context, attention often collapses "
      "onto the sink or spreads out uniformly.");
}

QString contextExplanation() {
  return QObject::tr(
      "The number of tokens in the prompt plus generated text that the model must attend "
      "over. The model's trained context is marked on every chart; beyond it the positions "
      "are out of distribution.");
}

QString dtypeExplanation() {
  return QObject::tr(
      "Storage type: bf16/fp16 use 2 bytes per value, fp8/int8/q8_0 about 1, q4 formats about "
      "half a byte plus block scales.");
}

QString entropyExplanation() {
  return QObject::tr(
      "Normalised attention entropy H_i / ln(i+1): 1 means attention spread uniformly over "
      "all keys, 0 means all attention on one key.");
}

QString effectiveContextExplanation() {
  return QObject::tr(
      "Effective context: how far back the model still attends usefully, estimated from where "
      "attention mass concentrates; shorter than the requested context when it sinks.");
}

QString contextCapExplanation() {
  return QObject::tr(
      "context_cap: the context to which inference should be limited for this attention kind "
      "and mitigation. Modelled: the trained context times what the mitigation is known to "
      "extend. Measured: where the per-token loss spikes or the sink metric breaks away.");
}

QString confidenceExplanation() {
  return QObject::tr(
      "Planner confidence, 0 to 1. It is never above 0.8 when the requested context is longer "
      "than the trained one; the reasons list what lowered it.");
}

}  // namespace sinkscope::ui
