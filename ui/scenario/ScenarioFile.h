// A scenario as a small versioned JSON file (File → Save/Open Scenario, drag and drop), and the
// one mapping between ScenarioValues and named fields, which QSettings uses too. Not the Scenario.
#pragma once

#include "scenario/Scenario.h"

#include <QJsonObject>
#include <QString>

namespace sinkscope::ui {

class SpecLibrary;

inline constexpr int kScenarioFileVersion = 1;
inline constexpr auto kScenarioFileFormat = "sinkscope-scenario";

// The fields of a scenario under their stored names (model, hardware, context_tokens, ...).
QJsonObject scenarioFields(const ScenarioValues& values);
// Reads the fields present in `fields` over `base`; lenient (for QSettings): a field of the wrong
// kind keeps the base value, and Scenario sanitises the rest.
ScenarioValues scenarioFromFields(const QJsonObject& fields, ScenarioValues base);

// The whole file: {"format": "sinkscope-scenario", "version": 1, "scenario": {fields}}.
QByteArray scenarioFileBytes(const ScenarioValues& values);
// Writes atomically; Error(BadInput) names the path on failure.
void writeScenarioFile(const QString& path, const ScenarioValues& values);
// Reads strictly: Error(BadInput) "path: field: what" for a file that is not a scenario, a newer
// version, an unknown mitigation or a value out of range. Model and hardware ids are returned as
// stored; the caller imports or refuses ids its library does not know (missingSpecError).
ScenarioValues readScenarioFile(const QString& path, const ScenarioValues& defaults);
// Whether the file at path declares itself a scenario (reads at most its first 64 KiB).
bool isScenarioFile(const QString& path);

}  // namespace sinkscope::ui
