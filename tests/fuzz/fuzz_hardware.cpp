// libFuzzer target: a user's hardware JSON file (Catalog.h hardwareSpecFromJson) from arbitrary
// bytes, through the JSON reader and validateHardwareSpec. Not a test of the catalogue's figures.
#include "catalog/Catalog.h"
#include "common/Error.h"
#include "common/JsonRead.h"

#include <QByteArray>
#include <cmath>
#include <cstdint>

using namespace sinkscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const QJsonObject object = parseJsonObject(
        QByteArray(reinterpret_cast<const char*>(data), qsizetype(size)), QStringLiteral("fuzz.json"));
    const HardwareSpec spec = hardwareSpecFromJson(object, QStringLiteral("fuzz.json"));
    // What validation let through must be usable by the planner: positive, finite figures.
    if (spec.memoryBytes <= 0 || !(spec.memoryBandwidthBytesPerSecond > 0) ||
        !spec.peakFlops(QStringLiteral("fp32")))
      __builtin_trap();
    for (const auto& [dtype, flops] : spec.peakFlopsPerSecond)
      if (!std::isfinite(flops) || flops <= 0) __builtin_trap();
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::BadInput) __builtin_trap();
  }
  return 0;
}
