#include "common/Error.h"

#include <QStringList>

namespace sinkscope {

static std::string joinParts(const QString& source, const QString& field, const QString& message) {
  QStringList parts;
  if (!source.isEmpty()) parts << source;
  if (!field.isEmpty()) parts << field;
  parts << message;
  return parts.join(QStringLiteral(": ")).toStdString();
}

Error::Error(ErrorKind kind, QString source, QString field, QString message)
    : std::runtime_error(joinParts(source, field, message)),
      kind_(kind),
      source_(std::move(source)),
      field_(std::move(field)),
      message_(std::move(message)) {}

QString Error::describe() const { return QString::fromStdString(what()); }

void throwBadInput(const QString& source, const QString& field, const QString& message) {
  throw Error(ErrorKind::BadInput, source, field, message);
}

void throwUsage(const QString& flag, const QString& message) {
  throw Error(ErrorKind::Usage, flag, QString(), message);
}

}  // namespace sinkscope
