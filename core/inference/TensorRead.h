// Decodes a GGUF tensor's rows to float32 through the type table (TensorTypes.h), checking block
// scales first. The container itself (gguf/GgufFile.h) only locates bytes; this computes.
#pragma once

#include "gguf/GgufFile.h"

#include <vector>

namespace sinkscope {

// True when TensorTypes.h has a row (kernels) for the type.
bool ggmlTypeCanDequantize(GgmlType type);

// Dequantises rows [firstRow, firstRow + rows) of a tensor into out (rows x rowLength floats).
// Error(BadInput) naming the tensor when its type cannot be dequantised.
void dequantizeRows(const GgufFile& file, const GgufTensorInfo& info, qint64 firstRow, qint64 rows,
                    float* out);
std::vector<float> dequantize(const GgufFile& file, const GgufTensorInfo& info);  // every element, ggml order

// Error(BadInput) naming the tensor, its type and the block when a block of rows [firstRow,
// firstRow + rows) (rows < 0: to the end) has a NaN or infinite scale; dequantizeRows checks
// the rows it decodes. Reads only the scales, but touches every page of the tensor's data.
void requireFiniteScales(const GgufFile& file, const GgufTensorInfo& info, qint64 firstRow = 0,
                         qint64 rows = -1);

}  // namespace sinkscope
