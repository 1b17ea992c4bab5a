#include "inference/MeasureInput.h"

#include "common/Error.h"
#include "inference/GgufFile.h"
#include "inference/Tokenizer.h"
#include "inference/Utf8Text.h"

#include <QFile>
#include <QFileInfo>

namespace sinkscope {

QByteArray readMeasureInput(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) throwBadInput(path, QString(), QStringLiteral("cannot open: %1").arg(file.errorString()));
  if (file.size() > kMaxMeasureInputBytes)
    throwBadInput(path, QStringLiteral("size"),
                  QStringLiteral("%1 bytes, above the %2-byte limit").arg(file.size()).arg(kMaxMeasureInputBytes));
  // A device or pipe reports size 0 (/dev/zero never ends): read at most one byte past the limit.
  const QByteArray bytes = file.read(kMaxMeasureInputBytes + 1);
  if (bytes.size() > kMaxMeasureInputBytes)
    throwBadInput(path, QStringLiteral("size"), QStringLiteral("more than %1 bytes, above the limit").arg(kMaxMeasureInputBytes));
  return bytes;
}

std::vector<int> tokenizeMeasureText(const GgufFile& gguf, const QString& textPath, bool parseSpecial) {
  const QByteArray bytes = readMeasureInput(textPath);
  if (const qsizetype invalid = firstInvalidUtf8Byte(bytes); invalid >= 0)
    throwBadInput(textPath, QStringLiteral("text"),
                  QStringLiteral("not UTF-8: byte %1 (0x%2) does not start a valid sequence")
                      .arg(invalid).arg(uchar(bytes[invalid]), 2, 16, QLatin1Char('0')));
  const std::unique_ptr<Tokenizer> tokenizer = tokenizerFromGguf(gguf);
  TokenizeOptions options;
  options.parseSpecial = parseSpecial;
  std::vector<int> ids = tokenizer->tokenize(QString::fromUtf8(bytes).trimmed(), options);
  if (ids.size() < 2) throwBadInput(textPath, QStringLiteral("text"), QStringLiteral("empty"));
  return ids;
}

void keepFirstTokens(std::vector<int>& tokens, std::optional<qint64> contextTokens, const QString& inputPath) {
  if (!contextTokens) return;
  if (qint64(tokens.size()) < *contextTokens)
    throwBadInput(inputPath, QStringLiteral("tokens"),
                  QStringLiteral("%1 tokens, fewer than the context of %2 asked for").arg(tokens.size()).arg(*contextTokens));
  tokens.resize(size_t(*contextTokens));
}

QString checkpointName(const GgufFile& gguf, const QString& ggufPath) {
  const QString name = gguf.string(QStringLiteral("general.name")).value_or(QString());
  return name.isEmpty() || name == QLatin1String("llama") ? QFileInfo(ggufPath).completeBaseName() : name;
}

}  // namespace sinkscope
