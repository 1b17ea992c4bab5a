// Strict UTF-8 for the tokenizers: where a byte string stops being UTF-8, its code points, and
// one code point written back. Not a text library: QString does everything else.
#pragma once

#include <QByteArray>
#include <vector>

namespace sinkscope {

// Offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence), or -1 when the
// whole string is UTF-8.
qsizetype firstInvalidUtf8Byte(const QByteArray& bytes);

// The code points of a string that firstInvalidUtf8Byte accepts (an invalid byte, should one be
// passed anyway, becomes U+FFFD, as llama.cpp's unicode_cpts_from_utf8 does).
std::vector<char32_t> utf8CodePoints(const QByteArray& bytes);

void appendUtf8(QByteArray& out, char32_t codePoint);

}  // namespace sinkscope
