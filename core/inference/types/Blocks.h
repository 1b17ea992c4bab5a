// Byte-level helpers shared by the tensor-type kernels (core/inference/types/*.cpp): little-endian
// loads and stores, fp16 scales, ggml's rounding and the scale check. Not part of any public API.
#pragma once

#include "gguf/GgufFile.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sinkscope::types {

inline int byteAt(const std::byte* p, int index) {
  return std::to_integer<int>(p[index]);
}

inline quint16 loadU16(const std::byte* p) {
  quint16 value;
  std::memcpy(&value, p, 2);
  return value;
}
inline void storeU16(std::byte* p, quint16 value) {
  std::memcpy(p, &value, 2);
}
inline quint32 loadU32(const std::byte* p) {
  quint32 value;
  std::memcpy(&value, p, 4);
  return value;
}
inline void storeU32(std::byte* p, quint32 value) {
  std::memcpy(p, &value, 4);
}

inline float loadHalf(const std::byte* p) {
  return halfToFloat(loadU16(p));
}
inline void storeHalf(std::byte* p, float value) {
  storeU16(p, floatToHalf(value));
}
// The value an fp16 scale really holds once stored (quantizers requantize against it).
inline float roundTripHalf(float value) {
  return halfToFloat(floatToHalf(value));
}

// ggml's nearest_int: round half to even (the default floating-point rounding mode).
inline int nearestInt(float value) {
  return int(std::lrintf(value));
}

// Index of the first block whose `Count` fp16 scales at byte `Offset` are not all finite.
template <int BlockValues, int BlockBytes, int Offset, int Count>
qint64 firstNonFiniteHalves(const std::byte* blocks, qint64 values) {
  for (qint64 b = 0; b < values / BlockValues; ++b, blocks += BlockBytes)
    for (int h = 0; h < Count; ++h)
      if (!std::isfinite(loadHalf(blocks + Offset + 2 * h))) return b;
  return -1;
}

}  // namespace sinkscope::types
