#include "catalog/CatalogueMatch.h"

#include "catalog/GgufImport.h"
#include "common/NumberFormat.h"
#include "gguf/GgufFile.h"

#include <QFileInfo>
#include <cmath>

namespace sinkscope {

namespace {

bool named(const QString& value, const char* name) {
  return value.compare(QLatin1String(name), Qt::CaseInsensitive) == 0;
}

QString modelScalingType(const ModelSpec& model) {
  return model.ropeScaling ? model.ropeScaling->type.toLower() : QString();
}

// How many of the RoPE settings the file and the model share: base, scaling type.
int ropeAgreement(const ModelSpec& fileSpec, const QString& fileScaling, const ModelSpec& model) {
  const bool sameBase = std::fabs(fileSpec.ropeTheta - model.ropeTheta) <= 1e-6 * std::fabs(model.ropeTheta);
  return (sameBase ? 1 : 0) + (fileScaling == modelScalingType(model) ? 1 : 0);
}

template <typename T>
void compareField(QStringList& out, const char* field, T inFile, T inModel) {
  if (inFile != inModel)
    out << QStringLiteral("%1: %2 in the file, %3").arg(QLatin1String(field)).arg(inFile).arg(inModel);
}

}  // namespace

QString ggufArchitectureFor(const ModelSpec& model) {
  const QString type = model.architecture.toLower();
  if (named(type, "mistral") || named(type, "mixtral")) return QStringLiteral("llama");
  if (named(type, "gemma3_text")) return QStringLiteral("gemma3");
  if (named(type, "deepseek_v2") || named(type, "deepseek_v3")) return QStringLiteral("deepseek2");
  return type;
}

QString ggufRopeScalingType(const GgufFile& file, const ModelSpec& fileSpec) {
  if (fileSpec.ropeScaling) return modelScalingType(fileSpec);
  return file.findTensor(QStringLiteral("rope_freqs.weight")) ? QStringLiteral("llama3") : QString();
}

QStringList shapeDifferences(const ModelSpec& fileSpec, const ModelSpec& model) {
  QStringList out;
  const QString architecture = ggufArchitectureFor(model);
  if (fileSpec.architecture.toLower() != architecture)
    out << QStringLiteral("architecture: %1 in the file, %2").arg(fileSpec.architecture, architecture);
  compareField(out, "layers", fileSpec.layers, model.layers);
  compareField(out, "embedding", fileSpec.hiddenSize, model.hiddenSize);
  compareField(out, "heads", fileSpec.heads, model.heads);
  compareField(out, "KV heads", fileSpec.kvHeads, model.kvHeads);
  compareField(out, "FFN", fileSpec.intermediateSize, model.intermediateSize);
  compareField(out, "vocabulary", fileSpec.vocabSize, model.vocabSize);
  compareField(out, "experts", fileSpec.moe.experts, model.moe.experts);
  return out;
}

QString shapeText(const ModelSpec& spec) {
  return QStringLiteral("%1, %2 layers, embedding %3, %4 heads (%5 KV), FFN %6, vocabulary %7")
      .arg(spec.architecture)
      .arg(spec.layers)
      .arg(tokensFull(spec.hiddenSize))
      .arg(spec.heads)
      .arg(spec.kvHeads)
      .arg(tokensFull(spec.intermediateSize), tokensFull(spec.vocabSize));
}

CatalogueMatch matchCatalogueModel(const GgufFile& file, const std::vector<ModelSpec>& catalogue) {
  CatalogueMatch match;
  match.file = modelSpecFromGguf(file, QFileInfo(file.source()).completeBaseName());
  const QString fileScaling = ggufRopeScalingType(file, match.file);
  int best = -1;
  for (const ModelSpec& model : catalogue) {
    if (!shapeDifferences(match.file, model).isEmpty()) continue;
    const int agreement = ropeAgreement(match.file, fileScaling, model);
    if (agreement > best) {
      if (match.model) match.alsoMatching << match.model->id;
      match.model = &model;
      best = agreement;
    } else {
      match.alsoMatching << model.id;
    }
  }
  return match;
}

}  // namespace sinkscope
