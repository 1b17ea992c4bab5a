// IQ4_NL and IQ4_XS: 4-bit indices into a fixed non-linear table of 16 levels, under an fp16
// scale per 32 values (IQ4_NL) or a 6-bit scale per 32 values under an fp16 super-scale
// (IQ4_XS). Layouts, table and the reference quantizer (ggml-quants.c quantize_row_iq4_nl_impl,
// no importance matrix): docs/tensor-types.md.
#include "inference/types/Blocks.h"
#include "inference/types/TypeKernels.h"

#include <algorithm>
#include <array>

namespace sinkscope::types {

namespace {

// kvalues_iq4nl (ggml-common.h).
constexpr std::array<int, 16> kLevels = {-127, -104, -83, -65, -49, -35, -22, -10,
                                         1,    13,   25,  38,  53,  69,  89,  113};
constexpr float kAllZero = 1e-15f;  // ggml's GROUP_MAX_EPS

// ggml's best_index_int8: the nearest table entry, ties to the lower one.
int nearestLevel(float value) {
  if (value <= float(kLevels.front())) return 0;
  if (value >= float(kLevels.back())) return 15;
  int low = 0, high = 15;
  while (high - low > 1) {
    const int middle = (low + high) / 2;
    if (value < float(kLevels[size_t(middle)]))
      high = middle;
    else
      low = middle;
  }
  return value - float(kLevels[size_t(high - 1)]) < float(kLevels[size_t(high)]) - value ? high - 1 : high;
}

// The x^2-weighted best scale for one 32-value block: the least-squares scale of the nearest
// levels under max / -127, then of 2 * tries + 1 scales around it (indices are not kept).
float bestBlockScale(const float* x, int tries) {
  float amax = 0, max = 0;
  for (int j = 0; j < 32; ++j)
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  if (amax < kAllZero) return 0;
  const auto fit = [&](float inverseScale, float* sumQX, float* sumQ2) {
    *sumQX = *sumQ2 = 0;
    for (int j = 0; j < 32; ++j) {
      const float q = float(kLevels[size_t(nearestLevel(inverseScale * x[j]))]), w = x[j] * x[j];
      *sumQX += w * q * x[j];
      *sumQ2 += w * q * q;
    }
  };
  float sumQX, sumQ2;
  fit(1 / (-max / float(kLevels[0])), &sumQX, &sumQ2);
  float d = sumQX / sumQ2;
  float best = d * sumQX;
  for (int step = -tries; step <= tries; ++step) {
    fit(float(step + kLevels[0]) / max, &sumQX, &sumQ2);
    if (sumQ2 > 0 && sumQX * sumQX > best * sumQ2) {
      d = sumQX / sumQ2;
      best = d * sumQX;
    }
  }
  return d;
}

// 32 values as 16 bytes: value j in the low nibble of byte j, value j + 16 in the high nibble.
void packIndices(const float* x, float scale, std::byte* qs) {
  const float inverse = scale != 0 ? 1 / scale : 0.0f;
  for (int j = 0; j < 16; ++j)
    qs[j] = std::byte(nearestLevel(inverse * x[j]) | nearestLevel(inverse * x[j + 16]) << 4);
}
void unpackIndices(const std::byte* qs, float scale, float* out) {
  for (int j = 0; j < 16; ++j) {
    out[j] = scale * float(kLevels[size_t(byteAt(qs, j) & 15)]);
    out[j + 16] = scale * float(kLevels[size_t(byteAt(qs, j) >> 4)]);
  }
}

}  // namespace

// ---- IQ4_NL {d, qs[16]} (18 bytes): x = d * level[index].
void dequantizeIQ4_NL(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / 32; ++b, in += 18, out += 32) unpackIndices(in + 2, loadHalf(in), out);
}
void quantizeIQ4_NL(const float* x, std::byte* out, qint64 values) {
  for (qint64 b = 0; b < values / 32; ++b, x += 32, out += 18) {
    const float d = bestBlockScale(x, 3);
    storeHalf(out, d);
    packIndices(x, d, out + 2);  // ggml indexes against the unrounded scale
  }
}
qint64 firstNonFiniteIQ4_NL(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<32, 18, 0, 1>(in, values);
}

// ---- IQ4_XS {d, u16 scales_h, scales_l[4], qs[128]} (136 bytes): block ib of 32 values has the
// 6-bit scale ls = (nibble ib % 2 of scales_l[ib / 2]) | (bits 2ib..2ib+1 of scales_h) << 4 and
// x = d * (ls - 32) * level[index].
namespace {
int scaleIQ4XS(const std::byte* block, int ib) {
  const int low = (byteAt(block, 4 + ib / 2) >> (4 * (ib % 2))) & 15;
  const int high = (loadU16(block + 2) >> (2 * ib)) & 3;
  return (low | high << 4) - 32;
}
}  // namespace

void dequantizeIQ4_XS(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / 256; ++b, in += 136, out += 256) {
    const float d = loadHalf(in);
    for (int ib = 0; ib < 8; ++ib)
      unpackIndices(in + 8 + 16 * ib, d * float(scaleIQ4XS(in, ib)), out + 32 * ib);
  }
}
void quantizeIQ4_XS(const float* x, std::byte* out, qint64 values) {
  for (qint64 b = 0; b < values / 256; ++b, x += 256, out += 136) {
    std::array<float, 8> scales{};
    float maxScale = 0, amax = 0;
    for (int ib = 0; ib < 8; ++ib) {
      scales[size_t(ib)] = bestBlockScale(x + 32 * ib, 7);
      if (std::fabs(scales[size_t(ib)]) > amax) {
        amax = std::fabs(scales[size_t(ib)]);
        maxScale = scales[size_t(ib)];
      }
    }
    std::fill(out, out + 136, std::byte(0));
    const float d = -maxScale / 32;
    storeHalf(out, d);
    const float inverse = d != 0 ? 1 / d : 0.0f;
    quint16 scalesHigh = 0;
    for (int ib = 0; ib < 8; ++ib) {
      const int l = std::max(-32, std::min(31, nearestInt(inverse * scales[size_t(ib)])));
      packIndices(x + 32 * ib, d * float(l), out + 8 + 16 * ib);  // against the unrounded d, as ggml
      out[4 + ib / 2] |= std::byte(((l + 32) & 15) << (4 * (ib % 2)));
      scalesHigh = quint16(scalesHigh | ((l + 32) >> 4) << (2 * ib));
    }
    storeU16(out + 2, scalesHigh);
  }
}
qint64 firstNonFiniteIQ4_XS(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<256, 136, 0, 1>(in, values);
}

}  // namespace sinkscope::types
