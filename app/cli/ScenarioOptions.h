// The scenario flags `report` and `chart` share (--model, --hardware, --context, --mitigations,
// --out, --force) and their checks (exit 2 naming the flag). Not the commands themselves.
#pragma once

#include "report/Report.h"

#include <QCommandLineParser>

namespace sinkscope::cli {

void addScenarioOptions(QCommandLineParser& parser);
// --hardware falls back to the default scenario's when not required and absent.
ReportScenario readScenario(const QCommandLineParser& parser, bool hardwareRequired);
// "baseline,ntk" -> mitigations; Error(Usage) naming --mitigations for an unknown name.
std::vector<Mitigation> parseMitigationList(const QString& text);

}  // namespace sinkscope::cli
