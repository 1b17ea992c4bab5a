// What a measured run reads, the same for `sinkscope measure`, `sinkscope report --gguf` and the
// Measured tab: the text (UTF-8, size-limited; the bundled sample by default) or token ids, cut to
// the first N tokens, and the checkpoint's display name. Not the run itself (Measurement.h).
#pragma once

#include <QByteArray>
#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

class GgufFile;

inline const QString kSampleTextPath = QStringLiteral(":/texts/simple-stories.txt");  // bundled
inline constexpr qint64 kMaxMeasureInputBytes = qint64(16)
                                                << 20;  // a text or token file above 16 MiB is refused

// The file's bytes, without a leading UTF-8 byte-order mark; Error(BadInput) naming the path when
// it cannot be read or exceeds the limit (a device or pipe is read at most one byte past it).
QByteArray readMeasureInput(const QString& path);
// The text tokenised with the tokenizer the GGUF names (leading and trailing white space trimmed;
// special tokens in it are plain text unless parseSpecial); Error(BadInput) naming the path
// when the text is not UTF-8 or fewer than 2 tokens result.
std::vector<int> tokenizeMeasureText(const GgufFile& gguf, const QString& textPath,
                                     bool parseSpecial = false);
// Keeps the first contextTokens tokens; Error(BadInput) naming inputPath and field "tokens" when
// there are fewer.
void keepFirstTokens(std::vector<int>& tokens, std::optional<qint64> contextTokens, const QString& inputPath);
// general.name, or the file's base name when the GGUF has none (or the generic "llama").
QString checkpointName(const GgufFile& gguf, const QString& ggufPath);

}  // namespace sinkscope
