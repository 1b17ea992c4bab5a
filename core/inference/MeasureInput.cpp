#include "inference/MeasureInput.h"

#include "common/Error.h"
#include "common/InputFile.h"
#include "gguf/GgufFile.h"
#include "inference/Tokenizer.h"
#include "inference/Utf8Text.h"

#include <QFile>
#include <QFileInfo>

namespace sinkscope {

QByteArray readMeasureInput(const QString& path) {
  // Bounded, and a pipe or device read once without waiting on it (docs/limits.md).
  QByteArray bytes = readInputBytes(path, kMaxMeasureInputBytes);
  if (bytes.startsWith("\xEF\xBB\xBF")) bytes.remove(0, 3);  // a UTF-8 byte-order mark is not text
  return bytes;
}

std::vector<int> tokenizeMeasureText(const GgufFile& gguf, const QString& textPath, bool parseSpecial) {
  const QByteArray bytes = readMeasureInput(textPath);
  if (const qsizetype invalid = firstInvalidUtf8Byte(bytes); invalid >= 0)
    throwBadInput(textPath, QStringLiteral("text"),
                  QStringLiteral("not UTF-8: byte %1 (0x%2) does not start a valid sequence")
                      .arg(invalid)
                      .arg(uchar(bytes[invalid]), 2, 16, QLatin1Char('0')));
  const std::unique_ptr<Tokenizer> tokenizer = tokenizerFromGguf(gguf);
  TokenizeOptions options;
  options.parseSpecial = parseSpecial;
  std::vector<int> ids;
  try {
    ids = tokenizer->tokenize(QString::fromUtf8(bytes).trimmed(), options);
  } catch (const Error& error) {  // a limit of the vocabulary's: the checkpoint is named
    if (!error.source().isEmpty()) throw;
    throw error.at(gguf.source(), error.field());
  }
  if (ids.size() < 2) throwBadInput(textPath, QStringLiteral("text"), QStringLiteral("empty"));
  return ids;
}

void keepFirstTokens(std::vector<int>& tokens, std::optional<qint64> contextTokens,
                     const QString& inputPath) {
  if (!contextTokens) return;
  if (qint64(tokens.size()) < *contextTokens)
    throwBadInput(inputPath, QStringLiteral("tokens"),
                  QStringLiteral("%1 tokens, fewer than the context of %2 asked for")
                      .arg(tokens.size())
                      .arg(*contextTokens));
  tokens.resize(size_t(*contextTokens));
}

QString checkpointName(const GgufFile& gguf, const QString& ggufPath) {
  const QString name = gguf.string(QStringLiteral("general.name")).value_or(QString());
  return name.isEmpty() || name == QLatin1String("llama") ? QFileInfo(ggufPath).completeBaseName() : name;
}

}  // namespace sinkscope
