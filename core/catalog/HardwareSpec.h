// The normalised description of one accelerator or CPU host that the planner sizes against.
// Not a loader: see Catalog.h. Figures are per device, dense (no structured sparsity).
#pragma once

#include <QString>
#include <QStringList>
#include <map>
#include <optional>

namespace sinkscope {

struct HardwareSpec {
  QString id;           // catalogue id, e.g. "h100-sxm-80gb"
  QString displayName;  // "NVIDIA H100 SXM 80 GB"
  QString vendor;       // "NVIDIA", "AMD", "Apple", "Intel", ...
  QString category;     // "datacenter-gpu", "workstation-gpu", "consumer-gpu", "apple-silicon", "cpu"
  QString origin;       // "catalogue" or the JSON file path

  qint64 memoryBytes = 0;                     // device memory (unified memory for Apple)
  double memoryBandwidthBytesPerSecond = 0;   // peak
  // Peak dense FLOP/s (or OP/s for int8) per dtype key: "fp32", "fp16", "bf16", "fp8", "int8".
  std::map<QString, double> peakFlopsPerSecond;

  QString source;               // vendor datasheet
  QString notes;                // how a figure was read or derived, caveats
  QStringList defaultedFields;  // fields filled with a default

  std::optional<double> peakFlops(const QString& dtype) const;
};

// The dtype keys peakFlopsPerSecond may hold, in display order.
const QStringList& hardwareDtypeKeys();

// Throws Error(BadInput) naming `source` and the field when a figure is missing or impossible.
void validateHardwareSpec(const HardwareSpec& spec, const QString& source);

}  // namespace sinkscope
