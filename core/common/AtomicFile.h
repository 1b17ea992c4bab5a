// Writing a whole file atomically: the one place every export, report and fixture writer goes
// through (docs/limits.md, "Threat model"). Not for streaming writes or for choosing where to write.
#pragma once

#include <QByteArray>
#include <QString>

namespace sinkscope {

enum class ExistingFile { Replace, Refuse };

// The field of the Error that ExistingFile::Refuse throws for an existing path. Core says only
// "already exists"; each front end says how its user asks for the file to be replaced (the
// command line maps this field to --force, app/cli/CliSupport.cpp).
inline const QString kExistingFileField = QStringLiteral("existing_file");

// Writes bytes to path through a temporary file in the same folder, then renames it into place;
// on any failure, and on SIGINT, SIGTERM or SIGHUP during the write, nothing is left behind (no
// partial or temporary file) and Error(BadInput) names the path with the system's reason.
// - ExistingFile::Refuse: an existing path is an error (field kExistingFileField), decided
//   atomically (two writers at once: exactly one succeeds).
// - ExistingFile::Replace: only a regular file is replaced (never a device, FIFO or folder).
// - A file this process read as an input (common/InputFile.h) is never replaced.
// - Empty bytes are an internal error: an output that came out empty is never a success.
// - A signal during the write whose previous handling lets the process go on (a command that
//   turns Ctrl+C into a cancellation) ends the write with Cancelled, the temporary file removed.
void writeFileAtomically(const QString& path, const QByteArray& bytes,
                         ExistingFile existing = ExistingFile::Replace);

}  // namespace sinkscope
