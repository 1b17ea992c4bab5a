#include "catalog/Runtime.h"

namespace sinkscope {

QString runtimeName(Runtime runtime) {
  switch (runtime) {
    case Runtime::Vllm:
      return QStringLiteral("vllm");
    case Runtime::LlamaCpp:
      return QStringLiteral("llama.cpp");
    case Runtime::Transformers:
      return QStringLiteral("transformers");
  }
  return QString();
}

std::optional<Runtime> runtimeFromName(const QString& name) {
  for (Runtime runtime : {Runtime::Vllm, Runtime::LlamaCpp, Runtime::Transformers})
    if (name.compare(runtimeName(runtime), Qt::CaseInsensitive) == 0) return runtime;
  return std::nullopt;
}

QStringList runtimeNames() {
  return {runtimeName(Runtime::Vllm), runtimeName(Runtime::LlamaCpp), runtimeName(Runtime::Transformers)};
}

bool runtimeHonoursWindow(const ModelSpec& model, Runtime runtime) {
  if (runtime != Runtime::LlamaCpp) return true;
  // llama.cpp's converter maps model_type "mistral" (v0.1) to its llama graph, which has no window.
  return model.architecture.compare(QStringLiteral("mistral"), Qt::CaseInsensitive) != 0 &&
         model.family.compare(QStringLiteral("mistral"), Qt::CaseInsensitive) != 0;
}

}  // namespace sinkscope
