#include "catalog/GgufImport.h"

#include "common/Error.h"

#include <QFile>
#include <QFileInfo>

namespace sinkscope {

bool isGgufFile(const QString& path) {
  if (path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) return true;
  QFile file(path);
  return file.open(QIODevice::ReadOnly) && file.read(4) == QByteArrayLiteral("GGUF");
}

ModelSpec importGgufMetadata(const QString& path) {
  throwBadInput(path, QString(), QStringLiteral("GGUF metadata import needs the GGUF reader, not yet in this build"));
}

}  // namespace sinkscope
