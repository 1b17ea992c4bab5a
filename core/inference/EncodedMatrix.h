// A weight matrix as the GGUF stores it: rows of encoded blocks inside the memory-mapped file,
// decoded through the tensor-type table (TensorTypes.h) when a product needs them. Not an owner
// of the bytes: the GgufFile that maps them must outlive every view; not a float matrix.
#pragma once

#include "inference/TensorTypes.h"

#include <QString>
#include <cstddef>

namespace sinkscope {

// rows x cols, row r encoded at data + r * rowBytes(); a GGUF tensor of shape [in, out] (ggml
// order) is an out x in matrix here, so y = W x. Each row is a whole number of blocks.
struct EncodedMatrix {
  const TensorTypeTraits* traits = nullptr;  // the row of the type table that decodes it
  const std::byte* data = nullptr;           // inside the GgufFile's map
  qint64 rows = 0;                           // output features
  qint64 cols = 0;                           // input features (the ggml row length)
  QString name;                              // the GGUF tensor name, for errors

  qint64 rowBytes() const { return traits->rowBytes(cols); }
  qint64 encodedBytes() const { return rows * rowBytes(); }
  // Decodes rows [first, first + count) into out (count x cols floats, row-major).
  void decodeRows(qint64 first, qint64 count, float* out) const {
    traits->dequantize(data + first * rowBytes(), out, count * cols);
  }
};

}  // namespace sinkscope
