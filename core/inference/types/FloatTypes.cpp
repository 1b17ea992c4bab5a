// F32, F16 and BF16: one value a block, no scales (docs/tensor-types.md).
#include "inference/types/Blocks.h"
#include "inference/types/TypeKernels.h"

#include <QFloat16>
#include <bit>

namespace sinkscope::types {

namespace {
quint16 floatToBfloat16(float value) {  // round to nearest even, as ggml's fp32 -> bf16
  const quint32 bits = std::bit_cast<quint32>(value);
  if ((bits & 0x7FFFFFFF) > 0x7F800000) return quint16((bits >> 16) | 64);  // NaN stays a quiet NaN
  return quint16((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}
}  // namespace

void dequantizeF32(const std::byte* in, float* out, qint64 values) {
  std::memcpy(out, in, size_t(values) * 4);
}
void quantizeF32(const float* in, std::byte* out, qint64 values) {
  std::memcpy(out, in, size_t(values) * 4);
}
qint64 firstNonFiniteF32(const std::byte*, qint64) {
  return -1;
}

void dequantizeF16(const std::byte* in, float* out, qint64 values) {
  qFloatFromFloat16(out, reinterpret_cast<const qfloat16*>(in), values);
}
void quantizeF16(const float* in, std::byte* out, qint64 values) {
  for (qint64 i = 0; i < values; ++i) storeU16(out + 2 * i, floatToHalf(in[i]));
}
qint64 firstNonFiniteF16(const std::byte*, qint64) {
  return -1;
}

void dequantizeBF16(const std::byte* in, float* out, qint64 values) {
  for (qint64 i = 0; i < values; ++i) out[i] = std::bit_cast<float>(quint32(loadU16(in + 2 * i)) << 16);
}
void quantizeBF16(const float* in, std::byte* out, qint64 values) {
  for (qint64 i = 0; i < values; ++i) storeU16(out + 2 * i, floatToBfloat16(in[i]));
}
qint64 firstNonFiniteBF16(const std::byte*, qint64) {
  return -1;
}

}  // namespace sinkscope::types
