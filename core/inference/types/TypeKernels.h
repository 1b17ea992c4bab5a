// The kernels behind the rows of TensorTypes.h's table, one family a source file: plain floats,
// the 32-value "legacy" quants, the 256-value K-quants and the non-linear IQ4 quants. Not a
// table itself (TensorTypes.cpp is the only place a type is listed) and not for direct use.
#pragma once

#include <QtGlobal>
#include <cstddef>

namespace sinkscope::types {

// Every kernel takes a whole number of blocks; layouts and sources: docs/tensor-types.md.
#define SINKSCOPE_TYPE_KERNELS(Name)                                         \
  void dequantize##Name(const std::byte* blocks, float* out, qint64 values); \
  void quantize##Name(const float* in, std::byte* blocks, qint64 values);    \
  qint64 firstNonFinite##Name(const std::byte* blocks, qint64 values)

// FloatTypes.cpp: one value a block, no scales (firstNonFinite is always -1).
SINKSCOPE_TYPE_KERNELS(F32);
SINKSCOPE_TYPE_KERNELS(F16);
SINKSCOPE_TYPE_KERNELS(BF16);
// LegacyQuants.cpp: 32 values a block, one fp16 scale (and a minimum for the _1 types).
SINKSCOPE_TYPE_KERNELS(Q4_0);
SINKSCOPE_TYPE_KERNELS(Q4_1);
SINKSCOPE_TYPE_KERNELS(Q5_0);
SINKSCOPE_TYPE_KERNELS(Q5_1);
SINKSCOPE_TYPE_KERNELS(Q8_0);
// KQuants.cpp: 256-value super-blocks with quantized sub-block scales.
SINKSCOPE_TYPE_KERNELS(Q2_K);
SINKSCOPE_TYPE_KERNELS(Q3_K);
SINKSCOPE_TYPE_KERNELS(Q4_K);
SINKSCOPE_TYPE_KERNELS(Q5_K);
SINKSCOPE_TYPE_KERNELS(Q6_K);
// IQ4Quants.cpp: 4-bit indices into a fixed non-linear table of 16 values.
SINKSCOPE_TYPE_KERNELS(IQ4_NL);
SINKSCOPE_TYPE_KERNELS(IQ4_XS);

#undef SINKSCOPE_TYPE_KERNELS

}  // namespace sinkscope::types
