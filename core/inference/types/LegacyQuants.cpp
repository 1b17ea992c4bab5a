// Q4_0, Q4_1, Q5_0, Q5_1, Q8_0: 32 values a block, an fp16 scale d (and minimum m for the _1
// types). Layouts, bit walks and the reference quantizers: docs/tensor-types.md (ggml-common.h,
// ggml-quants.c dequantize_row_* and quantize_row_*_ref).
#include "inference/types/Blocks.h"
#include "inference/types/TypeKernels.h"

#include <algorithm>
#include <cfloat>

namespace sinkscope::types {

namespace {

constexpr int kBlock = 32;

// The value of largest magnitude, with its sign (the symmetric quantizers scale by it).
float signedAbsMax(const float* x) {
  float amax = 0, max = 0;
  for (int j = 0; j < kBlock; ++j)
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  return max;
}

void minAndMax(const float* x, float* min, float* max) {
  *min = FLT_MAX;
  *max = -FLT_MAX;
  for (int j = 0; j < kBlock; ++j) {
    *min = std::min(*min, x[j]);
    *max = std::max(*max, x[j]);
  }
}

// The fifth bits of a Q5 block: bit j of qh belongs to value j (j < 32).
int fifthBit(quint32 qh, int j) {
  return int((qh >> j) & 1) << 4;
}

}  // namespace

// ---- Q4_0 {d, qs[16]}: x = d * (nibble - 8); low nibbles are values 0..15, high 16..31.
void dequantizeQ4_0(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kBlock; ++b, in += 18, out += kBlock) {
    const float d = loadHalf(in);
    for (int j = 0; j < 16; ++j) {
      out[j] = d * float((byteAt(in, 2 + j) & 15) - 8);
      out[j + 16] = d * float((byteAt(in, 2 + j) >> 4) - 8);
    }
  }
}
void quantizeQ4_0(const float* x, std::byte* out, qint64 values) {  // d = max / -8
  for (qint64 b = 0; b < values / kBlock; ++b, x += kBlock, out += 18) {
    const float d = signedAbsMax(x) / -8;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    storeHalf(out, d);
    for (int j = 0; j < 16; ++j) {
      const int low = std::min(15, int(x[j] * id + 8.5f));
      const int high = std::min(15, int(x[j + 16] * id + 8.5f));
      out[2 + j] = std::byte(low | high << 4);
    }
  }
}
qint64 firstNonFiniteQ4_0(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<32, 18, 0, 1>(in, values);
}

// ---- Q4_1 {d, m, qs[16]}: x = d * nibble + m.
void dequantizeQ4_1(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kBlock; ++b, in += 20, out += kBlock) {
    const float d = loadHalf(in), m = loadHalf(in + 2);
    for (int j = 0; j < 16; ++j) {
      out[j] = d * float(byteAt(in, 4 + j) & 15) + m;
      out[j + 16] = d * float(byteAt(in, 4 + j) >> 4) + m;
    }
  }
}
void quantizeQ4_1(const float* x, std::byte* out, qint64 values) {  // d = (max - min) / 15, m = min
  for (qint64 b = 0; b < values / kBlock; ++b, x += kBlock, out += 20) {
    float min, max;
    minAndMax(x, &min, &max);
    const float d = (max - min) / 15;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    storeHalf(out, d);
    storeHalf(out + 2, min);
    for (int j = 0; j < 16; ++j) {
      const int low = std::min(15, int((x[j] - min) * id + 0.5f));
      const int high = std::min(15, int((x[j + 16] - min) * id + 0.5f));
      out[4 + j] = std::byte(low | high << 4);
    }
  }
}
qint64 firstNonFiniteQ4_1(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<32, 20, 0, 2>(in, values);
}

// ---- Q5_0 {d, qh (u32 LE), qs[16]}: x = d * ((nibble | fifth bit << 4) - 16).
void dequantizeQ5_0(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kBlock; ++b, in += 22, out += kBlock) {
    const float d = loadHalf(in);
    const quint32 qh = loadU32(in + 2);
    for (int j = 0; j < 16; ++j) {
      out[j] = d * float(((byteAt(in, 6 + j) & 15) | fifthBit(qh, j)) - 16);
      out[j + 16] = d * float(((byteAt(in, 6 + j) >> 4) | fifthBit(qh, j + 16)) - 16);
    }
  }
}
void quantizeQ5_0(const float* x, std::byte* out, qint64 values) {  // d = max / -16
  for (qint64 b = 0; b < values / kBlock; ++b, x += kBlock, out += 22) {
    const float d = signedAbsMax(x) / -16;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    storeHalf(out, d);
    quint32 qh = 0;
    for (int j = 0; j < 16; ++j) {
      const int low = std::min(31, int(x[j] * id + 16.5f));
      const int high = std::min(31, int(x[j + 16] * id + 16.5f));
      out[6 + j] = std::byte((low & 15) | (high & 15) << 4);
      qh |= quint32(low >> 4) << j | quint32(high >> 4) << (j + 16);
    }
    storeU32(out + 2, qh);
  }
}
qint64 firstNonFiniteQ5_0(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<32, 22, 0, 1>(in, values);
}

// ---- Q5_1 {d, m, qh, qs[16]}: x = d * (nibble | fifth bit << 4) + m.
void dequantizeQ5_1(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kBlock; ++b, in += 24, out += kBlock) {
    const float d = loadHalf(in), m = loadHalf(in + 2);
    const quint32 qh = loadU32(in + 4);
    for (int j = 0; j < 16; ++j) {
      out[j] = d * float((byteAt(in, 8 + j) & 15) | fifthBit(qh, j)) + m;
      out[j + 16] = d * float((byteAt(in, 8 + j) >> 4) | fifthBit(qh, j + 16)) + m;
    }
  }
}
void quantizeQ5_1(const float* x, std::byte* out, qint64 values) {  // d = (max - min) / 31, m = min
  for (qint64 b = 0; b < values / kBlock; ++b, x += kBlock, out += 24) {
    float min, max;
    minAndMax(x, &min, &max);
    const float d = (max - min) / 31;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    storeHalf(out, d);
    storeHalf(out + 2, min);
    quint32 qh = 0;
    for (int j = 0; j < 16; ++j) {
      const int low = int((x[j] - min) * id + 0.5f);
      const int high = int((x[j + 16] - min) * id + 0.5f);
      out[8 + j] = std::byte((low & 15) | (high & 15) << 4);
      qh |= quint32((low >> 4) & 1) << j | quint32((high >> 4) & 1) << (j + 16);
    }
    storeU32(out + 4, qh);
  }
}
qint64 firstNonFiniteQ5_1(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<32, 24, 0, 2>(in, values);
}

// ---- Q8_0 {d, int8 qs[32]}: x = d * q.
void dequantizeQ8_0(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kBlock; ++b, in += 34, out += kBlock) {
    const float d = loadHalf(in);
    for (int j = 0; j < kBlock; ++j) out[j] = d * float(std::int8_t(in[2 + j]));
  }
}
void quantizeQ8_0(const float* x, std::byte* out, qint64 values) {  // d = max|x| / 127, q = round(x / d)
  for (qint64 b = 0; b < values / kBlock; ++b, x += kBlock, out += 34) {
    const float d = std::fabs(signedAbsMax(x)) / 127;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    storeHalf(out, d);
    for (int j = 0; j < kBlock; ++j) out[2 + j] = std::byte(std::int8_t(std::lround(x[j] * id)));
  }
}
qint64 firstNonFiniteQ8_0(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<32, 34, 0, 1>(in, values);
}

}  // namespace sinkscope::types
