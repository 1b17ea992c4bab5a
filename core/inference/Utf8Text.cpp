#include "inference/Utf8Text.h"

namespace sinkscope {

namespace {

bool isContinuation(uchar byte) {
  return (byte & 0xC0) == 0x80;
}

// Length of the well-formed sequence at offset, with its code point; 0 when it is not one.
int decodeOne(const QByteArray& bytes, qsizetype offset, char32_t* codePoint) {
  const auto byte = [&](qsizetype i) { return uchar(bytes[offset + i]); };
  const qsizetype left = bytes.size() - offset;
  const uchar lead = byte(0);
  int length = 0;
  char32_t value = 0, minimum = 0;
  if (lead < 0x80) {
    *codePoint = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    return 0;
  }
  if (left < length) return 0;
  for (int i = 1; i < length; ++i) {
    if (!isContinuation(byte(i))) return 0;
    value = (value << 6) | (byte(i) & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *codePoint = value;
  return length;
}

}  // namespace

qsizetype firstInvalidUtf8Byte(const QByteArray& bytes) {
  char32_t codePoint = 0;
  for (qsizetype offset = 0; offset < bytes.size();) {
    const int length = decodeOne(bytes, offset, &codePoint);
    if (length == 0) return offset;
    offset += length;
  }
  return -1;
}

std::vector<char32_t> utf8CodePoints(const QByteArray& bytes) {
  std::vector<char32_t> codePoints;
  codePoints.reserve(size_t(bytes.size()));
  char32_t codePoint = 0;
  for (qsizetype offset = 0; offset < bytes.size();) {
    const int length = decodeOne(bytes, offset, &codePoint);
    codePoints.push_back(length == 0 ? char32_t(0xFFFD) : codePoint);
    offset += length == 0 ? 1 : length;
  }
  return codePoints;
}

void appendUtf8(QByteArray& out, char32_t codePoint) {
  if (codePoint < 0x80) {
    out.append(char(codePoint));
  } else if (codePoint < 0x800) {
    out.append(char(0xC0 | (codePoint >> 6)));
    out.append(char(0x80 | (codePoint & 0x3F)));
  } else if (codePoint < 0x10000) {
    out.append(char(0xE0 | (codePoint >> 12)));
    out.append(char(0x80 | ((codePoint >> 6) & 0x3F)));
    out.append(char(0x80 | (codePoint & 0x3F)));
  } else {
    out.append(char(0xF0 | (codePoint >> 18)));
    out.append(char(0x80 | ((codePoint >> 12) & 0x3F)));
    out.append(char(0x80 | ((codePoint >> 6) & 0x3F)));
    out.append(char(0x80 | (codePoint & 0x3F)));
  }
}

}  // namespace sinkscope
