// Malformed GGUF files for the bad-input catalogue, built byte by byte so that each breaks one
// rule of the format (counts, sizes, offsets, types). Not a GGUF writer: see GgufWriter.h.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace sinkscope::test {

// The bytes of the named fixture ("valid", "bad_magic", "truncated_header", ...); an unknown
// name returns a null QByteArray.
QByteArray badGgufFixture(const QString& name);
QStringList badGgufFixtureNames();

}  // namespace sinkscope::test
