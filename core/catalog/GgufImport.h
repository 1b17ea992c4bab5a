// Builds a ModelSpec from a GGUF file's metadata (architecture-prefixed keys such as
// llama.block_count). Not the GGUF reader itself (gguf/GgufFile.h), and no weights.
#pragma once

#include "catalog/ModelSpec.h"

#include <QString>

namespace sinkscope {

class GgufFile;

// True when the file starts with the GGUF magic (or, when unreadable, ends in .gguf).
bool isGgufFile(const QString& path);

// Reads the metadata of a .gguf file. Fields the file leaves out (trained context, rope base...)
// are filled with llama.cpp's defaults and listed in defaultedFields. Error(BadInput) names the
// file and key at fault (truncated file, missing block_count, heads not divisible...).
ModelSpec importGgufMetadata(const QString& path);
ModelSpec modelSpecFromGguf(const GgufFile& file, const QString& fallbackId);

}  // namespace sinkscope
