// What a long computation throws when its caller asked it to stop: an outcome of its own, neither
// a bad input nor an internal failure. Not an Error: `catch (const Error&)` never sees it.
#pragma once

#include <exception>

namespace sinkscope {

class Cancelled : public std::exception {
 public:
  const char* what() const noexcept override { return "cancelled"; }
};

// Throws Cancelled when isCancelled is set and says so; the one way core code stops on request.
template <typename IsCancelled>
void stopIfCancelled(const IsCancelled& isCancelled) {
  if (isCancelled && isCancelled()) throw Cancelled();
}

}  // namespace sinkscope
