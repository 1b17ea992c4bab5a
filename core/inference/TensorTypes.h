// The ggml tensor types measured mode computes with, as one table: a row per type with its block
// size, bytes per block, decoder, encoder and dot product. Not the GGUF reader (GgufFile.h), which
// only knows every type's block layout, and not the forward pass.
#pragma once

#include "gguf/GgufFile.h"

#include <cstddef>
#include <span>

namespace sinkscope {

// One row of the table. Every function takes a whole number of blocks: `values` is a multiple
// of blockValues, and the encoded side spans values / blockValues * blockBytes bytes.
struct TensorTypeTraits {
  GgmlType type = GgmlType::F32;
  const char* name = "";
  int blockValues = 1;  // values per block (1 for plain floats, 32 or 256 for quantized types)
  int blockBytes = 4;   // bytes per encoded block
  // Decodes encoded blocks into floats.
  void (*dequantize)(const std::byte* blocks, float* out, qint64 values) = nullptr;
  // Encodes floats as llama.cpp's reference quantizer does (round to nearest, no importance
  // matrix); used by the GGUF writer and the tests. Every row has one today.
  void (*quantize)(const float* in, std::byte* blocks, qint64 values) = nullptr;
  // Dot product of one encoded row with a float vector of the same length; nullptr when the type
  // has no fused kernel, and callers dequantize a tile instead.
  float (*dot)(const std::byte* row, const float* x, qint64 values) = nullptr;
  // Index of the first block whose scales are NaN or infinite, -1 when every block is sound.
  qint64 (*firstNonFiniteBlock)(const std::byte* blocks, qint64 values) = nullptr;

  qint64 rowBytes(qint64 rowValues) const { return rowValues / blockValues * blockBytes; }
};

// The row for a type, or nullptr when measured mode cannot compute with it.
const TensorTypeTraits* tensorTypeTraits(GgmlType type);
// The types that have a row, in ggml id order (for error messages and docs).
std::span<const TensorTypeTraits> computableTensorTypes();
// "F32, F16, BF16, Q4_0, ..." for error messages.
QString computableTensorTypeNames();

}  // namespace sinkscope
