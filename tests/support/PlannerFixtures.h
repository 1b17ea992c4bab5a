// Hand-made ModelSpec/HardwareSpec fixtures for the planner tests, transcribed from each model's
// Hugging Face config.json (cited per model), and the lookups those tests share. Not the
// catalogue: tests of the catalogue live in tests/catalog.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "planner/Plan.h"
#include "planner/ReferencePoints.h"

#include <QtGlobal>

namespace sinkscope::test {

// The published reference points the planner reads (resources/references.json).
inline const ReferenceSet& refs() {
  return referenceSet();
}

// The plan's row for mitigation; the test aborts when the plan has none.
inline const MitigationPlan& row(const Plan& plan, Mitigation mitigation) {
  for (const MitigationPlan& r : plan.mitigations)
    if (r.mitigation == mitigation) return r;
  qFatal("no row");
}

// value inside [band.low, band.high], give or take slack.
inline bool within(double value, const Band& band, double slack = 1e-9) {
  return value >= band.low - slack && value <= band.high + slack;
}

// meta-llama/Llama-2-7b-hf config.json: 32 layers, hidden 4096, 32 heads (MHA), FFN 11008, vocab 32000.
inline ModelSpec llama2_7b() {
  ModelSpec m;
  m.id = QStringLiteral("llama-2-7b");
  m.layers = 32;
  m.hiddenSize = 4096;
  m.intermediateSize = 11008;
  m.heads = 32;
  m.kvHeads = 32;
  m.headDim = 128;
  m.vocabSize = 32000;
  m.attentionKind = AttentionKind::Mha;
  m.ropeTheta = 10000;
  m.maxPositionEmbeddings = 4096;
  m.trainedContext = 4096;
  return m;
}

// meta-llama/Llama-3.1-8B config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads, FFN 14336,
// vocab 128256, rope_theta 500000, llama3 scaling factor 8 (original 8192), max positions 131072.
inline ModelSpec llama31_8b() {
  ModelSpec m;
  m.id = QStringLiteral("llama-3.1-8b");
  m.layers = 32;
  m.hiddenSize = 4096;
  m.intermediateSize = 14336;
  m.heads = 32;
  m.kvHeads = 8;
  m.headDim = 128;
  m.vocabSize = 128256;
  m.attentionKind = AttentionKind::Gqa;
  m.ropeTheta = 500000;
  m.maxPositionEmbeddings = 131072;
  m.trainedContext = 8192;
  RopeScaling scaling;
  scaling.type = QStringLiteral("llama3");
  scaling.factor = 8;
  scaling.originalMaxPositionEmbeddings = 8192;
  scaling.lowFreqFactor = 1;
  scaling.highFreqFactor = 4;
  m.ropeScaling = scaling;
  return m;
}

// mistralai/Mistral-7B-v0.1 config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads, FFN 14336,
// vocab 32000, sliding_window 4096 on every layer; trained at 4K per the project's source document.
inline ModelSpec mistral7b() {
  ModelSpec m;
  m.id = QStringLiteral("mistral-7b-v0.1");
  m.layers = 32;
  m.hiddenSize = 4096;
  m.intermediateSize = 14336;
  m.heads = 32;
  m.kvHeads = 8;
  m.headDim = 128;
  m.vocabSize = 32000;
  m.attentionKind = AttentionKind::Sliding;
  m.slidingWindow = 4096;
  m.ropeTheta = 10000;
  m.maxPositionEmbeddings = 32768;
  m.trainedContext = 4096;
  return m;
}

// mistralai/Mixtral-8x7B-v0.1 config.json: 32 layers, hidden 4096, 32 heads, 8 KV heads, 8 experts
// of width 14336, 2 per token, vocab 32000, no sliding window, rope_theta 1e6, 32K context.
inline ModelSpec mixtral8x7b() {
  ModelSpec m;
  m.id = QStringLiteral("mixtral-8x7b");
  m.layers = 32;
  m.hiddenSize = 4096;
  m.intermediateSize = 14336;
  m.heads = 32;
  m.kvHeads = 8;
  m.headDim = 128;
  m.vocabSize = 32000;
  m.attentionKind = AttentionKind::Gqa;
  m.ropeTheta = 1e6;
  m.maxPositionEmbeddings = 32768;
  m.trainedContext = 32768;
  m.moe.experts = 8;
  m.moe.expertsPerToken = 2;
  m.moe.expertIntermediateSize = 14336;
  return m;
}

// deepseek-ai/DeepSeek-V2 config.json: 60 layers, hidden 5120, 128 heads, MLA (q_lora 1536,
// kv_lora 512, rope 64, nope 128, v 128), dense FFN 12288 in the first layer, then 160 routed
// experts of width 1536 (6 per token) + 2 shared, vocab 102400; YaRN s=40 from 4096 to 163840.
inline ModelSpec deepseekV2() {
  ModelSpec m;
  m.id = QStringLiteral("deepseek-v2");
  m.layers = 60;
  m.hiddenSize = 5120;
  m.intermediateSize = 12288;
  m.heads = 128;
  m.kvHeads = 128;
  m.headDim = 192;
  m.vocabSize = 102400;
  m.attentionKind = AttentionKind::Mla;
  m.ropeTheta = 10000;
  m.maxPositionEmbeddings = 163840;
  m.trainedContext = 4096;
  MlaSpec mla;
  mla.kvLoraRank = 512;
  mla.qLoraRank = 1536;
  mla.qkRopeHeadDim = 64;
  mla.qkNopeHeadDim = 128;
  mla.vHeadDim = 128;
  m.mla = mla;
  m.moe.experts = 160;
  m.moe.expertsPerToken = 6;
  m.moe.expertIntermediateSize = 1536;
  m.moe.sharedExperts = 2;
  m.moe.denseLayers = 1;
  RopeScaling scaling;
  scaling.type = QStringLiteral("yarn");
  scaling.factor = 40;
  scaling.originalMaxPositionEmbeddings = 4096;
  scaling.betaFast = 32;
  scaling.betaSlow = 1;
  scaling.mscale = 0.707;
  scaling.mscaleAllDim = 0.707;
  m.ropeScaling = scaling;
  return m;
}

// An ALiBi model shaped like BLOOM-7b1's config.json (30 layers, hidden 4096, 32 heads, vocab 250880, tied).
inline ModelSpec alibiModel() {
  ModelSpec m;
  m.id = QStringLiteral("bloom-7b1-like");
  m.layers = 30;
  m.hiddenSize = 4096;
  m.intermediateSize = 16384;
  m.gatedFfn = false;
  m.heads = 32;
  m.kvHeads = 32;
  m.headDim = 128;
  m.vocabSize = 250880;
  m.tiedEmbeddings = true;
  m.attentionKind = AttentionKind::Alibi;
  m.usesRope = false;
  m.maxPositionEmbeddings = 2048;
  m.trainedContext = 2048;
  return m;
}

// An 80 GB accelerator with H100-SXM-like figures; the tests use them as inputs only.
inline HardwareSpec gpu80() {
  HardwareSpec h;
  h.id = QStringLiteral("test-gpu-80gb");
  h.category = QStringLiteral("datacenter-gpu");
  h.memoryBytes = 80'000'000'000;
  h.memoryBandwidthBytesPerSecond = 3.35e12;
  h.peakFlopsPerSecond = {
      {QStringLiteral("bf16"), 989e12}, {QStringLiteral("fp16"), 989e12}, {QStringLiteral("fp8"), 1979e12}};
  return h;
}

}  // namespace sinkscope::test
