#include "planner/FitAdvice.h"

#include "planner/Plan.h"
#include "planner/PlannerResources.h"

#include <algorithm>

namespace sinkscope {

namespace {

QString gib(qint64 bytes) {
  return QString::number(double(bytes) / double(1ll << 30), 'f', 1) + QStringLiteral(" GiB");
}

QString perGpu(qint64 total, qint64 capacity) {
  return QStringLiteral("%1 of %2 usable per GPU").arg(gib(total), gib(capacity));
}

QString layoutText(const ParallelLayout& layout) {
  if (layout.nodes == 1)
    return QStringLiteral("%1 GPUs in one node (tensor-parallel %2, pipeline-parallel %3)")
        .arg(layout.gpus())
        .arg(layout.tensorParallel)
        .arg(layout.pipelineParallel);
  return QStringLiteral("%1 GPUs (%2 nodes x %3, tensor-parallel %4, pipeline-parallel %5)")
      .arg(layout.gpus())
      .arg(layout.nodes)
      .arg(layout.gpusPerNode)
      .arg(layout.tensorParallel)
      .arg(layout.pipelineParallel);
}

PlanRequest withLayout(PlanRequest request, const ParallelLayout& layout) {
  request.parallel = {layout.gpusPerNode, layout.nodes, layout.tensorParallel, layout.pipelineParallel};
  return request;
}

// The fullest GPU's total and capacity, and whether every GPU fits, for one request.
void measure(const DeploymentMemory& deployment, qint64 contextTokens, FitOption& option) {
  const MemoryBreakdown memory = deployment.at(contextTokens);
  option.totalBytesPerGpu = memory.totalBytes;
  option.capacityBytesPerGpu = memory.capacityBytes;
  option.works = deployment.fits(contextTokens);
}

FitOption lowerKvDtype(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request,
                       const ParallelLayout& layout) {
  const PlannerResources& resources = plannerResources();
  const QString current = request.kvDtype.isEmpty() ? resources.defaults.kvDtype : request.kvDtype;
  const double currentBits = resources.findKvDtype(current)->bitsPerElement;
  std::vector<KvDtype> lower;
  for (const QString& name : resources.parallel.fitAdviceKvDtypes)
    if (const KvDtype* dtype = resources.findKvDtype(name); dtype && dtype->bitsPerElement < currentBits)
      lower.push_back(*dtype);
  FitOption option;
  option.change = FitChange::LowerKvDtype;
  if (lower.empty()) {
    option.summary = QStringLiteral("no KV dtype is smaller than %1").arg(current);
    return option;
  }
  for (const KvDtype& dtype : lower) {
    PlanRequest changed = withLayout(request, layout);
    changed.kvDtype = dtype.name;
    option.kvDtype = dtype.name;
    measure(deploymentMemoryFor(model, hardware, changed, changed.mitigation.value_or(Mitigation::Baseline)),
            request.contextTokens, option);
    if (option.works) {
      option.summary =
          QStringLiteral("KV cache in %1 instead of %2: %3")
              .arg(dtype.name, current, perGpu(option.totalBytesPerGpu, option.capacityBytesPerGpu));
      return option;
    }
  }
  option.summary = QStringLiteral("a lower KV dtype is not enough: even %1 needs %2")
                       .arg(option.kvDtype, perGpu(option.totalBytesPerGpu, option.capacityBytesPerGpu));
  return option;
}

// GPU counts a deployment grows through: 2, 4, ... up to a node, then whole nodes.
std::vector<int> gpuCountsAfter(int current, const ParallelAssumptions& parallel) {
  std::vector<int> counts;
  for (int gpus = 2; gpus < parallel.gpusPerNode; gpus *= 2)
    if (gpus > current) counts.push_back(gpus);
  for (int gpus = parallel.gpusPerNode; gpus <= parallel.largestDeploymentGpus; gpus += parallel.gpusPerNode)
    if (gpus > current) counts.push_back(gpus);
  return counts;
}

FitOption moreGpus(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request,
                   const ParallelLayout& current) {
  const ParallelAssumptions& parallel = plannerResources().parallel;
  FitOption option;
  option.change = FitChange::MoreGpus;
  for (int gpus : gpuCountsAfter(current.gpus(), parallel)) {
    ParallelRequest grow;
    grow.gpusPerNode = std::min(gpus, parallel.gpusPerNode);
    grow.nodes = gpus / *grow.gpusPerNode;
    ParallelLayout layout;
    if (resolveParallelLayout(model, grow, layout)) continue;  // the model cannot be split this way
    measure(deploymentMemoryFor(model, hardware, withLayout(request, layout),
                                request.mitigation.value_or(Mitigation::Baseline)),
            request.contextTokens, option);
    if (option.works) {
      option.layout = layout;
      option.summary = QStringLiteral("%1: %2").arg(
          layoutText(layout), perGpu(option.totalBytesPerGpu, option.capacityBytesPerGpu));
      return option;
    }
  }
  option.summary = QStringLiteral("no deployment of up to %1 GPUs fits").arg(parallel.largestDeploymentGpus);
  return option;
}

QString familyOf(const HardwareSpec& hardware) {
  return hardware.category.endsWith(QLatin1String("-gpu")) ? QStringLiteral("gpu") : hardware.category;
}

FitOption largerHardware(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request,
                         const ParallelLayout& layout, const std::vector<HardwareSpec>& profiles) {
  std::vector<const HardwareSpec*> larger;
  for (const HardwareSpec& profile : profiles)
    if (profile.memoryBytes > hardware.memoryBytes && familyOf(profile) == familyOf(hardware))
      larger.push_back(&profile);
  std::stable_sort(larger.begin(), larger.end(), [](const HardwareSpec* a, const HardwareSpec* b) {
    return a->memoryBytes < b->memoryBytes;
  });
  FitOption option;
  option.change = FitChange::LargerHardware;
  for (const HardwareSpec* profile : larger) {
    option.hardwareId = profile->id;
    measure(deploymentMemoryFor(model, *profile, withLayout(request, layout),
                                request.mitigation.value_or(Mitigation::Baseline)),
            request.contextTokens, option);
    if (option.works) {
      option.summary = QStringLiteral("%1 (%2) in place of %3: %4")
                           .arg(profile->id, gib(profile->memoryBytes), hardware.id,
                                perGpu(option.totalBytesPerGpu, option.capacityBytesPerGpu));
      return option;
    }
  }
  option.summary =
      larger.empty()
          ? QStringLiteral("no catalogue profile of this kind has more memory than %1").arg(hardware.id)
          : QStringLiteral("no larger profile is enough: even %1 needs %2")
                .arg(option.hardwareId, perGpu(option.totalBytesPerGpu, option.capacityBytesPerGpu));
  return option;
}

FitOption shorterContext(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request,
                         const ParallelLayout& layout) {
  const DeploymentMemory deployment = deploymentMemoryFor(model, hardware, withLayout(request, layout),
                                                          request.mitigation.value_or(Mitigation::Baseline));
  FitOption option;
  option.change = FitChange::ShorterContext;
  const FitLimit fit = deployment.maxContextThatFits();
  option.contextTokens = fit.maxContextTokens;
  if (fit.maxContextTokens > 0) {
    measure(deployment, fit.maxContextTokens, option);
    option.summary = QStringLiteral("largest context that fits: %1 tokens (%2)")
                         .arg(fit.maxContextTokens)
                         .arg(perGpu(option.totalBytesPerGpu, option.capacityBytesPerGpu));
    return option;
  }
  measure(deployment, 1, option);
  const MemoryBreakdown one = deployment.at(1);
  option.summary =
      one.weightsBytes > one.capacityBytes
          ? QStringLiteral(
                "no context fits, not even 1 token: the weights alone take %1 per GPU of %2 usable")
                .arg(gib(one.weightsBytes), gib(one.capacityBytes))
          : QStringLiteral(
                "no context fits, not even 1 token: weights %1, activations %2 and runtime "
                "overhead %3 take %4 per GPU of %5 usable")
                .arg(gib(one.weightsBytes), gib(one.activationBytes), gib(one.overheadBytes),
                     gib(one.totalBytes), gib(one.capacityBytes));
  return option;
}

}  // namespace

QString fitChangeName(FitChange change) {
  switch (change) {
    case FitChange::LowerKvDtype:
      return QStringLiteral("kv_dtype");
    case FitChange::MoreGpus:
      return QStringLiteral("more_gpus");
    case FitChange::LargerHardware:
      return QStringLiteral("larger_hardware");
    case FitChange::ShorterContext:
      break;
  }
  return QStringLiteral("shorter_context");
}

FitAdvice adviseFit(const ModelSpec& model, const HardwareSpec& hardware, const PlanRequest& request,
                    const ParallelLayout& layout, const std::vector<HardwareSpec>& profiles) {
  FitAdvice advice;
  advice.options.push_back(lowerKvDtype(model, hardware, request, layout));
  advice.options.push_back(moreGpus(model, hardware, request, layout));
  advice.options.push_back(largerHardware(model, hardware, request, layout, profiles));
  advice.options.push_back(shorterContext(model, hardware, request, layout));
  for (size_t i = 0; i < advice.options.size(); ++i)
    if (advice.options[i].works) {
      advice.smallest = i;
      break;
    }
  return advice;
}

}  // namespace sinkscope
