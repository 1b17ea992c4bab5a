// The settings that turn a mitigation on in vLLM, llama.cpp and transformers, with the engine
// versions whose documentation they were checked against. Not whether the mitigation is wise.
#pragma once

#include "catalog/ModelSpec.h"
#include "planner/Parallelism.h"
#include "positional/Mitigation.h"

#include <QJsonObject>
#include <QString>

namespace sinkscope {

struct LaunchFlags {
  QString vllm;  // command-line flags for `vllm serve` (v0.10.x: hf_overrides rope_scaling); empty: none
  QString vllmLatest;                   // the same for vLLM releases that read rope_parameters
  QString llamaCpp;                     // flags for llama-server / llama-cli; empty: not available
  QString transformers;                 // Python: the config change or generate() arguments
  QJsonObject transformersRopeScaling;  // the rope_scaling block itself (empty when not a RoPE scaling)
  QString notes;                        // caveats (what an engine lacks, which version)
};

struct LaunchScenario {
  qint64 contextTokens = 0;
  double factor = 1.0;
  qint64 trainedContextTokens = 0;
  qint64 streamingCacheTokens = 0;  // sinks + window
  int streamingSinkTokens = 4;
};

LaunchFlags launchFlagsFor(const ModelSpec& model, Mitigation mitigation, const LaunchScenario& scenario);
// Adds each engine's options for spreading the model over the layout's GPUs (none for one GPU):
// vLLM --tensor-parallel-size/--pipeline-parallel-size, llama.cpp --split-mode/--tensor-split,
// transformers device_map or tp_plan (docs/planner.md "Several GPUs").
void addParallelFlags(LaunchFlags& flags, const ParallelLayout& layout);
QJsonObject launchFlagsToJson(const LaunchFlags& flags);
// The engine versions the flag names were checked against (docs/mitigations.md says where).
QJsonObject launchFlagVersions();

}  // namespace sinkscope
