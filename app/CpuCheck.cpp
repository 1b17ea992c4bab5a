// Refuses to start, with a clear message, on a CPU without the AVX2 + FMA that the rest of the
// binary is compiled for. Compiled for plain x86-64 and run before any other initialiser.
#include <cstdio>
#include <cstdlib>

namespace {
__attribute__((constructor(101))) void requireX86_64v3() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return;
  std::fputs(
      "error: this CPU lacks AVX2/FMA; SinkScope is built for x86-64-v3. "
      "Rebuild with -DSINKSCOPE_ARCH_FLAGS=-march=x86-64 to run it here (slower).\n",
      stderr);
  std::_Exit(4);
}
}  // namespace
