// One softmax row computed block by block (online), with the sums its entropy needs: used by the
// modelled probe and the measured forward pass alike. Not the metrics or the pooling built on it.
#pragma once

#include <limits>
#include <span>
#include <vector>

namespace sinkscope {

// The running state of softmax over logits l_j seen so far, relative to their running maximum M:
// Z = sum_j e^(l_j - M) and W = sum_j e^(l_j - M) (l_j - M), so that A_j = e^(l_j - M) / Z and the
// entropy H = -sum_j A_j ln A_j = ln Z - W / Z (docs/references.md section 5, online softmax).
class OnlineSoftmax {
 public:
  // Raises M to at least `maximum`. Returns the factor e^(M_old - M_new) by which every weight
  // absorbed before must be multiplied to stay relative to M (1 when M does not grow, 0 before
  // anything was absorbed).
  double raiseMaximum(double maximum);
  // Adds a block of logits, none above M (raiseMaximum first), overwriting each with its
  // unnormalised weight e^(l - M). scratch is reused between calls to avoid allocations.
  void absorb(std::span<float> logits, std::vector<float>& scratch);
  // raiseMaximum to the block's largest logit, then absorb; returns raiseMaximum's factor.
  double absorbBlock(std::span<float> logits, std::vector<float>& scratch);

  double maximum() const { return maximum_; }  // M; -infinity before any logit
  double sum() const { return sum_; }          // Z
  double entropy() const;                      // ln Z - W / Z in nats; 0 before any logit

 private:
  double maximum_ = -std::numeric_limits<double>::infinity();
  double sum_ = 0;
  double weighted_ = 0;
};

}  // namespace sinkscope
