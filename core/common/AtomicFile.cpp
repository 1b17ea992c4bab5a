#include "common/AtomicFile.h"

#include "common/Error.h"

#include <QFileInfo>
#include <QSaveFile>

namespace sinkscope {

void writeFileAtomically(const QString& path, const QByteArray& bytes, ExistingFile existing) {
  const QFileInfo info(path);
  if (info.exists() && info.isDir()) throwBadInput(path, QString(), QStringLiteral("is a directory"));
  if (info.exists() && existing == ExistingFile::Refuse)
    throwBadInput(path, QString(), QStringLiteral("already exists (use --force to replace it)"));
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly))
    throwBadInput(path, QString(), QStringLiteral("cannot be written (%1)").arg(file.errorString()));
  if (file.write(bytes) != bytes.size()) {
    file.cancelWriting();
    throwBadInput(path, QString(), QStringLiteral("write failed (%1)").arg(file.errorString()));
  }
  if (!file.commit()) throwBadInput(path, QString(), QStringLiteral("write failed (%1)").arg(file.errorString()));
}

}  // namespace sinkscope
