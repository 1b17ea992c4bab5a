// Builds a GGUF vocabulary from a Hugging Face tokenizer.json the way llama.cpp's converter does
// (tokens by id, token types, merges, special ids, pre-tokenizer name), around a llama header
// that llama.cpp can load vocabulary-only. Not a model converter: no weights are written.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace sinkscope::test {

struct HfVocabulary {
  QStringList tokens;         // by id; ids missing from the file become "[PAD<id>]"
  std::vector<qint32> types;  // 1 normal, 3 control, 4 user-defined, 5 unused (padding)
  QStringList merges;         // "A B", rank = index
  QString error;              // non-empty when the file could not be read
};

// convert_hf_to_gguf.py's get_vocab_base: model.vocab and added_tokens by id; an added token is
// control when marked special or when it looks special (<|...|>), else user-defined.
HfVocabulary readHfTokenizerJson(const QString& path);

struct VocabularyKeys {
  QString pre;                 // tokenizer.ggml.pre
  std::optional<int> bosId;    // tokenizer.ggml.bos_token_id
  std::optional<int> eosId;    // tokenizer.ggml.eos_token_id
  std::optional<bool> addBos;  // tokenizer.ggml.add_bos_token (absent when unset)
};

QByteArray hfVocabularyGguf(const HfVocabulary& vocabulary, const VocabularyKeys& keys);

// A SentencePiece-style ("llama" tokenizer model) GGUF vocabulary from a tokenizer.json whose model
// is SentencePiece BPE with byte fallback (Gemma): pieces <0xXX> typed byte (6), the unk token
// unknown (2); scores -id, since a SentencePiece BPE model ranks its pieces by id and
// tokenizer.json keeps no scores; tokenizer.ggml.add_space_prefix as given (Gemma: false).
QByteArray sentencePieceVocabularyGguf(const HfVocabulary& vocabulary, const VocabularyKeys& keys, int unkId,
                                       bool addSpacePrefix);

}  // namespace sinkscope::test
