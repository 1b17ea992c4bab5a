// The headless subcommands of docs/design.md's command-line contract, one function each.
// Not the GUI; each returns the process exit status (0, 2 usage, 3 bad input, 4 internal).
#pragma once

#include <QStringList>

namespace sinkscope::cli {

// args: the arguments after the subcommand name.
int runList(const QStringList& args);
int runShow(const QStringList& args);
int runPlan(const QStringList& args);
int runRope(const QStringList& args);
int runProbe(const QStringList& args);
int runMeasure(const QStringList& args);
int runReport(const QStringList& args);
int runChart(const QStringList& args);

}  // namespace sinkscope::cli
