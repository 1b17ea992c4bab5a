// libFuzzer target: the safetensors readers of a Hub import (SafetensorsHeader.h) from arbitrary
// bytes: as a file's start (8-byte length, then the JSON header) and as an index. Not a test of counts.
#include "catalog/SafetensorsHeader.h"
#include "common/Error.h"

#include <QByteArray>
#include <cstdint>

using namespace sinkscope;

namespace {

template <typename Body>
void expectOnlyBadInput(Body body) {
  try {
    body();
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::BadInput) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
  expectOnlyBadInput([&] {
    const qint64 length = safetensorsHeaderLength(bytes, QStringLiteral("model.safetensors"));
    if (length < 2 || length > kMaxSafetensorsHeaderBytes) __builtin_trap();
    const SafetensorsSummary summary =
        parseSafetensorsHeader(bytes.mid(8, length), QStringLiteral("model.safetensors"));
    if (summary.parameters < 0 || summary.bytes < 0 || summary.tensors < 0) __builtin_trap();
  });
  expectOnlyBadInput([&] {
    const SafetensorsIndex index =
        parseSafetensorsIndex(bytes, QStringLiteral("model.safetensors.index.json"));
    if (index.shardFiles.isEmpty() || index.shardFiles.size() > kMaxSafetensorsShards) __builtin_trap();
  });
  return 0;
}
