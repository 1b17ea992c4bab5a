// The table of computable tensor types; each type's kernels are written out below.
#include "inference/TensorTypes.h"

#include <QFloat16>
#include <QStringList>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace sinkscope {

namespace {

quint16 loadU16(const std::byte* p) {
  quint16 value;
  std::memcpy(&value, p, 2);
  return value;
}

// ---- F32, F16, BF16: one value per block, no scales.
void dequantizeF32(const std::byte* in, float* out, qint64 values) { std::memcpy(out, in, size_t(values) * 4); }
void dequantizeF16(const std::byte* in, float* out, qint64 values) {
  qFloatFromFloat16(out, reinterpret_cast<const qfloat16*>(in), values);
}
void dequantizeBF16(const std::byte* in, float* out, qint64 values) {
  for (qint64 i = 0; i < values; ++i) out[i] = bfloat16ToFloat(loadU16(in + 2 * i));
}
qint64 noScales(const std::byte*, qint64) { return -1; }

// ---- Q8_0: block {f16 d, int8 q[32]}; x = d * q (docs/gguf.md, Tensor types: ggml-common.h block_q8_0).
void dequantizeQ8_0(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / 32; ++b, in += 34) {
    const float d = halfToFloat(loadU16(in));
    for (int j = 0; j < 32; ++j) *out++ = d * float(std::int8_t(in[2 + j]));
  }
}

// ---- Q4_0: block {f16 d, 16 bytes of nibbles}; x = d * (nibble - 8), low nibbles first.
void dequantizeQ4_0(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / 32; ++b, in += 18, out += 32) {
    const float d = halfToFloat(loadU16(in));
    for (int j = 0; j < 16; ++j) {
      const auto byte = std::to_integer<int>(in[2 + j]);
      out[j] = d * float((byte & 0x0F) - 8);
      out[j + 16] = d * float((byte >> 4) - 8);
    }
  }
}

// ---- Q4_1: block {f16 d, f16 m, 16 bytes of nibbles}; x = d * nibble + m.
void dequantizeQ4_1(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / 32; ++b, in += 20, out += 32) {
    const float d = halfToFloat(loadU16(in));
    const float m = halfToFloat(loadU16(in + 2));
    for (int j = 0; j < 16; ++j) {
      const auto byte = std::to_integer<int>(in[4 + j]);
      out[j] = d * float(byte & 0x0F) + m;
      out[j + 16] = d * float(byte >> 4) + m;
    }
  }
}

// The first `halves` f16 scales at the start of each block must be finite.
template <int BlockValues, int BlockBytes, int Halves>
qint64 firstNonFiniteLeadingHalves(const std::byte* in, qint64 values) {
  for (qint64 b = 0; b < values / BlockValues; ++b, in += BlockBytes)
    for (int h = 0; h < Halves; ++h)
      if (!std::isfinite(halfToFloat(loadU16(in + 2 * h)))) return b;
  return -1;
}

TensorTypeTraits row(GgmlType type, const char* name, int blockValues, int blockBytes,
                     void (*dequantize)(const std::byte*, float*, qint64),
                     qint64 (*firstNonFinite)(const std::byte*, qint64)) {
  TensorTypeTraits traits;
  traits.type = type;
  traits.name = name;
  traits.blockValues = blockValues;
  traits.blockBytes = blockBytes;
  traits.dequantize = dequantize;
  traits.firstNonFiniteBlock = firstNonFinite;
  return traits;
}

// Rows in ggml id order. A new type is one row here plus its kernels.
const std::vector<TensorTypeTraits>& table() {
  static const std::vector<TensorTypeTraits> rows = {
      row(GgmlType::F32, "F32", 1, 4, dequantizeF32, noScales),
      row(GgmlType::F16, "F16", 1, 2, dequantizeF16, noScales),
      row(GgmlType::Q4_0, "Q4_0", 32, 18, dequantizeQ4_0, firstNonFiniteLeadingHalves<32, 18, 1>),
      row(GgmlType::Q4_1, "Q4_1", 32, 20, dequantizeQ4_1, firstNonFiniteLeadingHalves<32, 20, 2>),
      row(GgmlType::Q8_0, "Q8_0", 32, 34, dequantizeQ8_0, firstNonFiniteLeadingHalves<32, 34, 1>),
      row(GgmlType::BF16, "BF16", 1, 2, dequantizeBF16, noScales),
  };
  return rows;
}

}  // namespace

const TensorTypeTraits* tensorTypeTraits(GgmlType type) {
  for (const TensorTypeTraits& traits : table())
    if (traits.type == type) return &traits;
  return nullptr;
}

std::span<const TensorTypeTraits> computableTensorTypes() { return table(); }

QString computableTensorTypeNames() {
  QStringList names;
  for (const TensorTypeTraits& traits : table()) names << QString::fromLatin1(traits.name);
  return names.join(QStringLiteral(", "));
}

}  // namespace sinkscope
