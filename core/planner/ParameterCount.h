// Parameter counts computed from a model's architecture (embeddings, attention incl. MLA, dense or
// MoE feed-forward, norms, output head). Not bytes: see WeightMemory in Memory.h.
#pragma once

#include "catalog/ModelSpec.h"

namespace sinkscope {

struct ParameterCount {
  qint64 embedding = 0;      // token embedding table
  qint64 outputHead = 0;     // 0 when tied to the embedding
  qint64 attention = 0;      // all layers: projections (+ biases, + MLA norms)
  qint64 denseFfn = 0;       // all dense feed-forward layers
  qint64 expertsTotal = 0;   // all routed experts of all MoE layers
  qint64 expertsActive = 0;  // routed experts active per token, all MoE layers
  qint64 sharedExperts = 0;  // always-active experts, all MoE layers
  qint64 routers = 0;        // MoE gate matrices
  qint64 norms = 0;          // per-layer and final norms
  qint64 oneExpert = 0;      // one routed expert of one layer
  int moeLayers = 0;

  qint64 total() const;
  qint64 active() const;  // per token (== total for dense models)
  // Parameters that take part in a matrix multiply per token (active minus the embedding lookup,
  // plus the output head even when it is tied to the embedding).
  qint64 activeMatmul(const ModelSpec& model) const;
};

ParameterCount countParameters(const ModelSpec& model);

}  // namespace sinkscope
