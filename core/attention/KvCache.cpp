#include "attention/KvCache.h"

#include <algorithm>

namespace sinkscope {

qint64 KvCache::cacheTokens() const {
  switch (kind) {
    case Kind::Full:
      return 0;
    case Kind::Window:
      return windowTokens;
    case Kind::SinksAndWindow:
      return sinkTokens + windowTokens;
  }
  return 0;
}

qint64 KvCache::firstWindowKey(qint64 query) const {
  switch (kind) {
    case Kind::Full:
      return 0;
    case Kind::Window:
      return std::max<qint64>(0, query - windowTokens + 1);
    case Kind::SinksAndWindow:
      return query < cacheTokens() ? 0 : query - windowTokens + 1;
  }
  return 0;
}

bool KvCache::sees(qint64 query, qint64 key) const {
  if (key > query || key < 0) return false;
  if (key < keptSinkTokens()) return true;
  return key >= firstWindowKey(query);
}

qint64 KvCache::querySlot(qint64 query) const {
  if (!evicts() || query < cacheTokens()) return query;
  return cacheTokens() - 1;
}

qint64 KvCache::keySlot(qint64 query, qint64 key) const {
  if (!sees(query, key)) return -1;
  if (!evicts() || query < cacheTokens() || key < keptSinkTokens()) return key;
  return keptSinkTokens() + (key - firstWindowKey(query));
}

}  // namespace sinkscope
