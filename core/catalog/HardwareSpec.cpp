#include "catalog/HardwareSpec.h"

#include "common/Error.h"

#include <cmath>

namespace sinkscope {

const QStringList& hardwareDtypeKeys() {
  static const QStringList keys{QStringLiteral("fp32"), QStringLiteral("tf32"), QStringLiteral("bf16"),
                                QStringLiteral("fp16"), QStringLiteral("fp8"),  QStringLiteral("int8")};
  return keys;
}

std::optional<double> HardwareSpec::peakFlops(const QString& dtype) const {
  const QString key = dtype.trimmed().toLower();
  const auto found = peakFlopsPerSecond.find(key);
  if (found != peakFlopsPerSecond.end()) return found->second;
  // A part without a bf16 figure computes bf16 no faster than fp16, and the reverse.
  if (key == QLatin1String("bf16") || key == QLatin1String("fp16")) {
    const auto other = peakFlopsPerSecond.find(key == QLatin1String("bf16") ? QStringLiteral("fp16")
                                                                            : QStringLiteral("bf16"));
    if (other != peakFlopsPerSecond.end()) return other->second;
  }
  return std::nullopt;
}

namespace {

// 100 MB/s .. 100 TB/s per direction: outside is a unit mistake (Gb/s or GB/s typed as bytes/s).
void validateLink(const std::optional<DeviceLink>& link, const QString& source, const QString& field) {
  if (!link) return;
  if (link->name.trimmed().isEmpty())
    throwBadInput(source, field + QStringLiteral(".link"), QStringLiteral("must not be empty"));
  if (!std::isfinite(link->bytesPerSecond) || link->bytesPerSecond < 1e8 || link->bytesPerSecond > 1e14)
    throwBadInput(source, field + QStringLiteral(".bytes_per_s"),
                  QStringLiteral("%1 is not a plausible link bandwidth in bytes/s per direction")
                      .arg(link->bytesPerSecond));
}

}  // namespace

void validateHardwareSpec(const HardwareSpec& spec, const QString& source) {
  if (spec.id.trimmed().isEmpty())
    throwBadInput(source, QStringLiteral("id"), QStringLiteral("must not be empty"));
  if (spec.memoryBytes <= 0)
    throwBadInput(source, QStringLiteral("memory_bytes"), QStringLiteral("must be positive"));
  if (!std::isfinite(spec.memoryBandwidthBytesPerSecond) || spec.memoryBandwidthBytesPerSecond <= 0)
    throwBadInput(source, QStringLiteral("memory_bandwidth_bytes_per_s"), QStringLiteral("must be positive"));
  // 1 GB/s .. 1 PB/s: anything outside is a unit mistake (GB/s typed where bytes/s belong).
  if (spec.memoryBandwidthBytesPerSecond < 1e9 || spec.memoryBandwidthBytesPerSecond > 1e15)
    throwBadInput(
        source, QStringLiteral("memory_bandwidth_bytes_per_s"),
        QStringLiteral("%1 is not a plausible bandwidth in bytes/s").arg(spec.memoryBandwidthBytesPerSecond));
  if (spec.peakFlopsPerSecond.empty())
    throwBadInput(source, QStringLiteral("peak_flops"), QStringLiteral("needs at least one dtype"));
  if (!spec.peakFlops(QStringLiteral("fp32")))
    throwBadInput(source, QStringLiteral("peak_flops.fp32"), QStringLiteral("missing"));
  for (const auto& [dtype, flops] : spec.peakFlopsPerSecond) {
    const QString field = QStringLiteral("peak_flops.") + dtype;
    if (!hardwareDtypeKeys().contains(dtype))
      throwBadInput(
          source, field,
          QStringLiteral("unknown dtype (known: %1)").arg(hardwareDtypeKeys().join(QStringLiteral(", "))));
    // 1 GFLOP/s .. 100 PFLOP/s per device: outside is a unit mistake (TFLOP/s typed as FLOP/s).
    if (!std::isfinite(flops) || flops < 1e9 || flops > 1e17)
      throwBadInput(source, field, QStringLiteral("%1 is not a plausible FLOP/s figure").arg(flops));
  }
  validateLink(spec.interconnect.intraNode, source, QStringLiteral("interconnect.intra_node"));
  validateLink(spec.interconnect.interNode, source, QStringLiteral("interconnect.inter_node"));
}

}  // namespace sinkscope
