// A plain one-token-at-a-time forward pass with a KV cache: the independent reference that the
// batched pass is tested and benchmarked against, and the decoder for greedy generation.
// Not instrumented and not fast: no attention capture, matrix-vector products only. It reads the
// same architecture traits, but computes every step one token and one value at a time.
#pragma once

#include "inference/ForwardPass.h"
#include "inference/LlamaModel.h"
#include "positional/RopeSchedule.h"

#include <memory>
#include <vector>

namespace sinkscope {

class IncrementalForward {
 public:
  // maxPositions bounds the positions this decoder can reach (its rotation table).
  IncrementalForward(const LlamaModel& model, const RopeSchedule& schedule, KvPolicy policy,
                     qint64 maxPositions);
  ~IncrementalForward();
  // Feeds the next token; returns the logits over the vocabulary for the token after it.
  std::vector<float> step(int token);
  qint64 position() const { return position_; }

 private:
  struct State;
  const LlamaModel& model_;
  KvPolicy policy_;
  qint64 position_ = 0;
  std::unique_ptr<State> state_;
};

// Greedy decoding: feeds prompt, then appends the argmax token newTokens times (stopping after
// stopToken when it is >= 0). Returns prompt + generated ids.
std::vector<int> greedyDecode(const LlamaModel& model, const RopeSchedule& schedule,
                              const std::vector<int>& prompt, int newTokens, int stopToken = -1);

}  // namespace sinkscope
