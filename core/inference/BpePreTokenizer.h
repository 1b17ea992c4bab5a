// Splits text into the words that byte-level BPE merges inside, the way llama.cpp's
// pre-tokenizers do (llama-bpe, qwen2, smollm, gpt-2, default; docs/measured-mode.md).
// Not the merging (BpeTokenizer.h) and not special-token matching.
#pragma once

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace sinkscope {

enum class BpePreTokenizer { Llama3, Qwen2, Smollm, Gpt2, Default };

struct BpePreTokenizerSettings {
  BpePreTokenizer kind = BpePreTokenizer::Default;
  bool ignoreMerges = false;     // a word that is itself a token is emitted whole (llama-bpe)
  bool addBosByDefault = false;  // when tokenizer.ggml.add_bos_token is absent
};

// The settings llama.cpp gives a tokenizer.ggml.pre name (aliases included); nullopt when the
// name is not one SinkScope supports.
std::optional<BpePreTokenizerSettings> bpePreTokenizerNamed(const QString& name);
QStringList supportedBpePreTokenizerNames();

// The words of the text as code-point lengths, in order, summing to codePoints.size().
std::vector<int> splitIntoWords(BpePreTokenizer kind, const std::vector<char32_t>& codePoints);

}  // namespace sinkscope
