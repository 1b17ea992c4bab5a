// libFuzzer target: the GGUF reader (core/inference/GgufFile) on arbitrary bytes, then every
// typed metadata getter and the dequantisation of every small tensor. Not a test of values.
#include "common/Error.h"
#include "inference/GgufFile.h"

#include <QByteArray>
#include <cstdint>
#include <functional>

using namespace sinkscope;

namespace {

// A getter may refuse a value of the wrong type with Error; anything else is a finding.
void tolerate(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error&) {
  }
}

void exerciseMetadata(const GgufFile& file) {
  for (const GgufMetadataEntry& entry : file.metadata()) {
    const QString& key = entry.key;
    tolerate([&] { (void)file.integer(key); });
    tolerate([&] { (void)file.number(key); });
    tolerate([&] { (void)file.boolean(key); });
    tolerate([&] { (void)file.string(key); });
    tolerate([&] { (void)file.stringArray(key); });
    tolerate([&] { (void)file.numberArray(key); });
    tolerate([&] { (void)file.integerArray(key); });
    tolerate([&] { (void)file.requireIntegerIn(key, 1, 1 << 20); });
    (void)ggufValueTypeName(entry.value.type());
  }
}

void exerciseTensors(const GgufFile& file) {
  constexpr qint64 kMaxElements = 1 << 18;  // keeps each run fast; sizes are checked at parse time
  for (const GgufTensorInfo& info : file.tensors()) {
    (void)file.findTensor(info.name);
    const auto bytes = file.tensorBytes(info);
    if (!bytes.empty()) {  // touches the first and last byte: ASan reports a view past the data
      volatile std::byte first = bytes.front();
      volatile std::byte last = bytes.back();
      (void)first;
      (void)last;
    }
    if (info.elementCount() > kMaxElements) continue;
    tolerate([&] { (void)file.dequantize(info); });
    if (info.rowCount() > 1) {
      std::vector<float> row(size_t(info.rowLength()));
      tolerate([&] { file.dequantizeRows(info, info.rowCount() - 1, 1, row.data()); });
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const GgufFile file(QByteArray(reinterpret_cast<const char*>(data), qsizetype(size)), QStringLiteral("fuzz.gguf"));
    exerciseMetadata(file);
    exerciseTensors(file);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::BadInput) __builtin_trap();  // malformed bytes are bad input, never a bug
  }
  return 0;
}
