// Q2_K, Q3_K, Q4_K, Q5_K, Q6_K: 256-value super-blocks whose 16- or 32-value sub-blocks carry
// quantized scales (and minimums) under one or two fp16 super-scales. Layouts, bit walks and the
// reference quantizers (ggml-quants.c quantize_row_q*_K_ref, no importance matrix):
// docs/tensor-types.md.
#include "inference/types/Blocks.h"
#include "inference/types/TypeKernels.h"

#include <algorithm>
#include <array>

namespace sinkscope::types {

namespace {

constexpr int kSuper = 256;
constexpr float kAllZero = 1e-15f;  // ggml's GROUP_MAX_EPS: a group below it quantizes to zeros

int clampInt(int value, int low, int high) {
  return std::max(low, std::min(high, value));
}

// The value of largest magnitude among n, with its sign.
float signedAbsMax(int n, const float* x) {
  float amax = 0, max = 0;
  for (int i = 0; i < n; ++i)
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  return max;
}

// ggml's make_qkx2_quants: levels 0..nmax with a scale and a minimum (x ~ scale * L - min),
// searching nstep+1 scales around nmax / (max - min) for the smallest weighted error.
// Returns the scale; *theMin receives the (non-negative) minimum to subtract.
float fitScaleAndMin(int n, int nmax, const float* x, const float* weights, quint8* levels, float* theMin,
                     float rmin, float rdelta, int nstep, bool absoluteError) {
  float min = x[0], max = x[0], sumW = weights[0], sumX = sumW * x[0];
  for (int i = 1; i < n; ++i) {
    min = std::min(min, x[i]);
    max = std::max(max, x[i]);
    sumW += weights[i];
    sumX += weights[i] * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    std::fill(levels, levels + n, quint8(0));
    *theMin = -min;
    return 0;
  }
  const auto error = [&](float scale, float offset, const quint8* l) {
    float total = 0;
    for (int i = 0; i < n; ++i) {
      const float diff = scale * l[i] + offset - x[i];
      total += weights[i] * (absoluteError ? std::fabs(diff) : diff * diff);
    }
    return total;
  };
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  for (int i = 0; i < n; ++i) levels[i] = quint8(clampInt(nearestInt(iscale * (x[i] - min)), 0, nmax));
  float bestError = error(scale, min, levels);
  std::array<quint8, 32> trial{};
  for (int step = 0; step <= nstep; ++step) {
    iscale = (rmin + rdelta * step + nmax) / (max - min);
    float sumL = 0, sumL2 = 0, sumXL = 0;
    for (int i = 0; i < n; ++i) {
      const int l = clampInt(nearestInt(iscale * (x[i] - min)), 0, nmax);
      trial[size_t(i)] = quint8(l);
      sumL += weights[i] * l;
      sumL2 += weights[i] * l * l;
      sumXL += weights[i] * l * x[i];
    }
    const float determinant = sumW * sumL2 - sumL * sumL;
    if (determinant <= 0) continue;
    float thisScale = (sumW * sumXL - sumX * sumL) / determinant;
    float thisMin = (sumL2 * sumX - sumL * sumXL) / determinant;
    if (thisMin > 0) {
      thisMin = 0;
      thisScale = sumXL / sumL2;
    }
    const float thisError = error(thisScale, thisMin, trial.data());
    if (thisError < bestError) {
      std::copy(trial.begin(), trial.begin() + n, levels);
      bestError = thisError;
      scale = thisScale;
      min = thisMin;
    }
  }
  *theMin = -min;
  return scale;
}

// ggml's make_q3_quants with do_rmse: signed levels -nmax..nmax-1 (stored + nmax), then up to
// five passes moving single levels while the x^2-weighted fit improves. Returns the scale.
float fitSymmetricRefined(int n, int nmax, const float* x, qint8* levels) {
  const float max = signedAbsMax(n, x);
  if (std::fabs(max) < kAllZero) {
    std::fill(levels, levels + n, qint8(0));
    return 0;
  }
  const float iscale = -nmax / max;
  float sumLX = 0, sumL2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = clampInt(nearestInt(iscale * x[i]), -nmax, nmax - 1);
    levels[i] = qint8(l);
    const float w = x[i] * x[i];
    sumLX += w * x[i] * l;
    sumL2 += w * l * l;
  }
  for (int pass = 0; pass < 5; ++pass) {
    int changed = 0;
    for (int i = 0; i < n; ++i) {
      const float w = x[i] * x[i];
      float slx = sumLX - w * x[i] * levels[i];
      if (slx <= 0) continue;
      float sl2 = sumL2 - w * levels[i] * levels[i];
      const int newL = clampInt(nearestInt(x[i] * sl2 / slx), -nmax, nmax - 1);
      if (newL == levels[i]) continue;
      slx += w * x[i] * newL;
      sl2 += w * newL * newL;
      if (sl2 > 0 && slx * slx * sumL2 > sumLX * sumLX * sl2) {
        levels[i] = qint8(newL);
        sumLX = slx;
        sumL2 = sl2;
        ++changed;
      }
    }
    if (changed == 0) break;
  }
  for (int i = 0; i < n; ++i) levels[i] = qint8(levels[i] + nmax);
  return sumL2 > 0 ? sumLX / sumL2 : 0;
}

// ggml's make_qx_quants with rmse_type 1 and no importance: signed levels -nmax..nmax-1 (stored
// + nmax), the x^2-weighted best of 19 scales around -nmax / max. Returns the scale.
float fitSymmetricSearch(int n, int nmax, const float* x, qint8* levels) {
  const float max = signedAbsMax(n, x);
  if (std::fabs(max) < kAllZero) {
    std::fill(levels, levels + n, qint8(0));
    return 0;
  }
  const auto fit = [&](float iscale, float* sumLX, float* sumL2, bool store) {
    *sumLX = *sumL2 = 0;
    for (int i = 0; i < n; ++i) {
      const int l = clampInt(nearestInt(iscale * x[i]), -nmax, nmax - 1);
      if (store) levels[i] = qint8(l + nmax);
      const float w = x[i] * x[i];
      *sumLX += w * x[i] * l;
      *sumL2 += w * l * l;
    }
  };
  float sumLX, sumL2;
  fit(-nmax / max, &sumLX, &sumL2, true);
  float scale = sumL2 != 0 ? sumLX / sumL2 : 0;
  float best = scale * sumLX;
  for (int step = -9; step <= 9; ++step) {
    if (step == 0) continue;
    const float iscale = -(nmax + 0.1f * step) / max;
    fit(iscale, &sumLX, &sumL2, false);
    if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
      fit(iscale, &sumLX, &sumL2, true);
      scale = sumLX / sumL2;
      best = scale * sumLX;
    }
  }
  return scale;
}

// Q4_K/Q5_K scales[12]: eight 6-bit scales and eight 6-bit minimums (ggml's get_scale_min_k4).
void scaleMinK4(int j, const std::byte* q, int* scale, int* min) {
  if (j < 4) {
    *scale = byteAt(q, j) & 63;
    *min = byteAt(q, j + 4) & 63;
  } else {
    *scale = (byteAt(q, j + 4) & 15) | (byteAt(q, j - 4) >> 6) << 4;
    *min = (byteAt(q, j + 4) >> 4) | (byteAt(q, j) >> 6) << 4;
  }
}
void packScaleMinK4(int j, int scale, int min, std::byte* q) {
  if (j < 4) {
    q[j] = std::byte(scale);
    q[j + 4] = std::byte(min);
  } else {
    q[j + 4] = std::byte((scale & 15) | (min & 15) << 4);
    q[j - 4] |= std::byte((scale >> 4) << 6);
    q[j] |= std::byte((min >> 4) << 6);
  }
}

// Q3_K scales[12]: sixteen 6-bit scales, stored + 32; low nibbles in bytes 0..7, the top two bits
// of scale j in byte 8 + j % 4 at bit 2 * (j / 4).
int scaleQ3K(int j, const std::byte* q) {
  const int low = j < 8 ? byteAt(q, j) & 15 : byteAt(q, j - 8) >> 4;
  return (low | ((byteAt(q, 8 + j % 4) >> (2 * (j / 4))) & 3) << 4) - 32;
}
void packScaleQ3K(int j, int stored, std::byte* q) {  // stored = scale + 32, 0..63
  if (j < 8)
    q[j] = std::byte(stored & 15);
  else
    q[j - 8] |= std::byte((stored & 15) << 4);
  q[8 + j % 4] |= std::byte((stored >> 4) << (2 * (j / 4)));
}

// The 2-bit plane shared by Q2_K and Q3_K: value 128h + 32j + l sits in byte 32h + l, bits 2j.
void packTwoBitPlane(const quint8* levels, std::byte* qs) {
  for (int h = 0; h < 2; ++h)
    for (int l = 0; l < 32; ++l) {
      const quint8* v = levels + 128 * h + l;
      qs[32 * h + l] = std::byte(v[0] | v[32] << 2 | v[64] << 4 | v[96] << 6);
    }
}

}  // namespace

// ---- Q2_K {scales[16], qs[64], d, dmin} (84 bytes): sixteen 16-value sub-blocks; scales[s] holds
// the 4-bit scale (low nibble) and 4-bit minimum (high nibble): x = d * sc * q - dmin * m.
void dequantizeQ2_K(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, in += 84, out += kSuper) {
    const float d = loadHalf(in + 80), dmin = loadHalf(in + 82);
    for (int s = 0; s < 16; ++s) {  // sub-block s = 8h + 2j + half: bytes 32h + 16 half.., bits 2j
      const int packed = byteAt(in, s), h = s / 8, shift = 2 * ((s % 8) / 2);
      const float dl = d * float(packed & 15), ml = dmin * float(packed >> 4);
      const std::byte* q = in + 16 + 32 * h + 16 * (s % 2);
      for (int l = 0; l < 16; ++l) out[16 * s + l] = dl * float((byteAt(q, l) >> shift) & 3) - ml;
    }
  }
}
void quantizeQ2_K(const float* x, std::byte* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, x += kSuper, out += 84) {
    std::array<quint8, kSuper> levels{};
    std::array<float, 16> scales{}, mins{}, weights{};
    float maxScale = 0, maxMin = 0;
    for (int s = 0; s < 16; ++s) {
      for (int l = 0; l < 16; ++l) weights[size_t(l)] = std::fabs(x[16 * s + l]);
      scales[size_t(s)] = fitScaleAndMin(16, 3, x + 16 * s, weights.data(), levels.data() + 16 * s,
                                         &mins[size_t(s)], -0.5f, 0.1f, 15, true);
      maxScale = std::max(maxScale, scales[size_t(s)]);
      maxMin = std::max(maxMin, mins[size_t(s)]);
    }
    std::fill(out, out + 84, std::byte(0));
    const float scaleStep = maxScale > 0 ? 15.0f / maxScale : 0.0f,
                minStep = maxMin > 0 ? 15.0f / maxMin : 0.0f;
    for (int s = 0; s < 16; ++s)
      out[s] =
          std::byte(nearestInt(scaleStep * scales[size_t(s)]) | nearestInt(minStep * mins[size_t(s)]) << 4);
    storeHalf(out + 80, maxScale / 15.0f);
    storeHalf(out + 82, maxMin / 15.0f);
    const float d = loadHalf(out + 80), dmin = loadHalf(out + 82);
    for (int s = 0; s < 16; ++s) {  // requantize against the scales as stored
      const float dl = d * float(byteAt(out, s) & 15);
      if (dl == 0) continue;
      const float ml = dmin * float(byteAt(out, s) >> 4);
      for (int l = 0; l < 16; ++l)
        levels[size_t(16 * s + l)] = quint8(clampInt(nearestInt((x[16 * s + l] + ml) / dl), 0, 3));
    }
    packTwoBitPlane(levels.data(), out + 16);
  }
}
qint64 firstNonFiniteQ2_K(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<256, 84, 80, 2>(in, values);
}

// ---- Q3_K {hmask[32], qs[64], scales[12], d} (110 bytes): sixteen 16-value sub-blocks with signed
// 6-bit scales; a value's 3-bit level is its two low bits plus a high bit from hmask (value v:
// byte v % 32, bit v / 32), and x = d * sc * (level - 4 when the high bit is clear, else level).
void dequantizeQ3_K(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, in += 110, out += kSuper) {
    const float d = loadHalf(in + 108);
    for (int s = 0; s < 16; ++s) {  // sub-block s = 8h + 2j + half, as in Q2_K; high bits: bit 4h + j
      const int h = s / 8, j = (s % 8) / 2, offset = 16 * (s % 2);
      const float dl = d * float(scaleQ3K(s, in + 96));
      const std::byte* q = in + 32 + 32 * h + offset;
      const std::byte* high = in + offset;
      const int mask = 1 << (4 * h + j);
      for (int l = 0; l < 16; ++l)
        out[16 * s + l] = dl * float(((byteAt(q, l) >> (2 * j)) & 3) - ((byteAt(high, l) & mask) ? 0 : 4));
    }
  }
}
void quantizeQ3_K(const float* x, std::byte* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, x += kSuper, out += 110) {
    std::array<qint8, kSuper> signedLevels{};
    std::array<float, 16> scales{};
    float maxScale = 0, amax = 0;
    for (int s = 0; s < 16; ++s) {
      scales[size_t(s)] = fitSymmetricRefined(16, 4, x + 16 * s, signedLevels.data() + 16 * s);
      if (std::fabs(scales[size_t(s)]) > amax) {
        amax = std::fabs(scales[size_t(s)]);
        maxScale = scales[size_t(s)];
      }
    }
    std::fill(out, out + 110, std::byte(0));
    if (maxScale != 0) {
      const float iscale = -32.0f / maxScale;
      for (int s = 0; s < 16; ++s)
        packScaleQ3K(s, clampInt(nearestInt(iscale * scales[size_t(s)]), -32, 31) + 32, out + 96);
      storeHalf(out + 108, 1 / iscale);
    }
    const float d = loadHalf(out + 108);
    std::array<quint8, kSuper> levels{};
    for (int v = 0; v < kSuper; ++v) levels[size_t(v)] = quint8(signedLevels[size_t(v)]);
    for (int s = 0; s < 16; ++s) {
      const float dl = d * float(scaleQ3K(s, out + 96));
      if (dl == 0) continue;
      for (int l = 0; l < 16; ++l)
        levels[size_t(16 * s + l)] = quint8(clampInt(nearestInt(x[16 * s + l] / dl), -4, 3) + 4);
    }
    for (int v = 0; v < kSuper; ++v)
      if (levels[size_t(v)] > 3) {
        out[v % 32] |= std::byte(1 << (v / 32));
        levels[size_t(v)] = quint8(levels[size_t(v)] - 4);
      }
    packTwoBitPlane(levels.data(), out + 32);
  }
}
qint64 firstNonFiniteQ3_K(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<256, 110, 108, 1>(in, values);
}

namespace {

// Q4_K and Q5_K share the scale search: eight 32-value sub-blocks, weights av + |x|, then 6-bit
// scales and minimums under d = max scale / 63 and dmin = max min / 63. Fills out[0..15] (d,
// dmin, scales) and the requantized levels 0..nmax.
void quantizeScaleMinSuperBlock(const float* x, int nmax, float rmin, float rdelta, int nstep, std::byte* out,
                                quint8* levels) {
  std::array<float, 8> scales{}, mins{};
  std::array<float, 32> weights{};
  float maxScale = 0, maxMin = 0;
  for (int s = 0; s < 8; ++s) {
    const float* xs = x + 32 * s;
    float sumSquares = 0;
    for (int l = 0; l < 32; ++l) sumSquares += xs[l] * xs[l];
    const float average = std::sqrt(sumSquares / 32);
    for (int l = 0; l < 32; ++l) weights[size_t(l)] = average + std::fabs(xs[l]);
    scales[size_t(s)] = fitScaleAndMin(32, nmax, xs, weights.data(), levels + 32 * s, &mins[size_t(s)], rmin,
                                       rdelta, nstep, false);
    maxScale = std::max(maxScale, scales[size_t(s)]);
    maxMin = std::max(maxMin, mins[size_t(s)]);
  }
  std::fill(out + 4, out + 16, std::byte(0));
  const float scaleStep = maxScale > 0 ? 63.0f / maxScale : 0.0f,
              minStep = maxMin > 0 ? 63.0f / maxMin : 0.0f;
  for (int s = 0; s < 8; ++s)
    packScaleMinK4(s, std::min(63, nearestInt(scaleStep * scales[size_t(s)])),
                   std::min(63, nearestInt(minStep * mins[size_t(s)])), out + 4);
  storeHalf(out, maxScale / 63.0f);
  storeHalf(out + 2, maxMin / 63.0f);
  const float d = loadHalf(out), dmin = loadHalf(out + 2);
  for (int s = 0; s < 8; ++s) {
    int sc, m;
    scaleMinK4(s, out + 4, &sc, &m);
    const float dl = d * float(sc);
    if (dl == 0) continue;
    const float ml = dmin * float(m);
    for (int l = 0; l < 32; ++l)
      levels[32 * s + l] = quint8(clampInt(nearestInt((x[32 * s + l] + ml) / dl), 0, nmax));
  }
}

}  // namespace

// ---- Q4_K {d, dmin, scales[12], qs[128]} (144 bytes): eight 32-value sub-blocks, x = d * sc * q -
// dmin * m; bytes 32k..32k+31 of qs hold sub-block 2k in their low nibbles, 2k+1 in their high.
void dequantizeQ4_K(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, in += 144, out += kSuper) {
    const float d = loadHalf(in), dmin = loadHalf(in + 2);
    for (int s = 0; s < 8; ++s) {
      int sc, m;
      scaleMinK4(s, in + 4, &sc, &m);
      const float dl = d * float(sc), ml = dmin * float(m);
      const std::byte* q = in + 16 + 32 * (s / 2);
      const int shift = 4 * (s % 2);
      for (int l = 0; l < 32; ++l) out[32 * s + l] = dl * float((byteAt(q, l) >> shift) & 15) - ml;
    }
  }
}
void quantizeQ4_K(const float* x, std::byte* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, x += kSuper, out += 144) {
    std::array<quint8, kSuper> levels{};
    quantizeScaleMinSuperBlock(x, 15, -1.0f, 0.1f, 20, out, levels.data());
    for (int k = 0; k < 4; ++k)
      for (int l = 0; l < 32; ++l)
        out[16 + 32 * k + l] = std::byte(levels[size_t(64 * k + l)] | levels[size_t(64 * k + 32 + l)] << 4);
  }
}
qint64 firstNonFiniteQ4_K(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<256, 144, 0, 2>(in, values);
}

// ---- Q5_K {d, dmin, scales[12], qh[32], qs[128]} (176 bytes): as Q4_K plus a fifth bit: value
// 32s + l takes bit s of qh[l].
void dequantizeQ5_K(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, in += 176, out += kSuper) {
    const float d = loadHalf(in), dmin = loadHalf(in + 2);
    for (int s = 0; s < 8; ++s) {
      int sc, m;
      scaleMinK4(s, in + 4, &sc, &m);
      const float dl = d * float(sc), ml = dmin * float(m);
      const std::byte* q = in + 48 + 32 * (s / 2);
      const int shift = 4 * (s % 2);
      for (int l = 0; l < 32; ++l) {
        const int level = ((byteAt(q, l) >> shift) & 15) | ((byteAt(in, 16 + l) >> s) & 1) << 4;
        out[32 * s + l] = dl * float(level) - ml;
      }
    }
  }
}
void quantizeQ5_K(const float* x, std::byte* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, x += kSuper, out += 176) {
    std::array<quint8, kSuper> levels{};
    quantizeScaleMinSuperBlock(x, 31, -0.5f, 0.1f, 15, out, levels.data());
    std::fill(out + 16, out + 48, std::byte(0));
    for (int s = 0; s < 8; ++s)
      for (int l = 0; l < 32; ++l) out[16 + l] |= std::byte((levels[size_t(32 * s + l)] >> 4) << s);
    for (int k = 0; k < 4; ++k)
      for (int l = 0; l < 32; ++l)
        out[48 + 32 * k + l] =
            std::byte((levels[size_t(64 * k + l)] & 15) | (levels[size_t(64 * k + 32 + l)] & 15) << 4);
  }
}
qint64 firstNonFiniteQ5_K(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<256, 176, 0, 2>(in, values);
}

// ---- Q6_K {ql[128], qh[64], int8 scales[16], d} (210 bytes): sixteen 16-value sub-blocks, x = d *
// sc * (q - 32) with 6-bit q. In each 128-value half h, value 128h + 32j + l (l < 32) takes its
// low nibble from ql[64h + l + 32 (j % 2)] (high nibble when j >= 2) and its top two bits from
// qh[32h + l] at bit 2j.

void dequantizeQ6_K(const std::byte* in, float* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, in += 210, out += kSuper) {
    const float d = loadHalf(in + 208);
    for (int h = 0; h < 2; ++h)  // values 128h + 32j + l (j = 0..3), l in [16 half, 16 half + 16)
      for (int half = 0; half < 2; ++half) {
        const int first = 16 * half;
        const std::byte* ql = in + 64 * h + first;
        const std::byte* qh = in + 128 + 32 * h + first;
        float dl[4];  // d * scale of sub-block 8h + 2j + half
        for (int j = 0; j < 4; ++j) dl[j] = d * float(std::int8_t(in[192 + 8 * h + 2 * j + half]));
        float* y = out + 128 * h + first;
        for (int l = 0; l < 16; ++l) {
          const int low = byteAt(ql, l), lowNext = byteAt(ql, l + 32), high = byteAt(qh, l);
          y[l] = dl[0] * float(((low & 15) | (high & 3) << 4) - 32);
          y[l + 32] = dl[1] * float(((lowNext & 15) | ((high >> 2) & 3) << 4) - 32);
          y[l + 64] = dl[2] * float(((low >> 4) | ((high >> 4) & 3) << 4) - 32);
          y[l + 96] = dl[3] * float(((lowNext >> 4) | ((high >> 6) & 3) << 4) - 32);
        }
      }
  }
}
void quantizeQ6_K(const float* x, std::byte* out, qint64 values) {
  for (qint64 b = 0; b < values / kSuper; ++b, x += kSuper, out += 210) {
    std::array<qint8, kSuper> levels{};
    std::array<float, 16> scales{};
    float maxScale = 0, amax = 0;
    for (int s = 0; s < 16; ++s) {
      scales[size_t(s)] = fitSymmetricSearch(16, 32, x + 16 * s, levels.data() + 16 * s);
      if (std::fabs(scales[size_t(s)]) > amax) {
        amax = std::fabs(scales[size_t(s)]);
        maxScale = scales[size_t(s)];
      }
    }
    std::fill(out, out + 210, std::byte(0));
    if (amax < kAllZero) continue;  // an all-zero block
    const float iscale = -128.0f / maxScale;
    storeHalf(out + 208, 1 / iscale);
    for (int s = 0; s < 16; ++s)
      out[192 + s] = std::byte(std::int8_t(std::min(127, nearestInt(iscale * scales[size_t(s)]))));
    const float d = loadHalf(out + 208);
    for (int s = 0; s < 16; ++s) {
      const float dl = d * float(std::int8_t(out[192 + s]));
      if (dl == 0) continue;
      for (int l = 0; l < 16; ++l)
        levels[size_t(16 * s + l)] = qint8(clampInt(nearestInt(x[16 * s + l] / dl), -32, 31) + 32);
    }
    for (int v = 0; v < kSuper; ++v) {
      const int h = v / 128, j = (v % 128) / 32, l = v % 32, level = levels[size_t(v)];
      out[64 * h + l + 32 * (j % 2)] |= std::byte((level & 15) << (4 * (j / 2)));
      out[128 + 32 * h + l] |= std::byte((level >> 4) << (2 * j));
    }
  }
}
qint64 firstNonFiniteQ6_K(const std::byte* in, qint64 values) {
  return firstNonFiniteHalves<256, 210, 208, 1>(in, values);
}

}  // namespace sinkscope::types
