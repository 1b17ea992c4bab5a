// Which catalogue model a GGUF file holds: the same architecture (as llama.cpp's converter names
// it) and the same shape, ranked by its RoPE settings. Not an import (GgufImport.h); reads no weights.
#pragma once

#include "catalog/ModelSpec.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace sinkscope {

class GgufFile;

struct CatalogueMatch {
  const ModelSpec* model = nullptr;  // the best match (a catalogue entry), null when none
  QStringList alsoMatching;          // ids of the other catalogue models of the same shape
  ModelSpec file;                    // what the file says (modelSpecFromGguf)
};

// The general.architecture llama.cpp's converter writes for a model: "mistral" and "mixtral" become
// "llama", "gemma3_text" "gemma3", "deepseek_v2"/"deepseek_v3" "deepseek2"; others keep their name.
QString ggufArchitectureFor(const ModelSpec& model);

// The RoPE scaling a file carries: rope.scaling.type, else "llama3" for a rope_freqs.weight tensor
// (Llama 3.x, docs/catalog.md), else empty.
QString ggufRopeScalingType(const GgufFile& file, const ModelSpec& fileSpec);

// What tells the file's shape from the model's, one entry per field ("layers: 24 in the file, 26"),
// in the order architecture, layers, embedding, heads, KV heads, FFN, vocabulary, experts; empty
// when the two are the same shape.
QStringList shapeDifferences(const ModelSpec& fileSpec, const ModelSpec& model);

// A shape in words: "gemma2, 26 layers, embedding 2,304, 8 heads (4 KV), FFN 9,216, vocabulary 256,000".
QString shapeText(const ModelSpec& spec);

// The catalogue model the file is: every model of the same shape, the best first: the one whose
// RoPE base and scaling type agree with the file's (catalogue order breaks ties). Error(BadInput)
// naming the file and key when its metadata is unreadable.
CatalogueMatch matchCatalogueModel(const GgufFile& file, const std::vector<ModelSpec>& catalogue);

}  // namespace sinkscope
