#include "inference/BpeTokenizer.h"

#include "common/Error.h"
#include "inference/Utf8Text.h"

#include <algorithm>
#include <array>
#include <queue>

namespace sinkscope {

namespace {

constexpr int kUnknown = 2, kControl = 3, kUserDefined = 4;

const std::array<char32_t, 256>& byteCharacters() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> map{};
    char32_t next = 0x100;
    for (int byte = 0; byte < 256; ++byte) {
      const bool printable =
          (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE);
      map[size_t(byte)] = printable ? char32_t(byte) : next++;
    }
    return map;
  }();
  return table;
}

// The byte a byte-level character stands for, or -1.
int byteOfCharacter(char32_t character) {
  static const QHash<char32_t, int> reverse = [] {
    QHash<char32_t, int> map;
    for (int byte = 0; byte < 256; ++byte) map.insert(byteCharacters()[size_t(byte)], byte);
    return map;
  }();
  return reverse.value(character, -1);
}

quint64 pairKey(int left, int right) {
  return (quint64(quint32(left)) << 32) | quint32(right);
}

QString shortText(const QByteArray& utf8) {
  const QString text = QString::fromUtf8(utf8);
  return text.size() > 40 ? text.left(40) + QStringLiteral("...") : text;
}

struct Bigram {
  int rank;
  int left;   // symbol index
  int right;  // symbol index
  int leftId;
  int rightId;
  bool operator<(const Bigram& other) const {  // priority_queue top: lowest rank, then leftmost
    if (rank != other.rank) return rank > other.rank;
    return left > other.left;
  }
};

struct Symbol {
  int id;  // token id, -1 for a byte whose character is not in the vocabulary
  int previous;
  int next;
  bool alive = true;
};

}  // namespace

char32_t byteToBpeCharacter(uchar byte) {
  return byteCharacters()[byte];
}

BpeTokenizer BpeTokenizer::fromGguf(const GgufFile& file) {
  BpeTokenizer tokenizer;
  tokenizer.preName_ = file.string(QStringLiteral("tokenizer.ggml.pre")).value_or(QStringLiteral("default"));
  const auto pre = bpePreTokenizerNamed(tokenizer.preName_);
  if (!pre)
    throw Error(ErrorKind::BadInput, file.source(), QStringLiteral("tokenizer.ggml.pre"),
                QStringLiteral("pre-tokenizer '%1' is not supported (supported: %2)")
                    .arg(tokenizer.preName_, supportedBpePreTokenizerNames().join(QStringLiteral(", "))))
        .withRemedy(kMeasureTokenIdsRemedy, kTokenIdsField);
  tokenizer.pre_ = *pre;
  tokenizer.readVocabulary(file);
  tokenizer.readMerges(file);
  tokenizer.readSpecialIds(file);
  return tokenizer;
}

void BpeTokenizer::readVocabulary(const GgufFile& file) {
  const QString tokensKey = QStringLiteral("tokenizer.ggml.tokens");
  const QStringList tokens = file.stringArray(tokensKey).value_or(QStringList());
  if (tokens.isEmpty()) throwBadInput(file.source(), tokensKey, QStringLiteral("missing or empty"));
  const std::vector<qint64> types = file.integerArray(QStringLiteral("tokenizer.ggml.token_type"))
                                        .value_or(std::vector<qint64>(size_t(tokens.size()), 1));
  if (types.size() != size_t(tokens.size()))
    throwBadInput(file.source(), QStringLiteral("tokenizer.ggml.token_type"),
                  QStringLiteral("%1 types for %2 tokens").arg(types.size()).arg(tokens.size()));
  tokens_.reserve(size_t(tokens.size()));
  idOfToken_.reserve(tokens.size());
  for (qsizetype id = 0; id < tokens.size(); ++id) {
    QByteArray text = tokens[id].toUtf8();
    if (text.isEmpty()) throwBadInput(file.source(), tokensKey, QStringLiteral("token %1 is empty").arg(id));
    const auto earlier = idOfToken_.constFind(text);
    if (earlier != idOfToken_.constEnd())
      throwBadInput(
          file.source(), tokensKey,
          QStringLiteral("token %1 '%2' duplicates token %3").arg(id).arg(shortText(text)).arg(*earlier));
    idOfToken_.insert(text, int(id));
    const int type = int(types[size_t(id)]);
    types_.push_back(SpecialTokenMatcher::isControlByName(text) ? kControl : type);
    tokens_.push_back(std::move(text));
  }
  specialTokens_ = SpecialTokenMatcher(tokens_, types_);
  for (int byte = 0; byte < 256; ++byte) {
    QByteArray character;
    appendUtf8(character, byteToBpeCharacter(uchar(byte)));
    byteTokenIds_[byte] = idOfToken_.value(character, -1);
  }
}

void BpeTokenizer::readMerges(const GgufFile& file) {
  const QString key = QStringLiteral("tokenizer.ggml.merges");
  const auto merges = file.stringArray(key);
  if (!merges) throwBadInput(file.source(), key, QStringLiteral("missing (byte-level BPE needs its merges)"));
  merges_.reserve(merges->size());
  for (qsizetype rank = 0; rank < merges->size(); ++rank) {
    const QByteArray merge = (*merges)[rank].toUtf8();
    const qsizetype space = merge.indexOf(' ', 1);  // as llama.cpp: the first space after the first byte
    if (space < 0)
      throwBadInput(file.source(), key,
                    QStringLiteral("merge %1 '%2' is not two tokens separated by a space")
                        .arg(rank)
                        .arg(shortText(merge)));
    const QByteArray left = merge.left(space), right = merge.mid(space + 1);
    const int leftId = idOfToken_.value(left, -1), rightId = idOfToken_.value(right, -1);
    const int resultId = idOfToken_.value(left + right, -1);
    for (const auto& [part, id] :
         {std::pair{left, leftId}, std::pair{right, rightId}, std::pair{left + right, resultId}})
      if (id < 0)
        throwBadInput(file.source(), key,
                      QStringLiteral("merge %1 '%2' names '%3', which is not a token")
                          .arg(rank)
                          .arg(shortText(merge), shortText(part)));
    if (!merges_.contains(pairKey(leftId, rightId)))  // the first of duplicates wins, as in llama.cpp
      merges_.insert(pairKey(leftId, rightId), MergeRule{int(rank), resultId});
  }
}

void BpeTokenizer::readSpecialIds(const GgufFile& file) {
  const auto specialId = [&](const QString& key) {
    const std::optional<qint64> id = file.integer(key);
    if (id && (*id < 0 || *id >= vocabSize()))
      throwBadInput(file.source(), key,
                    QStringLiteral("%1 is outside the vocabulary of %2 tokens").arg(*id).arg(vocabSize()));
    return id ? int(*id) : -1;
  };
  bosId_ = specialId(QStringLiteral("tokenizer.ggml.bos_token_id"));
  eosId_ = specialId(QStringLiteral("tokenizer.ggml.eos_token_id"));
  addBos_ = file.boolean(QStringLiteral("tokenizer.ggml.add_bos_token")).value_or(pre_.addBosByDefault);
  if (addBos_ && bosId_ < 0)
    throwBadInput(
        file.source(), QStringLiteral("tokenizer.ggml.bos_token_id"),
        QStringLiteral(
            "missing, but the vocabulary asks for a BOS token (add_bos_token, or pre-tokenizer '%1')")
            .arg(preName_));
}

QString BpeTokenizer::description() const {
  return QStringLiteral("byte-level BPE (pre-tokenizer %1)").arg(preName_);
}

std::vector<int> BpeTokenizer::tokenize(const QString& text, const TokenizeOptions& options) const {
  const QByteArray utf8 = text.toUtf8();
  std::vector<int> ids;
  ids.reserve(size_t(utf8.size() / 3 + 2));
  if (options.addBos && addBos_) ids.push_back(bosId_);
  for (const TextFragment& fragment : specialTokens_.split(utf8, options.parseSpecial)) {
    if (fragment.tokenId >= 0)
      ids.push_back(fragment.tokenId);
    else
      encodeText(utf8.sliced(fragment.begin, fragment.end - fragment.begin), ids);
  }
  return ids;
}

void BpeTokenizer::encodeText(const QByteArray& text, std::vector<int>& ids) const {
  const std::vector<char32_t> codePoints = utf8CodePoints(text);
  size_t start = 0;
  QByteArray encoded;
  std::vector<int> symbols;
  for (int length : splitIntoWords(pre_.kind, codePoints)) {
    encoded.clear();
    symbols.clear();
    QByteArray bytes;
    for (size_t i = start; i < start + size_t(length); ++i) appendUtf8(bytes, codePoints[i]);
    for (char byte : bytes) {
      appendUtf8(encoded, byteToBpeCharacter(uchar(byte)));
      symbols.push_back(byteTokenIds_[uchar(byte)]);
    }
    start += size_t(length);
    if (pre_.ignoreMerges) {
      const auto whole = idOfToken_.constFind(encoded);
      if (whole != idOfToken_.constEnd()) {
        ids.push_back(*whole);
        continue;
      }
    }
    encodeWord(symbols, ids);
  }
}

const BpeTokenizer::MergeRule* BpeTokenizer::findMerge(int left, int right) const {
  if (left < 0 || right < 0) return nullptr;
  const auto found = merges_.constFind(pairKey(left, right));
  return found == merges_.constEnd() ? nullptr : &*found;
}

// Merges the lowest-ranked adjacent pair first (ties: leftmost), as llm_tokenizer_bpe_session.
// A byte whose character is not in the vocabulary can take part in no merge and yields no token.
void BpeTokenizer::encodeWord(const std::vector<int>& symbolIds, std::vector<int>& ids) const {
  std::vector<Symbol> symbols(symbolIds.size());
  for (size_t i = 0; i < symbols.size(); ++i)
    symbols[i] = {symbolIds[i], int(i) - 1, i + 1 < symbols.size() ? int(i) + 1 : -1};
  std::priority_queue<Bigram> queue;
  const auto consider = [&](int left) {
    if (left < 0 || symbols[size_t(left)].next < 0) return;
    const int right = symbols[size_t(left)].next;
    if (const MergeRule* rule = findMerge(symbols[size_t(left)].id, symbols[size_t(right)].id))
      queue.push({rule->rank, left, right, symbols[size_t(left)].id, symbols[size_t(right)].id});
  };
  for (int i = 0; i + 1 < int(symbols.size()); ++i) consider(i);
  while (!queue.empty()) {
    const Bigram top = queue.top();
    queue.pop();
    Symbol& left = symbols[size_t(top.left)];
    Symbol& right = symbols[size_t(top.right)];
    if (!left.alive || !right.alive || left.next != top.right || left.id != top.leftId ||
        right.id != top.rightId)
      continue;
    left.id = findMerge(top.leftId, top.rightId)->result;
    right.alive = false;
    left.next = right.next;
    if (left.next >= 0) symbols[size_t(left.next)].previous = top.left;
    consider(left.previous);
    consider(top.left);
  }
  for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[size_t(i)].next)
    if (symbols[size_t(i)].id >= 0) ids.push_back(symbols[size_t(i)].id);
}

QString BpeTokenizer::decode(const std::vector<int>& ids) const {
  QByteArray bytes;
  for (int id : ids) {
    if (id < 0 || id >= vocabSize()) continue;
    const int type = types_[size_t(id)];
    if (type == kControl || type == kUnknown) continue;
    if (type == kUserDefined) {
      bytes += tokens_[size_t(id)];
      continue;
    }
    for (char32_t character : utf8CodePoints(tokens_[size_t(id)])) {
      const int byte = byteOfCharacter(character);
      if (byte >= 0)
        bytes.append(char(byte));
      else
        appendUtf8(bytes, character);
    }
  }
  return QString::fromUtf8(bytes);
}

}  // namespace sinkscope
