// Turns text into token ids for GGUF models whose tokenizer.ggml.model is "llama" (SentencePiece
// BPE: score-ordered merges, byte fallback, leading space, BOS), and ids back into text.
// Not gpt2-style byte-level BPE: such models are measured from pre-tokenised ids (--tokens).
#pragma once

#include "inference/GgufFile.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <vector>

namespace sinkscope {

class SentencePieceTokenizer {
 public:
  // Reads tokenizer.ggml.{model,tokens,scores,token_type,bos_token_id,add_bos_token,
  // add_space_prefix}; Error(BadInput) names the key when the model is not "llama" or the
  // vocabulary is malformed.
  static SentencePieceTokenizer fromGguf(const GgufFile& file);

  std::vector<int> encode(const QString& text, bool addBos = true) const;
  QString decode(const std::vector<int>& ids) const;  // drops BOS/EOS and the leading space
  QString piece(int id) const;                          // the vocabulary entry as stored
  int vocabSize() const { return int(pieces_.size()); }
  int bosId() const { return bosId_; }
  int eosId() const { return eosId_; }

 private:
  std::vector<QByteArray> pieces_;  // UTF-8, with U+2581 for spaces
  std::vector<float> scores_;
  std::vector<int> types_;          // 1 normal, 2 unknown, 3 control, 4 user, 5 unused, 6 byte
  QHash<QByteArray, int> idOfPiece_;
  int byteTokenIds_[256];           // <0xXX> tokens, -1 when missing
  int bosId_ = 1;
  int eosId_ = 2;
  int unknownId_ = 0;
  bool addBos_ = true;
  bool addSpacePrefix_ = true;
};

// Parses pre-tokenised ids (whitespace, comma or newline separated) and checks each id lies in
// [0, vocabSize); Error(BadInput) names the source and the offending entry.
std::vector<int> parseTokenIds(const QByteArray& text, const QString& source, int vocabSize);

}  // namespace sinkscope
