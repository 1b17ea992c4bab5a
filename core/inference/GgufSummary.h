// A one-line description of an opened GGUF for the window and the terminal: file type, size,
// tensors per type, architecture, layers. Not a validator: it reads what the file says.
#pragma once

#include <QString>

namespace sinkscope {

class GgufFile;

// The name llama.cpp gives a general.file_type value (llama.h's llama_ftype: 15 -> "Q4_K_M");
// empty for a value it does not name (docs/measured-mode.md lists them).
QString ggufFileTypeName(qint64 fileType);

// "Q4_K_M · 4.07 GiB · 226 Q4_K, 33 Q6_K, 65 F32 tensors · llama · 32 layers": the file type
// (left out when general.file_type is absent or unknown), the file size in GiB, the tensor count
// of each type (quantized types first, then F32/F16/BF16, each group by count, most first), the
// architecture and <arch>.block_count (each left out when absent).
QString describeGguf(const GgufFile& file);

// "File 4.07 GiB against the plan's 3.52 GiB of weights for Llama 2 7B in q4_k_m (1.16x)": the
// file's real size beside the planner's weight memory for a catalogue model, sizes in GiB
// (2^30 bytes) with two decimals, the ratio file / plan with two.
QString fileSizeAgainstPlannedWeights(qint64 fileBytes, qint64 plannedWeightBytes, const QString& modelName,
                                      const QString& weightsDtype);

}  // namespace sinkscope
