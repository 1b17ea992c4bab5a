// libFuzzer target: a Hugging Face config.json (HfConfigImport.h) from arbitrary bytes, in both
// flavours, then the RoPE schedule of what validation accepted. Not a test of imported values.
#include "catalog/HfConfigImport.h"
#include "common/Error.h"
#include "common/JsonRead.h"
#include "positional/RopeSchedule.h"

#include <QByteArray>
#include <cmath>
#include <cstdint>

using namespace sinkscope;

namespace {

void exerciseSpec(const ModelSpec& spec) {
  // validateModelSpec's promises, which every later stage relies on.
  if (spec.layers < 1 || spec.heads < 1 || spec.kvHeads < 1 || spec.heads % spec.kvHeads != 0 ||
      spec.headDim < 1 || spec.trainedContext < 1 || spec.trainedContext > spec.maxPositionEmbeddings)
    __builtin_trap();
  for (int layer = 0; layer < spec.layers && layer < 4096; ++layer) (void)spec.layerType(layer);
  if (!spec.usesRope) return;
  const RopeParameters params = ropeParametersFor(spec);
  const RopeSchedule schedule = computeRopeSchedule(params, spec.maxPositionEmbeddings * 2);
  if (schedule.invFreq.size() != size_t(schedule.rotaryDim / 2)) __builtin_trap();
  for (double frequency : schedule.invFreq)
    if (!std::isfinite(frequency)) __builtin_trap();
  for (Mitigation mitigation : mitigationsFor(true)) {
    if (!mitigationApplies(params, mitigation)) continue;
    (void)computeRopeSchedule(withMitigation(params, mitigation, 4.0), spec.trainedContext * 8);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  QJsonObject object;
  try {
    object = parseJsonObject(QByteArray(reinterpret_cast<const char*>(data), qsizetype(size)),
                             QStringLiteral("config.json"));
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::BadInput) __builtin_trap();
    return 0;
  }
  for (const ConfigFlavour flavour : {ConfigFlavour::HuggingFace, ConfigFlavour::CatalogueEntry}) {
    try {
      exerciseSpec(
          modelSpecFromConfig(object, QStringLiteral("config.json"), flavour, QStringLiteral("fuzz")));
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::BadInput) __builtin_trap();
    }
  }
  return 0;
}
