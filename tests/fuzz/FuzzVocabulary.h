// Small vocabularies in GGUF form for the tokenizer fuzz target and its seeds: SentencePiece
// (control tokens, 256 byte tokens, letters, a few merges) and byte-level BPE (the 256 byte
// characters, special tokens, a few merges). Not a real model's vocabulary.
#pragma once

#include "inference/BpeTokenizer.h"
#include "inference/GgufWriter.h"

#include <QStringList>

namespace sinkscope::fuzz {

inline QByteArray fixtureVocabularyGguf() {
  const QString space = QString(QChar(0x2581));
  QStringList tokens{QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>")};
  std::vector<float> scores{0, 0, 0};
  std::vector<qint32> types{2, 3, 3};
  for (int byte = 0; byte < 256; ++byte) {
    tokens << QStringLiteral("<0x%1>")
                  .arg(byte, 2, 16, QLatin1Char('0'))
                  .toUpper()
                  .replace(QLatin1String("<0X"), QLatin1String("<0x"));
    scores.push_back(0);
    types.push_back(6);
  }
  QStringList pieces{space,
                     QStringLiteral("e"),
                     QStringLiteral("t"),
                     QStringLiteral("h"),
                     QStringLiteral("a"),
                     QStringLiteral("o"),
                     QStringLiteral("n"),
                     QStringLiteral("s"),
                     QStringLiteral("i"),
                     space + QStringLiteral("t"),
                     QStringLiteral("he"),
                     space + QStringLiteral("the"),
                     QStringLiteral("in"),
                     space + QStringLiteral("a"),
                     QStringLiteral("on"),
                     QStringLiteral("é"),
                     QStringLiteral("日本"),
                     space + space};
  float score = -1;
  for (const QString& piece : pieces) {
    tokens << piece;
    scores.push_back(score);
    score -= 0.5f;
    types.push_back(1);
  }
  GgufWriter writer;
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("llama"));
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), tokens);
  writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), scores);
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), types);
  writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), 1);
  writer.addUint32(QStringLiteral("tokenizer.ggml.eos_token_id"), 2);
  writer.addUint32(QStringLiteral("tokenizer.ggml.unknown_token_id"), 0);
  return writer.toBytes();
}

// Byte-level BPE under the named pre-tokenizer: ids 0-255 are the byte characters in byte order,
// then <|begin_of_text|> (control), <think> (user-defined) and the merged pieces below.
inline QByteArray fixtureBpeVocabularyGguf(const QString& pre = QStringLiteral("llama-bpe")) {
  QStringList tokens;
  std::vector<qint32> types;
  for (int byte = 0; byte < 256; ++byte) {
    const char32_t c = byteToBpeCharacter(uchar(byte));
    tokens << QString::fromUcs4(&c, 1);
    types.push_back(1);
  }
  tokens << QStringLiteral("<|begin_of_text|>") << QStringLiteral("<think>");
  types.insert(types.end(), {3, 4});
  const QStringList merges{QStringLiteral("\u0120 t"),      QStringLiteral("h e"),
                           QStringLiteral("\u0120t he"),    QStringLiteral("i n"),
                           QStringLiteral("\u0120 \u0120"), QStringLiteral("1 2"),
                           QStringLiteral("\u00c3 \u00a9")};
  for (const QString& merge : merges) {
    tokens << QString(merge).remove(QLatin1Char(' '));
    types.push_back(1);
  }
  GgufWriter writer;
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("gpt2"));
  writer.addString(QStringLiteral("tokenizer.ggml.pre"), pre);
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), tokens);
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), types);
  writer.addStringArray(QStringLiteral("tokenizer.ggml.merges"), merges);
  writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), 256);
  return writer.toBytes();
}

}  // namespace sinkscope::fuzz
