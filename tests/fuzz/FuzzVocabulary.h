// A small SentencePiece vocabulary in GGUF form (control tokens, 256 byte tokens, letters and a
// few merges) for the tokenizer fuzz target and its seeds. Not a real model's vocabulary.
#pragma once

#include "inference/GgufWriter.h"

#include <QStringList>

namespace sinkscope::fuzz {

inline QByteArray fixtureVocabularyGguf() {
  const QString space = QString(QChar(0x2581));
  QStringList tokens{QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>")};
  std::vector<float> scores{0, 0, 0};
  std::vector<qint32> types{2, 3, 3};
  for (int byte = 0; byte < 256; ++byte) {
    tokens << QStringLiteral("<0x%1>").arg(byte, 2, 16, QLatin1Char('0')).toUpper().replace(QLatin1String("<0X"), QLatin1String("<0x"));
    scores.push_back(0);
    types.push_back(6);
  }
  QStringList pieces{space, QStringLiteral("e"), QStringLiteral("t"), QStringLiteral("h"), QStringLiteral("a"),
                     QStringLiteral("o"), QStringLiteral("n"), QStringLiteral("s"), QStringLiteral("i"),
                     space + QStringLiteral("t"), QStringLiteral("he"), space + QStringLiteral("the"),
                     QStringLiteral("in"), space + QStringLiteral("a"), QStringLiteral("on"), QStringLiteral("é"),
                     QStringLiteral("日本"), space + space};
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

}  // namespace sinkscope::fuzz
