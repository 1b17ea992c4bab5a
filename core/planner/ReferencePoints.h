// The published reference points of resources/references.json and the model parameters derived
// from them (past-reach decay, retention per doubling, StreamingLLM ratios, RULER strictness).
// Not the estimate itself: see MitigationModel.h.
#pragma once

#include <QString>
#include <QStringList>
#include <vector>

namespace sinkscope {

// A central value with the band around it (optimistic and pessimistic readings).
struct Band {
  double central = 0;
  double low = 0;
  double high = 0;
};

struct ReferenceValue {
  qint64 contextTokens = 0;  // 0 when the metric is itself a length (passkey context)
  double value = 0;
  bool lowerBound = false;  // published as "> value"
  bool upperBound = false;  // published as "< value"
};

// A catalogue model's own published series: how its values map to quality at a length.
enum class CurveKind {
  None,        // not a series SinkScope interpolates
  Cumulative,  // perplexity over the whole prefix of each length (per-position quality is derived)
  PerLength    // a score measured at each length (RULER)
};

struct ReferencePoint {
  QString id;
  QString source;
  QString model;
  QString modelId;     // catalogue id when the catalogue has the model
  QString mitigation;  // mitigation name, "unknown" when the source does not say
  bool fineTuned = false;
  qint64 trainedContext = 0;
  double factor = 1;
  QString metric;  // key of references.json "metrics"
  qint64 claimedContext = 0;
  std::vector<ReferenceValue> values;
  CurveKind curve = CurveKind::None;
  qint64 curveReferenceContext = 0;  // the in-distribution length whose value counts as 100 %
  QStringList borrowedFor;           // catalogue ids that use this series from their family
  QString runtimeWindow;             // "ignored", "enforced", or empty (no window, or either)
  // The span of context / trained context the point covers (for the extrapolation distance).
  double ratioLow() const;
  double ratioHigh() const;
};

// A derived parameter with its central value and band, and the reference ids that fix it.
struct DerivedParameter {
  double central = 0;
  double low = 0;
  double high = 0;
  QString derivation;   // how it follows from the points
  QStringList anchors;  // reference ids
};

struct SourceDocumentRow {
  QString modelId;
  QString mitigation;
  qint64 trainedContext = 0;
  qint64 contextTokens = 0;
  qint64 effectiveContext = 0;
  double quality = 0;
  QString text;
};

struct ReferenceSet {
  std::vector<ReferencePoint> points;
  QString sourceDocumentSource;  // the "source" of the source document's rows
  std::vector<SourceDocumentRow> sourceDocument;
  QStringList sourceDocumentClaims;
  QString metricDefinition(const QString& metric) const;
  const ReferencePoint* find(const QString& id) const;

  DerivedParameter pastReachDecay;       // gamma in Q = exp(-gamma (x - 1)^2), x = distance / reach
  DerivedParameter fineTunedRetention;   // quality kept per doubling past the trained context, fine-tuned
  DerivedParameter untunedRetention;     // the same without fine-tuning (an assumption built on the above)
  DerivedParameter streamingRetention;   // StreamingLLM with 4 sinks vs 8 sinks (perplexity ratio)
  DerivedParameter windowOnlyRetention;  // StreamingLLM's window-without-sinks control
  DerivedParameter rulerStrictness;      // RULER effective length / claimed length

 private:
  std::vector<std::pair<QString, QString>> metricDefinitions_;
  friend ReferenceSet loadReferenceSet(const QString& path);
};

// A reference point that reports an effective context, placed on an effective-context-against-
// context chart: passkey_context (stored [0, length]: retrieved up to length, so at x = length,
// y = length; DeepSeek-V2's needle [context, length]), ruler_effective_length ([claimed, effective]),
// "claim" points and the source document's rows (claims, never measured). Perplexity, RULER
// scores and retrieval accuracy are not effective contexts and are left out.
struct EffectiveContextReference {
  QString id;  // point id, or "source-document-N" for the document's rows
  QString source;
  QString model;       // as the source names it
  QString modelId;     // catalogue id, empty when the catalogue lacks the model
  QString mitigation;  // mitigation name, "unknown" when the source does not say
  QString metric;      // passkey_context, ruler_effective_length or claim
  bool fineTuned = false;
  qint64 contextTokens = 0;    // x: the context measured at, or claimed
  double effectiveTokens = 0;  // y
  bool lowerBound = false;     // published as "> value"
  bool upperBound = false;     // published as "< value"
};
std::vector<EffectiveContextReference> effectiveContextReferences(const ReferenceSet& set);
// The metrics effectiveContextReferences() keeps.
bool reportsEffectiveContext(const QString& metric);

// ":/references.json", loaded and derived once.
const ReferenceSet& referenceSet();
// Throws Error(BadInput) naming the file and field.
ReferenceSet loadReferenceSet(const QString& path);

}  // namespace sinkscope
