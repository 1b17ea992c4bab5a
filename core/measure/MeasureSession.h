// One measured session, the same for `sinkscope measure`, `sinkscope report --gguf` and the
// Measured tab: open the GGUF, check memory, load, tokenize, name, resolve the trained context,
// run, with one set of rules (docs/measured-mode.md, One session). Not threading, not display.
#pragma once

#include "catalog/ModelSpec.h"
#include "inference/LlamaModel.h"
#include "inference/Measurement.h"
#include "measure/MeasureProgress.h"

#include <QString>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sinkscope {

// Which tokens a session measures.
enum class ContextRequest {
  Exactly,  // the first contextTokens tokens; an input with fewer is bad input (`measure --context`)
  AtMost,   // the first min(contextTokens, tokens) (the Measured tab: the scenario's context)
};

struct MeasureInput {
  QString ggufPath;
  QString textPath;                     // UTF-8 text; the bundled sample when this and tokensPath are empty
  QString tokensPath;                   // token ids instead of a text
  bool parseSpecial = false;            // control tokens written in the text become those tokens
  std::optional<qint64> contextTokens;  // none: every token (at most kMaxMeasuredTokens)
  ContextRequest contextRequest = ContextRequest::Exactly;
  std::optional<qint64> trainedContext;  // overrides the catalogue and the GGUF
  QString trainedContextSource = QStringLiteral("the given trained context");  // how that override is named
  // The catalogue model chosen for this file (the window's scenario): its trained context is used
  // when the file has its architecture and shape (catalog/CatalogueMatch.h); ignored otherwise.
  std::optional<ModelSpec> catalogueModel;
};

// Core's names for the values of MeasureInput and MeasureSettings, as Error::field() carries them
// when a value (not a file) is at fault; the command line maps them to its flags.
namespace measure_field {
inline const QString kContext = QStringLiteral("context_tokens");
inline const QString kWindow = QStringLiteral("window_tokens");
inline const QString kSinks = QStringLiteral("sink_tokens");
}  // namespace measure_field

class MeasureSession {
 public:
  // Opens and checks everything before any weight is loaded: Error(BadInput) naming the file and
  // field at fault (the GGUF, the text or token file, memory), never a partial session.
  explicit MeasureSession(const MeasureInput& input);

  const QString& ggufPath() const { return ggufPath_; }
  const QString& inputPath() const { return inputPath_; }  // the text or token file read
  const QString& modelName() const { return modelName_; }  // general.name, else the file's base name
  const std::vector<int>& tokens() const { return tokens_; }
  qint64 trainedContext() const { return trainedContext_; }
  const QString& trainedContextSource() const { return trainedContextSource_; }
  const LlamaModel& model() const { return *model_; }

  // One mitigation (settings.mitigation). onProgress, when set, hears tokens/s and time left.
  // Throws Cancelled when settings.isCancelled says so.
  Measurement run(MeasureSettings settings,
                  const std::function<void(const MeasureProgress&)>& onProgress = {}) const;
  // Every measurable mitigation in turn (measureEach), sharing one control; the others are listed
  // in notMeasured. Throws Cancelled when settings.isCancelled says so.
  MeasuredRuns runEach(const std::vector<Mitigation>& mitigations, MeasureSettings settings,
                       const std::function<void(const MeasureProgress&)>& onProgress = {}) const;

 private:
  MeasureSettings withTrainedContext(MeasureSettings settings) const;
  static MeasureSettings withProgress(MeasureSettings settings, qint64 totalTokenPasses,
                                      const std::function<void(const MeasureProgress&)>& onProgress);

  QString ggufPath_;
  QString inputPath_;
  QString modelName_;
  // The model's weights are views into this file's memory map (LlamaModel.h): it lives as long.
  std::shared_ptr<const GgufFile> gguf_;
  std::shared_ptr<const LlamaModel> model_;
  std::vector<int> tokens_;
  qint64 trainedContext_ = 0;
  QString trainedContextSource_;
};

}  // namespace sinkscope
