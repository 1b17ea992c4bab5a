// Writing a whole file atomically (QSaveFile): the one place every export, report and fixture
// writer goes through. Not for streaming writes or for choosing where to write.
#pragma once

#include <QByteArray>
#include <QString>

namespace sinkscope {

enum class ExistingFile { Replace, Refuse };

// Writes bytes to path; on any failure nothing is left behind (no partial or temporary file) and
// Error(BadInput) names the path. With ExistingFile::Refuse an existing file is an error that
// says to use --force; a directory at path is always an error.
void writeFileAtomically(const QString& path, const QByteArray& bytes,
                         ExistingFile existing = ExistingFile::Replace);

}  // namespace sinkscope
