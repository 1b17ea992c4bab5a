#include "planner/Confidence.h"

#include <algorithm>
#include <cmath>

namespace sinkscope {

namespace {

QString ratioText(double ratio) {
  return QString::number(ratio, 'f', ratio < 10 ? 1 : 0);
}

void add(Confidence& confidence, const QString& code, double deduction, const QString& text) {
  confidence.reasons.push_back({code, deduction, text});
}

void contextReasons(const ConfidenceInputs& in, const ConfidenceWeights& w, Confidence& c) {
  if (in.trainedContextTokens > 0 && in.contextTokens > in.trainedContextTokens) {
    const double ratio = double(in.contextTokens) / double(in.trainedContextTokens);
    QString text = QStringLiteral("context %1 is %2× the trained %3")
                       .arg(in.contextTokens)
                       .arg(ratioText(ratio))
                       .arg(in.trainedContextTokens);
    if (!in.extrapolationDetail.isEmpty()) text += QStringLiteral(": ") + in.extrapolationDetail;
    text += QStringLiteral(
                "; confidence is capped at %1 past the trained context — re-run the probe at a "
                "smaller context to check")
                .arg(w.beyondTrainedCap);
    add(c, QStringLiteral("beyond_trained"), 0, text);
  } else if (in.trainedContextTokens > 0) {
    add(c, QStringLiteral("within_trained"), 0,
        QStringLiteral("context %1 is within the trained %2")
            .arg(in.contextTokens)
            .arg(in.trainedContextTokens));
  }
  if (in.contextCapTokens > 0 && in.contextTokens > in.contextCapTokens) {
    const double doublings = std::log2(double(in.contextTokens) / double(in.contextCapTokens));
    const double deduction = std::min(w.beyondCapMax, w.beyondCapPerDoubling * doublings);
    add(c, QStringLiteral("beyond_cap"), deduction,
        QStringLiteral("context %1 is %2× the context_cap %3 of %4: expect degraded attention past the cap")
            .arg(in.contextTokens)
            .arg(ratioText(double(in.contextTokens) / double(in.contextCapTokens)))
            .arg(in.contextCapTokens)
            .arg(in.mitigation));
  }
}

void inputReasons(const ConfidenceInputs& in, const ConfidenceWeights& w, Confidence& c) {
  if (!in.qualityMeasured)
    add(c, QStringLiteral("estimated_quality"), w.estimatedQuality,
        QStringLiteral("quality and effective context are modelled from published results, not measured on "
                       "this checkpoint"));
  if (!in.defaultedFields.isEmpty())
    add(c, QStringLiteral("defaulted_fields"),
        std::min(w.defaultedFieldsMax, w.defaultedField * in.defaultedFields.size()),
        QStringLiteral("SinkScope filled in %1 with defaults: %2")
            .arg(in.defaultedFields.size() == 1 ? QStringLiteral("a field")
                                                : QStringLiteral("%1 fields").arg(in.defaultedFields.size()))
            .arg(in.defaultedFields.join(QStringLiteral(", "))));
  if (!in.missingHardware.isEmpty())
    add(c, QStringLiteral("missing_hardware"), w.missingHardware,
        QStringLiteral("hardware figures missing or substituted: %1; throughput is less certain")
            .arg(in.missingHardware.join(QStringLiteral(", "))));
  if (in.fits && in.memoryMarginShare < w.memoryMarginShare)
    add(c, QStringLiteral("memory_margin"), w.memoryMargin,
        QStringLiteral("it fits with only %1 % of usable memory to spare (under %2 %): allocator slack could "
                       "tip it over")
            .arg(QString::number(100.0 * std::max(0.0, in.memoryMarginShare), 'f', 1))
            .arg(QString::number(100.0 * w.memoryMarginShare, 'f', 0)));
  if (in.anchorDistanceDoublings > 0.05)
    add(c, QStringLiteral("anchor_distance"),
        std::min(w.anchorDistanceMax, w.anchorDistancePerDoubling * in.anchorDistanceDoublings),
        QStringLiteral("the estimate extrapolates %1 doublings beyond its reference points (%2)")
            .arg(QString::number(in.anchorDistanceDoublings, 'f', 1),
                 in.anchorNames.isEmpty() ? QStringLiteral("none cover this mitigation") : in.anchorNames));
  if (!in.notApplicableReason.isEmpty())
    add(c, QStringLiteral("not_applicable"), w.notApplicable, in.notApplicableReason);
  if (in.borrowedSeries)
    add(c, QStringLiteral("borrowed_series"), w.borrowedSeries,
        QStringLiteral("the quality series is another model's of the same family and recipe (%1)")
            .arg(in.anchorNames));
  const double lowestBits = std::min(in.weightBitsPerWeight, in.kvBitsPerElement);
  if (lowestBits < 4.0)
    add(c, QStringLiteral("low_bit_quantization"), w.lowBitQuantization,
        QStringLiteral("quantisation below 4 bits (%1 bits per %2): quality loss is model-dependent")
            .arg(QString::number(lowestBits, 'g', 3))
            .arg(in.weightBitsPerWeight <= in.kvBitsPerElement ? QStringLiteral("weight")
                                                               : QStringLiteral("KV element")));
}

// Every layer slides a window shorter than the trained context, so training already saw it roll.
bool rollingWindowTrained(const ModelSpec& model, qint64 trained) {
  if (model.slidingWindow <= 0 || model.slidingWindow >= trained) return false;
  for (int layer = 0; layer < model.layers; ++layer)
    if (model.layerType(layer) == LayerAttention::Full) return false;
  return true;
}

}  // namespace

double defaultScalingFactor(qint64 contextTokens, qint64 trainedContextTokens) {
  if (trainedContextTokens <= 0 || contextTokens <= trainedContextTokens) return 1.0;
  return double(contextTokens) / double(trainedContextTokens);
}

bool shipsWithMitigation(const ModelSpec& model, Mitigation mitigation) {
  if (!model.usesRope || !model.ropeScaling) return false;
  const QString type = model.ropeScaling->type.toLower();
  switch (mitigation) {
    case Mitigation::Linear:
      return type == QLatin1String("linear");
    case Mitigation::DynamicNtk:
      return type == QLatin1String("dynamic");
    case Mitigation::Yarn:
      return type == QLatin1String("yarn");
    case Mitigation::Llama3:
      return type == QLatin1String("llama3");
    case Mitigation::LongRope:
      return type == QLatin1String("longrope") || type == QLatin1String("su");
    default:
      return false;
  }
}

qint64 shippedScalingContext(const ModelSpec& model, qint64 trainedContextTokens) {
  const qint64 shipped = std::max(trainedContextTokens, model.maxPositionEmbeddings);
  const auto& recipe = model.longContextRecipe;
  if (recipe && recipe->builtIn && recipe->mitigation != QLatin1String("none") &&
      recipe->supportedContext > 0)
    return std::max(trainedContextTokens, std::min(shipped, recipe->supportedContext));
  return shipped;
}

ContextCap estimateContextCap(const ModelSpec& model, Mitigation mitigation, double factor,
                              const PlannerResources& resources, bool windowHonoured) {
  ContextCap cap;
  cap.factor = std::max(1.0, factor);
  const qint64 trained = trainedContextOrMaxPositions(model);
  const qint64 shipped = shippedScalingContext(model, trained);
  const bool shipsScaling = model.ropeScaling.has_value() && !model.ropeScaling->type.isEmpty();
  const auto& recipe = model.longContextRecipe;
  if (recipe && !recipe->builtIn && recipe->mitigation == mitigationName(mitigation) &&
      std::abs(recipe->factor - cap.factor) < 1e-6) {
    cap.tokens = std::max(trained, recipe->supportedContext);
    cap.basis =
        QStringLiteral("the vendor's recipe supports %1 tokens: %2").arg(cap.tokens).arg(recipe->source);
    return cap;
  }
  if (mitigation == Mitigation::Baseline && windowHonoured && rollingWindowTrained(model, trained)) {
    cap.tokens = 0;
    cap.basis = QStringLiteral(
                    "every layer keeps a %1-token sliding window that already rolled during training at %2: "
                    "no query sees a distance it was not trained on, at any length")
                    .arg(model.slidingWindow)
                    .arg(trained);
    return cap;
  }
  if (mitigation == Mitigation::Baseline && recipe && recipe->mitigation == QLatin1String("none") &&
      recipe->supportedContext > trained) {
    // A model trained to extrapolate without a scaling block (Code Llama's rope base 1e6): the
    // vendor's supported length, with its source (resources/models.json). Not "trained with a
    // scaling": it was fine-tuned at its trained context and extrapolates past it.
    cap.tokens = recipe->supportedContext;
    cap.basis =
        QStringLiteral("the vendor supports %1 tokens as shipped: %2").arg(cap.tokens).arg(recipe->source);
    return cap;
  }
  if (mitigation == Mitigation::Baseline || shipsWithMitigation(model, mitigation)) {
    cap.fineTuned = shipsScaling || mitigation != Mitigation::Baseline;
    cap.tokens = cap.fineTuned ? shipped : trained;
    cap.basis = cap.fineTuned
                    ? QStringLiteral(
                          "the model ships this scaling and was trained with it: %1 tokens (its "
                          "max_position_embeddings, or less where the vendor supports less)")
                          .arg(shipped)
                    : QStringLiteral("baseline: the trained context %1").arg(trained) + QStringLiteral(" (") +
                          resources.contextExtensionSource.at(Mitigation::Baseline) + QStringLiteral(")");
    return cap;
  }
  const double known = resources.contextExtension.at(mitigation);
  const QString& source = resources.contextExtensionSource.at(mitigation);
  if (known <= 0) {
    cap.tokens = 0;
    cap.basis = QStringLiteral("no cap on the stream length (%1)").arg(source);
    return cap;
  }
  // ALiBi has no factor: its extrapolation is what the model does by itself.
  const double extension = mitigation == Mitigation::Alibi ? known : std::min(known, cap.factor);
  cap.tokens = static_cast<qint64>(std::floor(double(trained) * extension));
  cap.basis =
      QStringLiteral("trained %1 × %2 (the smaller of the factor %3 and the %4× %5 holds untuned: %6)")
          .arg(trained)
          .arg(QString::number(extension, 'g', 4))
          .arg(QString::number(cap.factor, 'g', 4))
          .arg(QString::number(known, 'g', 4))
          .arg(mitigationName(mitigation))
          .arg(source);
  return cap;
}

Confidence assessConfidence(const ConfidenceInputs& in, const ConfidenceWeights& w) {
  Confidence c;
  contextReasons(in, w, c);
  inputReasons(in, w, c);
  double value = 1.0;
  for (const ConfidenceReason& reason : c.reasons) value -= reason.deduction;
  value = std::clamp(value, w.floor, 1.0);
  const double low = in.tier == ConfidenceTier::Works      ? w.worksFloor
                     : in.tier == ConfidenceTier::Degraded ? w.degradedFloor
                                                           : w.floor;
  const double high = in.tier == ConfidenceTier::Works      ? 1.0
                      : in.tier == ConfidenceTier::Degraded ? w.degradedCeiling
                                                            : w.collapsesCeiling;
  const double held = std::clamp(value, low, high);
  if (held != value || in.tier != ConfidenceTier::Works)
    add(c, QStringLiteral("verdict"), 0,
        QStringLiteral(
            "%1: confidence is held in [%2, %3], so that no setting predicted to collapse scores above one "
            "predicted to work")
            .arg(in.verdictText.isEmpty() ? QStringLiteral("the verdict") : in.verdictText)
            .arg(low)
            .arg(high));
  value = held;
  // A band reaching a collapse: the estimate cannot rule it out (a band reaching "degraded" only
  // is the ordinary spread of the published readings and costs nothing more).
  if (in.pessimisticTier == ConfidenceTier::Collapses && in.tier != ConfidenceTier::Collapses &&
      value > low) {
    value = low;
    add(c, QStringLiteral("band_reaches_collapse"), 0,
        QStringLiteral(
            "the pessimistic end of the quality band (%1 %) collapses: the estimate cannot rule that out, "
            "so confidence is held at %2, the floor of its verdict's range")
            .arg(QString::number(100.0 * in.pessimisticQuality, 'g', 2))
            .arg(low));
  }
  if (in.anchorDistanceDoublings > 0.05 && value > w.extrapolatedCeiling) {
    value = w.extrapolatedCeiling;
    add(c, QStringLiteral("extrapolated"), 0,
        QStringLiteral("no published point covers this length for this setting: confidence is held at %1")
            .arg(w.extrapolatedCeiling));
  }
  if (in.trainedContextTokens > 0 && in.contextTokens > in.trainedContextTokens)  // rule 1, applied last
    value = std::min(value, w.beyondTrainedCap);
  c.value = value;
  return c;
}

}  // namespace sinkscope
