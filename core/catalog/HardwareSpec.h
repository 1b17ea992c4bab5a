// The normalised description of one accelerator or CPU host that the planner sizes against.
// Not a loader: see Catalog.h. Figures are per device, dense (no structured sparsity).
#pragma once

#include <QString>
#include <QStringList>
#include <map>
#include <optional>

namespace sinkscope {

// One kind of link between devices. bytesPerSecond is per direction (what a ring all-reduce or a
// point-to-point send moves); datasheets quote NVLink and PCIe both directions together.
struct DeviceLink {
  QString name;               // "NVLink 4", "PCIe Gen5 x16", "InfiniBand NDR 400 Gb/s per GPU"
  double bytesPerSecond = 0;  // per direction, peak
};

// How devices of this kind talk to each other: inside one node, and between nodes.
struct Interconnect {
  std::optional<DeviceLink> intraNode;  // absent: the profile is not used several to a node
  std::optional<DeviceLink> interNode;  // absent: no multi-node deployment is known
  QString source;
};

struct HardwareSpec {
  QString id;           // catalogue id, e.g. "h100-sxm-80gb"
  QString displayName;  // "NVIDIA H100 SXM 80 GB"
  QString vendor;       // "NVIDIA", "AMD", "Apple", "Intel", ...
  QString category;     // "datacenter-gpu", "workstation-gpu", "consumer-gpu", "apple-silicon", "cpu"
  QString origin;       // "catalogue" or the JSON file path

  qint64 memoryBytes = 0;                    // device memory (unified memory for Apple)
  double memoryBandwidthBytesPerSecond = 0;  // peak
  // Peak dense FLOP/s (or OP/s for int8) per dtype key: "fp32", "fp16", "bf16", "fp8", "int8".
  std::map<QString, double> peakFlopsPerSecond;

  Interconnect interconnect;  // links between devices (several GPUs, several nodes)

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
