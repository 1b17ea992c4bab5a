#include "inference/Tokenizer.h"

#include "common/Error.h"
#include "inference/BpeTokenizer.h"

#include <QByteArrayView>
#include <QRegularExpression>
#include <algorithm>
#include <queue>

namespace sinkscope {

namespace {

const QByteArray kSpaceMark = QByteArrayLiteral("\xE2\x96\x81");  // U+2581 LOWER ONE EIGHTH BLOCK

int utf8Length(uchar lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;  // stray continuation byte: one symbol of its own
}

struct Symbol {
  int start = 0;   // byte offset in the normalised text
  int length = 0;  // bytes; 0 once merged into its left neighbour
  int previous = -1;
  int next = -1;
};

struct Bigram {
  float score;
  int left;  // symbol index
  int mergedLength;
  bool operator<(const Bigram& other) const {  // max-heap: highest score, then leftmost
    if (score != other.score) return score < other.score;
    return left > other.left;
  }
};

}  // namespace

std::unique_ptr<Tokenizer> tokenizerFromGguf(const GgufFile& file) {
  const QString model = file.requireString(QStringLiteral("tokenizer.ggml.model"));
  if (model == QLatin1String("llama"))
    return std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::fromGguf(file));
  if (model == QLatin1String("gpt2")) return std::make_unique<BpeTokenizer>(BpeTokenizer::fromGguf(file));
  throw Error(
      ErrorKind::BadInput, file.source(), QStringLiteral("tokenizer.ggml.model"),
      QStringLiteral("'%1' is not supported (only 'llama', SentencePiece, and 'gpt2', byte-level BPE)")
          .arg(model))
      .withRemedy(kMeasureTokenIdsRemedy, kTokenIdsField);
}

std::vector<int> SentencePieceTokenizer::tokenize(const QString& text, const TokenizeOptions& options) const {
  return encode(text, options.addBos, options.parseSpecial);
}

SentencePieceTokenizer SentencePieceTokenizer::fromGguf(const GgufFile& file) {
  const QString model = file.requireString(QStringLiteral("tokenizer.ggml.model"));
  if (model != QLatin1String("llama"))
    throw Error(ErrorKind::BadInput, file.source(), QStringLiteral("tokenizer.ggml.model"),
                QStringLiteral("'%1' is not supported (only 'llama' SentencePiece BPE)").arg(model))
        .withRemedy(kMeasureTokenIdsRemedy, kTokenIdsField);
  SentencePieceTokenizer tokenizer;
  const QStringList tokens =
      file.stringArray(QStringLiteral("tokenizer.ggml.tokens")).value_or(QStringList());
  if (tokens.isEmpty())
    throwBadInput(file.source(), QStringLiteral("tokenizer.ggml.tokens"), QStringLiteral("missing or empty"));
  const std::vector<double> scores = file.numberArray(QStringLiteral("tokenizer.ggml.scores"))
                                         .value_or(std::vector<double>(size_t(tokens.size()), 0.0));
  if (scores.size() != size_t(tokens.size()))
    throwBadInput(file.source(), QStringLiteral("tokenizer.ggml.scores"),
                  QStringLiteral("%1 scores for %2 tokens").arg(scores.size()).arg(tokens.size()));
  const std::vector<qint64> types = file.integerArray(QStringLiteral("tokenizer.ggml.token_type"))
                                        .value_or(std::vector<qint64>(size_t(tokens.size()), 1));
  if (types.size() != size_t(tokens.size()))
    throwBadInput(file.source(), QStringLiteral("tokenizer.ggml.token_type"),
                  QStringLiteral("%1 types for %2 tokens").arg(types.size()).arg(tokens.size()));
  std::fill(std::begin(tokenizer.byteTokenIds_), std::end(tokenizer.byteTokenIds_), -1);
  static const QRegularExpression bytePattern(QStringLiteral("^<0x([0-9A-Fa-f]{2})>$"));
  for (qsizetype id = 0; id < tokens.size(); ++id) {
    const QByteArray piece = tokens[id].toUtf8();
    tokenizer.pieces_.push_back(piece);
    tokenizer.scores_.push_back(float(scores[size_t(id)]));
    tokenizer.types_.push_back(int(types[size_t(id)]));
    if (!tokenizer.idOfPiece_.contains(piece)) tokenizer.idOfPiece_.insert(piece, int(id));
    if (types[size_t(id)] == 6) {
      const auto match = bytePattern.match(tokens[id]);
      if (match.hasMatch()) tokenizer.byteTokenIds_[match.captured(1).toInt(nullptr, 16)] = int(id);
    }
  }
  const int vocab = int(tokens.size());
  auto specialId = [&](const char* key, int fallback) {
    const qint64 id = file.integer(QString::fromLatin1(key)).value_or(fallback);
    if (id < 0 || id >= vocab)
      throwBadInput(file.source(), QString::fromLatin1(key),
                    QStringLiteral("%1 is outside the vocabulary").arg(id));
    return int(id);
  };
  tokenizer.bosId_ = specialId("tokenizer.ggml.bos_token_id", 1);
  tokenizer.eosId_ = specialId("tokenizer.ggml.eos_token_id", 2);
  tokenizer.unknownId_ = specialId("tokenizer.ggml.unknown_token_id", 0);
  tokenizer.addBos_ = file.boolean(QStringLiteral("tokenizer.ggml.add_bos_token")).value_or(true);
  tokenizer.addSpacePrefix_ = file.boolean(QStringLiteral("tokenizer.ggml.add_space_prefix")).value_or(true);
  tokenizer.specialTokens_ = SpecialTokenMatcher(tokenizer.pieces_, tokenizer.types_);
  return tokenizer;
}

// As llama.cpp's SPM path: special tokens are cut out first (SpecialTokens.h), and a stretch of
// text gets the leading space when it starts the text or follows a special token.
std::vector<int> SentencePieceTokenizer::encode(const QString& text, bool addBos, bool parseSpecial) const {
  const QByteArray utf8 = text.toUtf8();
  std::vector<int> ids;
  if (addBos && addBos_) ids.push_back(bosId_);
  bool afterSpecial = true;
  for (const TextFragment& fragment : specialTokens_.split(utf8, parseSpecial)) {
    if (fragment.tokenId >= 0) {
      ids.push_back(fragment.tokenId);
      afterSpecial = true;
      continue;
    }
    encodeStretch(utf8.sliced(fragment.begin, fragment.end - fragment.begin), addSpacePrefix_ && afterSpecial,
                  ids);
    afterSpecial = false;
  }
  return ids;
}

void SentencePieceTokenizer::encodeStretch(const QByteArray& text, bool spacePrefix,
                                           std::vector<int>& ids) const {
  QByteArray normalised = text;
  if (spacePrefix) normalised.prepend(' ');
  normalised.replace(' ', kSpaceMark);

  // Initial symbols: one per UTF-8 character, linked in a list.
  std::vector<Symbol> symbols;
  for (int offset = 0; offset < normalised.size();) {
    const int length = std::min(utf8Length(uchar(normalised[offset])), int(normalised.size()) - offset);
    symbols.push_back({offset, length, int(symbols.size()) - 1, int(symbols.size()) + 1});
    offset += length;
  }
  if (!symbols.empty()) symbols.back().next = -1;

  std::priority_queue<Bigram> queue;
  auto tryPair = [&](int left) {
    if (left < 0 || symbols[size_t(left)].next < 0) return;
    const Symbol& a = symbols[size_t(left)];
    const Symbol& b = symbols[size_t(a.next)];
    const auto found =
        idOfPiece_.constFind(QByteArray::fromRawData(normalised.constData() + a.start, a.length + b.length));
    if (found == idOfPiece_.constEnd()) return;
    queue.push({scores_[size_t(*found)], left, a.length + b.length});
  };
  for (int i = 0; i + 1 < int(symbols.size()); ++i) tryPair(i);
  while (!queue.empty()) {
    const Bigram top = queue.top();
    queue.pop();
    Symbol& left = symbols[size_t(top.left)];
    if (left.length == 0 || left.next < 0) continue;
    Symbol& right = symbols[size_t(left.next)];
    if (left.length + right.length != top.mergedLength) continue;  // stale entry
    left.length += right.length;
    right.length = 0;
    left.next = right.next;
    if (left.next >= 0) symbols[size_t(left.next)].previous = top.left;
    tryPair(left.previous);
    tryPair(top.left);
  }

  for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[size_t(i)].next) {
    const Symbol& symbol = symbols[size_t(i)];
    const QByteArray piece = QByteArray::fromRawData(normalised.constData() + symbol.start, symbol.length);
    const auto found = idOfPiece_.constFind(piece);
    if (found != idOfPiece_.constEnd()) {
      ids.push_back(*found);
      continue;
    }
    for (char byte : piece) {  // byte fallback
      const int id = byteTokenIds_[uchar(byte)];
      ids.push_back(id >= 0 ? id : unknownId_);
    }
  }
}

QString SentencePieceTokenizer::piece(int id) const {
  return id >= 0 && id < vocabSize() ? QString::fromUtf8(pieces_[size_t(id)]) : QString();
}

QString SentencePieceTokenizer::decode(const std::vector<int>& ids) const {
  QByteArray bytes;
  for (int id : ids) {
    if (id < 0 || id >= vocabSize() || id == bosId_ || id == eosId_) continue;
    if (types_[size_t(id)] == 6) {
      const int byte =
          int(std::find(std::begin(byteTokenIds_), std::end(byteTokenIds_), id) - std::begin(byteTokenIds_));
      if (byte < 256) bytes.append(char(byte));
      continue;
    }
    if (types_[size_t(id)] == 3) continue;  // control tokens carry no text
    bytes.append(pieces_[size_t(id)]);
  }
  bytes.replace(kSpaceMark, " ");
  if (addSpacePrefix_ && bytes.startsWith(' ')) bytes.remove(0, 1);
  return QString::fromUtf8(bytes);
}

namespace {

// What separates token ids in a token file: ASCII white space (as QByteArray::simplified) and commas.
bool separatesTokenIds(char c) {
  return c == ',' || c == ' ' || (c >= '\t' && c <= '\r');
}

}  // namespace

// Reads the ids in place: no list of parts, so a 16 MiB file costs its ids (4 bytes each, at most
// one per 2 bytes of file) instead of a copy per id (docs/limits.md, "Threat model").
std::vector<int> parseTokenIds(const QByteArray& text, const QString& source, int vocabSize) {
  std::vector<int> ids;
  const QByteArrayView all(text);
  for (qsizetype at = 0, end = 0; at < all.size(); at = end) {
    while (at < all.size() && separatesTokenIds(all[at])) ++at;
    for (end = at; end < all.size() && !separatesTokenIds(all[end]);) ++end;
    if (end == at) break;
    const QByteArrayView part = all.sliced(at, end - at);
    bool ok = false;
    const qlonglong id = part.toLongLong(&ok);
    if (!ok || id < 0 || id >= vocabSize)
      throwBadInput(source, QStringLiteral("token %1").arg(ids.size()),
                    QStringLiteral("'%1' is not a token id in [0, %2)")
                        .arg(QString::fromUtf8(part.first(std::min<qsizetype>(40, part.size()))))
                        .arg(vocabSize));
    ids.push_back(int(id));
  }
  if (ids.empty()) throwBadInput(source, QStringLiteral("tokens"), QStringLiteral("no token ids"));
  return ids;
}

}  // namespace sinkscope
