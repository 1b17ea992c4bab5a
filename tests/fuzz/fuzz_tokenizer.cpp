// libFuzzer target: the tokenizers (core/inference/Tokenizer, BpeTokenizer) encoding and decoding
// arbitrary text: SentencePiece with the real stories260K vocabulary when present (else a fixture
// vocabulary), byte-level BPE with a fixture vocabulary under every supported pre-tokenizer, and
// parseTokenIds on arbitrary bytes. Not a test of particular token ids.
#include "FuzzVocabulary.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/BpeTokenizer.h"
#include "inference/Tokenizer.h"

#include <QFileInfo>
#include <cstdint>
#include <cstdio>
#include <memory>

using namespace sinkscope;

namespace {

std::unique_ptr<SentencePieceTokenizer> tokenizer;
std::vector<BpeTokenizer> bpeTokenizers;  // one per supported pre-tokenizer

// $SINKSCOPE_FUZZ_VOCAB, else ../shared/models/stories260K.gguf, else the fixture.
std::unique_ptr<SentencePieceTokenizer> loadTokenizer() {
  QString path = qEnvironmentVariable("SINKSCOPE_FUZZ_VOCAB");
  if (path.isEmpty()) path = QStringLiteral(SINKSCOPE_SOURCE_DIR "/../shared/models/stories260K.gguf");
  if (QFileInfo::exists(path)) {
    std::fprintf(stderr, "fuzz_tokenizer: vocabulary of %s\n", qPrintable(path));
    return std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::fromGguf(GgufFile(path)));
  }
  std::fprintf(stderr, "fuzz_tokenizer: fixture vocabulary (no %s)\n", qPrintable(path));
  return std::make_unique<SentencePieceTokenizer>(SentencePieceTokenizer::fromGguf(
      GgufFile(fuzz::fixtureVocabularyGguf(), QStringLiteral("fixture.gguf"))));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tokenizer = loadTokenizer();
  for (const char* pre : {"llama-bpe", "qwen2", "smollm", "gpt-2", "default"})
    bpeTokenizers.push_back(BpeTokenizer::fromGguf(GgufFile(
        fuzz::fixtureBpeVocabularyGguf(QString::fromLatin1(pre)), QStringLiteral("bpe-fixture.gguf"))));
  return 0;
}

namespace {

// Every id in range; every byte of the text comes back (the fixture has all 256 byte
// characters, and a special token decodes to its own text or, for control ones, is only
// produced when parsing specials).
void checkBpe(const BpeTokenizer& bpe, const QString& text, bool parseSpecial) {
  TokenizeOptions options;
  options.addBos = false;
  options.parseSpecial = parseSpecial;
  const std::vector<int> ids = bpe.tokenize(text, options);
  for (int id : ids)
    if (id < 0 || id >= bpe.vocabSize()) __builtin_trap();
  if (!parseSpecial && bpe.decode(ids) != text) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const QByteArray bytes(reinterpret_cast<const char*>(data + 1), qsizetype(size - 1));
  const bool addBos = data[0] & 1;
  const QString text = QString::fromUtf8(bytes);
  checkBpe(bpeTokenizers[size_t(data[0] >> 2) % bpeTokenizers.size()], text, data[0] & 4);
  const std::vector<int> ids = tokenizer->encode(text, addBos);
  for (int id : ids)
    if (id < 0 || id >= tokenizer->vocabSize()) __builtin_trap();
  // Every byte has a <0xXX> token in both vocabularies, so text comes back unchanged, except
  // U+2581, which SentencePiece itself uses to mark spaces.
  if (!text.contains(QChar(0x2581)) && tokenizer->decode(tokenizer->encode(text, false)) != text)
    __builtin_trap();
  // Arbitrary ids, out of range ones included, decode without reading past the vocabulary.
  std::vector<int> raw;
  for (size_t i = 1; i + 1 < size; i += 2) raw.push_back(int(qint16(data[i] | (data[i + 1] << 8))));
  (void)tokenizer->decode(raw);
  if (data[0] & 2) {
    try {
      (void)parseTokenIds(bytes, QStringLiteral("tokens.txt"), tokenizer->vocabSize());
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::BadInput) __builtin_trap();
    }
  }
  return 0;
}
