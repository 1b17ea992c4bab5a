// Byte-level BPE for GGUF files whose tokenizer.ggml.model is "gpt2" (Llama 3, Qwen 2/2.5/3,
// SmolLM): special tokens, the named pre-tokenizer, GPT-2's byte-to-character map, merges by rank,
// BOS; token ids identical to llama.cpp's (docs/measured-mode.md). Not SentencePiece (Tokenizer.h).
#pragma once

#include "inference/BpePreTokenizer.h"
#include "inference/SpecialTokens.h"
#include "inference/Tokenizer.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <vector>

namespace sinkscope {

class BpeTokenizer final : public Tokenizer {
 public:
  // Reads tokenizer.ggml.{tokens,token_type,merges,pre,bos_token_id,eos_token_id,add_bos_token};
  // Error(BadInput) naming the key for an unknown pre-tokenizer, an empty or duplicate token, a
  // merge naming (or making) something that is not a token, or a BOS/EOS id outside the vocabulary.
  static BpeTokenizer fromGguf(const GgufFile& file);

  std::vector<int> tokenize(const QString& text, const TokenizeOptions& options = {}) const override;
  QString decode(const std::vector<int>& ids) const override;  // control tokens carry no text
  int vocabSize() const override { return int(tokens_.size()); }
  QString description() const override;
  int bosId() const { return bosId_; }  // -1 when the file names none
  bool addsBos() const { return addBos_; }
  const QString& preTokenizerName() const { return preName_; }

 private:
  struct MergeRule {
    int rank = 0;
    int result = 0;  // token id of the merged pair
  };

  void readVocabulary(const GgufFile& file);
  void readMerges(const GgufFile& file);
  void readSpecialIds(const GgufFile& file);
  void encodeText(const QByteArray& text, std::vector<int>& ids) const;
  void encodeWord(const std::vector<int>& symbolIds, std::vector<int>& ids) const;
  const MergeRule* findMerge(int left, int right) const;

  std::vector<QByteArray> tokens_;  // UTF-8, in the byte-to-character alphabet for normal tokens
  std::vector<int> types_;          // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
  QHash<QByteArray, int> idOfToken_;
  QHash<quint64, MergeRule> merges_;  // (left id << 32 | right id) -> rank and result
  int byteTokenIds_[256];             // token of each byte's character, -1 when missing
  SpecialTokenMatcher specialTokens_;
  BpePreTokenizerSettings pre_;
  QString preName_;
  int bosId_ = -1;
  int eosId_ = -1;
  bool addBos_ = false;
};

// GPT-2's map from a byte to the character that stands for it in byte-level vocabularies:
// 0x21-0x7E, 0xA1-0xAC and 0xAE-0xFF map to themselves, the other 68 bytes to U+0100 + n in order.
char32_t byteToBpeCharacter(uchar byte);

}  // namespace sinkscope
