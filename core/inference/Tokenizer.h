// Turns text into token ids with the tokenizer a GGUF file names (tokenizer.ggml.model: "llama"
// SentencePiece here, "gpt2" byte-level BPE in BpeTokenizer.h), and ids back into text.
// Not a chat template and not a detokenizer for display: measured mode only feeds ids in.
#pragma once

#include "gguf/GgufFile.h"
#include "inference/SpecialTokens.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <memory>
#include <vector>

namespace sinkscope {

struct TokenizeOptions {
  bool addBos = true;         // prepend BOS when the vocabulary asks for it
  bool parseSpecial = false;  // control tokens written in the text become those tokens
};

// Core's name for the measured input that needs no tokenizer: token ids given as they are. Errors
// that a tokenizer cannot get past name it as their remedy (Error::withRemedy); front ends name
// their own way to give ids.
inline const QString kTokenIdsField = QStringLiteral("token_ids");
// The remedy of such an error, %1 standing for the value.
inline const QString kMeasureTokenIdsRemedy = QStringLiteral("measure pre-tokenised ids (%1) instead");

// What measure, report --gguf and the Measured tab need of any tokenizer.
class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::vector<int> tokenize(const QString& text, const TokenizeOptions& options = {}) const = 0;
  virtual QString decode(const std::vector<int>& ids) const = 0;
  virtual int vocabSize() const = 0;
  virtual QString description() const = 0;  // e.g. "byte-level BPE (pre-tokenizer llama-bpe)"
};

// The tokenizer tokenizer.ggml.model names: "llama" (SentencePiece) or "gpt2" (byte-level BPE);
// Error(BadInput) naming the key for any other model or a malformed vocabulary.
std::unique_ptr<Tokenizer> tokenizerFromGguf(const GgufFile& file);

class SentencePieceTokenizer final : public Tokenizer {
 public:
  // Reads tokenizer.ggml.{model,tokens,scores,token_type,bos_token_id,add_bos_token,
  // add_space_prefix}; Error(BadInput) names the key when the model is not "llama" or the
  // vocabulary is malformed.
  static SentencePieceTokenizer fromGguf(const GgufFile& file);

  // User-defined tokens in the text are matched always, control tokens only with parseSpecial.
  std::vector<int> encode(const QString& text, bool addBos = true, bool parseSpecial = false) const;
  std::vector<int> tokenize(const QString& text, const TokenizeOptions& options = {}) const override;
  QString decode(const std::vector<int>& ids) const override;  // drops BOS/EOS and the leading space
  QString piece(int id) const;                                 // the vocabulary entry as stored
  int vocabSize() const override { return int(pieces_.size()); }
  QString description() const override { return QStringLiteral("SentencePiece BPE"); }
  int bosId() const { return bosId_; }
  int eosId() const { return eosId_; }

 private:
  void encodeStretch(const QByteArray& text, bool spacePrefix, std::vector<int>& ids) const;

  std::vector<QByteArray> pieces_;  // UTF-8, with U+2581 for spaces
  std::vector<float> scores_;
  std::vector<int> types_;  // 1 normal, 2 unknown, 3 control, 4 user, 5 unused, 6 byte
  QHash<QByteArray, int> idOfPiece_;
  int byteTokenIds_[256];  // <0xXX> tokens, -1 when missing
  int bosId_ = 1;
  int eosId_ = 2;
  int unknownId_ = 0;
  bool addBos_ = true;
  bool addSpacePrefix_ = true;
  SpecialTokenMatcher specialTokens_;
};

// Parses pre-tokenised ids (whitespace, comma or newline separated) and checks each id lies in
// [0, vocabSize); Error(BadInput) names the source and the offending entry.
std::vector<int> parseTokenIds(const QByteArray& text, const QString& source, int vocabSize);

}  // namespace sinkscope
