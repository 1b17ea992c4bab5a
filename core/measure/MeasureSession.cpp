#include "measure/MeasureSession.h"

#include "catalog/Catalog.h"
#include "catalog/CatalogueMatch.h"
#include "catalog/GgufImport.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/MeasureInput.h"
#include "inference/MemoryBudget.h"
#include "inference/Tokenizer.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <algorithm>
#include <iterator>

namespace sinkscope {

namespace {

QString inputPathOf(const MeasureInput& input) {
  if (!input.tokensPath.isEmpty()) return input.tokensPath;
  return input.textPath.isEmpty() ? kSampleTextPath : input.textPath;
}

std::vector<int> readTokens(const MeasureInput& input, const GgufFile& gguf, int vocabSize) {
  if (!input.tokensPath.isEmpty())
    return parseTokenIds(readMeasureInput(input.tokensPath), input.tokensPath, vocabSize);
  return tokenizeMeasureText(gguf, inputPathOf(input), input.parseSpecial);
}

void keepContext(std::vector<int>& tokens, const MeasureInput& input) {
  if (!input.contextTokens) return;
  if (input.contextRequest == ContextRequest::AtMost)
    keepFirstTokens(tokens, std::min<qint64>(*input.contextTokens, qint64(tokens.size())),
                    inputPathOf(input));
  else
    keepFirstTokens(tokens, input.contextTokens, inputPathOf(input));
}

// The catalogue model the input names for this file, when the file has its shape and the
// catalogue knows its trained context; else null.
const ModelSpec* chosenCatalogueModel(const MeasureInput& input, const GgufFile& gguf) {
  if (!input.catalogueModel || input.catalogueModel->trainedContext <= 0) return nullptr;
  const ModelSpec fileSpec = modelSpecFromGguf(gguf, QFileInfo(input.ggufPath).completeBaseName());
  return shapeDifferences(fileSpec, *input.catalogueModel).isEmpty() ? &*input.catalogueModel : nullptr;
}

}  // namespace

MeasureSession::MeasureSession(const MeasureInput& input)
    : ggufPath_(input.ggufPath), inputPath_(inputPathOf(input)) {
  if (input.contextTokens && *input.contextTokens < 2)
    throwBadInput(QString(), measure_field::kContext, QStringLiteral("needs at least 2 tokens"));
  gguf_ = std::make_shared<const GgufFile>(ggufPath_);
  const GgufFile& gguf = *gguf_;
  // Refuse what this machine cannot hold before allocating it (docs/limits.md): the weights (with
  // the asked context's activations) now, the actual token count once it is known.
  requireMemoryFor(estimateMeasureMemory(gguf, input.contextTokens.value_or(0)), ggufPath_);
  model_ = std::make_shared<const LlamaModel>(LlamaModel::load(gguf));
  tokens_ = readTokens(input, gguf, model_->hyper().vocabSize);
  keepContext(tokens_, input);
  if (qint64(tokens_.size()) > kMaxMeasuredTokens)
    throwBadInput(
        inputPath_, QStringLiteral("tokens"),
        QStringLiteral("%1 tokens exceed the limit of %2 for measured mode; measure a shorter context")
            .arg(tokens_.size())
            .arg(kMaxMeasuredTokens));
  requireMemoryFor(estimateMeasureMemory(gguf, qint64(tokens_.size())), ggufPath_);
  modelName_ = checkpointName(gguf, ggufPath_);
  // The trained context: the one given, else that of the catalogue model chosen for the file when
  // the file has its shape, else the catalogue's for a checkpoint it knows by file name
  // (stories260K: 512, while its GGUF says 2048), else the GGUF's context_length.
  if (input.trainedContext) {
    trainedContext_ = *input.trainedContext;
    trainedContextSource_ = input.trainedContextSource;
  } else if (const ModelSpec* chosen = chosenCatalogueModel(input, gguf)) {
    trainedContext_ = chosen->trainedContext;
    trainedContextSource_ = QStringLiteral("the catalogue's %1").arg(chosen->id);
  } else if (const ModelSpec* known = Catalog::builtin().findModel(QFileInfo(ggufPath_).completeBaseName())) {
    trainedContext_ = known->trainedContext;
    trainedContextSource_ = QStringLiteral("the catalogue's %1").arg(known->id);
  } else {
    trainedContext_ = model_->hyper().contextLength;
    trainedContextSource_ = model_->hyper().architecture + QStringLiteral(".context_length");
  }
}

MeasureSettings MeasureSession::withTrainedContext(MeasureSettings settings) const {
  settings.trainedContext = trainedContext_;
  settings.trainedContextSource = trainedContextSource_;
  return settings;
}

MeasureSettings MeasureSession::withProgress(MeasureSettings settings, qint64 totalTokenPasses,
                                             const std::function<void(const MeasureProgress&)>& onProgress) {
  if (!onProgress) return settings;
  auto timer = std::make_shared<QElapsedTimer>();
  timer->start();
  const std::function<void(double)> inner = settings.progress;
  settings.progress = [inner, onProgress, timer, totalTokenPasses](double fraction) {
    if (inner) inner(fraction);
    onProgress(measureProgressAt(fraction, double(timer->nsecsElapsed()) * 1e-9, totalTokenPasses));
  };
  return settings;
}

Measurement MeasureSession::run(MeasureSettings settings,
                                const std::function<void(const MeasureProgress&)>& onProgress) const {
  settings = withTrainedContext(std::move(settings));
  const qint64 n = qint64(tokens_.size());
  settings = withProgress(std::move(settings), n * measurePasses(settings, n, trainedContext_), onProgress);
  return measure(*model_, ggufPath_, modelName_, tokens_, settings);
}

MeasuredRuns MeasureSession::runEach(const std::vector<Mitigation>& mitigations, MeasureSettings settings,
                                     const std::function<void(const MeasureProgress&)>& onProgress) const {
  settings = withTrainedContext(std::move(settings));
  const qint64 n = qint64(tokens_.size());
  std::vector<Mitigation> measurable;  // the passes of the runs this model can make
  std::copy_if(mitigations.begin(), mitigations.end(), std::back_inserter(measurable),
               [this](Mitigation m) { return whyNotMeasurable(m, *model_).isEmpty(); });
  settings = withProgress(std::move(settings),
                          n * measureEachPasses(settings, measurable, n, trainedContext_), onProgress);
  return measureEach(*model_, ggufPath_, modelName_, tokens_, mitigations, settings);
}

}  // namespace sinkscope
