// Where the attention probe gets one head's queries and keys from: the synthetic generator
// (modelled mode) or stored matrices (real models, tests). Not the positional encoding: vectors
// are returned before RoPE; the probe rotates them.
#pragma once

#include <QtGlobal>
#include <optional>
#include <span>
#include <vector>

namespace sinkscope {

class QueryKeySource {
 public:
  virtual ~QueryKeySource() = default;
  virtual int headDim() const = 0;
  // Keys first .. first+count-1 before RoPE, row-major count x headDim. Must be cheap to call
  // block by block: the probe never asks for all keys of a long context at once.
  virtual void keys(qint64 first, qint64 count, float* out) const = 0;
  // Queries at the given token positions before RoPE, row-major positions.size() x headDim.
  virtual void queries(std::span<const qint64> positions, float* out) const = 0;
  // A key planted to be retrieved by the query at queryPosition (a needle), before RoPE;
  // false when this source has no notion of a needle.
  virtual bool needleKey(qint64 queryPosition, float* out) const {
    (void)queryPosition;
    (void)out;
    return false;
  }
  // Largest context this source can serve; nullopt = unbounded (generated on demand).
  virtual std::optional<qint64> maxContext() const { return std::nullopt; }
};

// Queries and keys held in memory (row-major tokens x headDim), e.g. captured from a real model.
class DenseQueryKeySource final : public QueryKeySource {
 public:
  DenseQueryKeySource(int headDim, std::vector<float> queries, std::vector<float> keys);
  int headDim() const override { return headDim_; }
  void keys(qint64 first, qint64 count, float* out) const override;
  void queries(std::span<const qint64> positions, float* out) const override;
  std::optional<qint64> maxContext() const override { return tokens_; }

 private:
  int headDim_;
  qint64 tokens_;
  std::vector<float> queries_;
  std::vector<float> keys_;
};

}  // namespace sinkscope
