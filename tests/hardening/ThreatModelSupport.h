// Helpers of the threat-model tests (test_threat_inputs, test_threat_outputs, test_threat_signals):
// fixture paths, small files, a shell with the command line as $S. Not tests themselves.
#pragma once

#include "TestSupport.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace sinkscope::test {

inline constexpr int kCancelled = 130;  // 128 + SIGINT: docs/design.md, "One way to fail"

// The smallest Llama GGUF of the fuzz corpus.
QString tinyGgufPath();
// Writes bytes to path (a QVERIFY failure in the caller's test when it cannot).
void writeFile(const QString& path, const QByteArray& bytes);
// The catalogue's Llama 2 config.json base (tests/data/bad_inputs/catalogue.json).
QByteArray llama2Config();
// Runs a bash command line (for process substitution) with the sinkscope binary as $S.
CliResult runShell(const QString& script, int timeoutMs = 60000);
// Hidden and temporary files in folder (what an interrupted write could leave).
QStringList hiddenOrTemporary(const QString& folder);
// Overwrites the first float of the fixture's first F32 tensor (a norm weight) with value.
void poisonFirstFloatTensor(const QString& path, float value);

}  // namespace sinkscope::test
