// What the verdict tests share: a plan for a catalogue model on an H100 SXM 80 GB, and the
// published points read from resources/references.json on their own (not through ReferenceSet).
#pragma once

#include "catalog/Catalog.h"
#include "planner/Plan.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <optional>

namespace sinkscope::test {

inline Plan planFor(const QString& model, qint64 context, Runtime runtime = Runtime::Vllm,
                    std::optional<Mitigation> mitigation = std::nullopt) {
  PlanRequest request;
  request.contextTokens = context;
  request.runtime = runtime;
  request.mitigation = mitigation;
  return makePlan(resolveModel(model), resolveHardware(QStringLiteral("h100-sxm-80gb")), request);
}

// resources/references.json read on its own (not through ReferenceSet): id -> point.
inline QHash<QString, QJsonObject> referencePointsFromJson() {
  QFile file(QStringLiteral(":/references.json"));
  if (!file.open(QIODevice::ReadOnly)) qFatal("references.json missing");
  QHash<QString, QJsonObject> points;
  for (const QJsonValue& value :
       QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("points")).toArray())
    points.insert(value.toObject().value(QStringLiteral("id")).toString(), value.toObject());
  return points;
}

inline bool hasReason(const Confidence& confidence, const QString& code) {
  for (const ConfidenceReason& reason : confidence.reasons)
    if (reason.code == code) return true;
  return false;
}

}  // namespace sinkscope::test
