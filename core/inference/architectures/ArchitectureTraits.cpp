#include "inference/architectures/ArchitectureTraits.h"

#include "inference/architectures/Architectures.h"

#include <QStringList>
#include <vector>

namespace sinkscope {

namespace {

const std::vector<ArchitectureTraits>& registry() {
  static const std::vector<ArchitectureTraits> all{architectures::llama(),  architectures::qwen2(),
                                                   architectures::qwen3(),  architectures::phi3(),
                                                   architectures::gemma2(), architectures::gemma3()};
  return all;
}

}  // namespace

const ArchitectureTraits* findArchitecture(const QString& name) {
  for (const ArchitectureTraits& traits : registry())
    if (traits.name == name) return &traits;
  return nullptr;
}

QString supportedArchitectureNames() {
  QStringList names;
  for (const ArchitectureTraits& traits : registry()) names << traits.name;
  return names.join(QStringLiteral(", "));
}

}  // namespace sinkscope
