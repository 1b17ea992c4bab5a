// When a plan does not fit: the smallest change that does, tried in order of cost (a lower KV
// dtype, more GPUs, a larger hardware profile, a shorter context), each with its numbers. Not the plan.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"
#include "planner/Parallelism.h"

#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

struct PlanRequest;

enum class FitChange { LowerKvDtype, MoreGpus, LargerHardware, ShorterContext };
QString fitChangeName(FitChange change);  // "kv_dtype", "more_gpus", "larger_hardware", "shorter_context"

// One change, alone, against the request; the numbers are those of the fullest GPU.
struct FitOption {
  FitChange change = FitChange::LowerKvDtype;
  bool works = false;
  QString summary;                       // one sentence with the numbers
  QString kvDtype;                       // LowerKvDtype: the dtype tried
  std::optional<ParallelLayout> layout;  // MoreGpus: the deployment that fits
  QString hardwareId;                    // LargerHardware: the profile that fits
  qint64 contextTokens = 0;              // ShorterContext: the largest context that fits (0: none)
  qint64 totalBytesPerGpu = 0;           // memory of the fullest GPU with this change
  qint64 capacityBytesPerGpu = 0;        // usable memory of one GPU with this change
};

struct FitAdvice {
  std::vector<FitOption> options;  // in order of cost; empty when the plan fits
  std::optional<size_t> smallest;  // the first option that works
};

// Every option, tried alone. `profiles` are the hardware profiles a larger one is picked from.
FitAdvice adviseFit(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request,
                    const ParallelLayout& layout, const std::vector<HardwareSpec>& profiles);

}  // namespace sinkscope
