// The KV cache an attention head reads from: every key, a sliding window, or StreamingLLM's sinks
// plus a window, with positions re-indexed by cache slot. Not the positional maths or the pass.
#pragma once

#include <QtGlobal>

namespace sinkscope {

// Which keys a query sees and at which positions (docs/references.md section 4, StreamingLLM).
// Full: every earlier token at its own position. Window: the last windowTokens tokens (the
// StreamingLLM control, or a model's own sliding window). SinksAndWindow: the first sinkTokens
// plus the last windowTokens, positions assigned by slot inside the cache (the newest token sits
// at slot sinkTokens + windowTokens - 1 once the cache is full). The query's own key counts in the
// window. The modelled probe (PositionalScheme) and the measured forward pass both read this.
struct KvCache {
  enum class Kind { Full, Window, SinksAndWindow };
  Kind kind = Kind::Full;
  qint64 sinkTokens = 0;    // SinksAndWindow only
  qint64 windowTokens = 0;  // Window and SinksAndWindow

  static KvCache full() { return {}; }
  static KvCache window(qint64 windowTokens) { return {Kind::Window, 0, windowTokens}; }
  static KvCache sinksAndWindow(qint64 sinkTokens, qint64 windowTokens) {
    return {Kind::SinksAndWindow, sinkTokens, windowTokens};
  }

  bool evicts() const { return kind != Kind::Full; }
  qint64 keptSinkTokens() const { return kind == Kind::SinksAndWindow ? sinkTokens : 0; }
  // Keys held once the cache is full: sinks + window (0 for Full, which never fills).
  qint64 cacheTokens() const;
  // Whether query `query` sees key `key` (absolute positions; never a future key).
  bool sees(qint64 query, qint64 key) const;
  // The first key of the contiguous run [k, query] the query sees, its sinks aside.
  qint64 firstWindowKey(qint64 query) const;
  // Position of key `key` as query `query` sees it (its cache slot once the cache evicts);
  // -1 when the key is not in the query's cache (evicted or in the future).
  qint64 keySlot(qint64 query, qint64 key) const;
  qint64 querySlot(qint64 query) const;  // the slot of the query itself
};

}  // namespace sinkscope
