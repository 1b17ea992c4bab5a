// The table of computable tensor types; the kernels live in core/inference/types/, one family a file.
#include "inference/TensorTypes.h"

#include "inference/types/TypeKernels.h"

#include <QStringList>
#include <vector>

namespace sinkscope {

namespace {

#define SINKSCOPE_ROW(Name, BlockValues, BlockBytes)                                                         \
  TensorTypeTraits {                                                                                         \
    GgmlType::Name, #Name, BlockValues, BlockBytes, types::dequantize##Name, types::quantize##Name, nullptr, \
        types::firstNonFinite##Name                                                                          \
  }

// Rows in ggml id order; block sizes and bytes as ggml-common.h defines them (docs/tensor-types.md).
// A new type is one row here plus its kernels in core/inference/types/.
const std::vector<TensorTypeTraits>& table() {
  static const std::vector<TensorTypeTraits> rows = {
      SINKSCOPE_ROW(F32, 1, 4),      SINKSCOPE_ROW(F16, 1, 2),        SINKSCOPE_ROW(Q4_0, 32, 18),
      SINKSCOPE_ROW(Q4_1, 32, 20),   SINKSCOPE_ROW(Q5_0, 32, 22),     SINKSCOPE_ROW(Q5_1, 32, 24),
      SINKSCOPE_ROW(Q8_0, 32, 34),   SINKSCOPE_ROW(Q2_K, 256, 84),    SINKSCOPE_ROW(Q3_K, 256, 110),
      SINKSCOPE_ROW(Q4_K, 256, 144), SINKSCOPE_ROW(Q5_K, 256, 176),   SINKSCOPE_ROW(Q6_K, 256, 210),
      SINKSCOPE_ROW(IQ4_NL, 32, 18), SINKSCOPE_ROW(IQ4_XS, 256, 136), SINKSCOPE_ROW(BF16, 1, 2),
  };
  return rows;
}

#undef SINKSCOPE_ROW

}  // namespace

const TensorTypeTraits* tensorTypeTraits(GgmlType type) {
  for (const TensorTypeTraits& traits : table())
    if (traits.type == type) return &traits;
  return nullptr;
}

std::span<const TensorTypeTraits> computableTensorTypes() {
  return table();
}

QString computableTensorTypeNames() {
  QStringList names;
  for (const TensorTypeTraits& traits : table()) names << QString::fromLatin1(traits.name);
  return names.join(QStringLiteral(", "));
}

}  // namespace sinkscope
