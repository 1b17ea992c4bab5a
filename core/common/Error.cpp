#include "common/Error.h"

#include "common/SafeText.h"

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

// Control characters escaped (common/SafeText.h): a message quoting a file stays one safe line,
// NUL included (what() is a C string and would end there).
QString Error::describe() const {
  QStringList parts;
  if (!source_.isEmpty()) parts << source_;
  if (!field_.isEmpty()) parts << field_;
  parts << message_;
  QString text = parts.join(QStringLiteral(": "));
  if (!remedy_.isEmpty()) text += QStringLiteral("; ") + remedy_.arg(remedyName_);
  return escapeControlCharacters(text);
}

Error& Error::withRemedy(QString remedy, QString remedyField) {
  remedy_ = std::move(remedy);
  remedyField_ = std::move(remedyField);
  remedyName_ = remedyField_;
  return *this;
}

Error Error::at(const QString& source, const QString& field) const {
  Error moved(kind_, source, field, message_);
  moved.remedy_ = remedy_;
  moved.remedyField_ = remedyField_;
  moved.remedyName_ = remedyName_;
  return moved;
}

Error Error::remedyNaming(const QString& name) const {
  Error renamed = *this;
  renamed.remedyName_ = name;
  return renamed;
}

QString escapeControlCharacters(const QString& text, bool keepLineBreaks) {
  QString escaped;
  escaped.reserve(text.size());
  for (const QChar c : text) {
    const char16_t code = c.unicode();
    const bool control = code < 0x20 || code == 0x7f || (code >= 0x80 && code < 0xa0);
    if (!control || (keepLineBreaks && (code == u'\n' || code == u'\t')))
      escaped += c;
    else
      escaped += code < 0x80 ? QStringLiteral("\\x%1").arg(int(code), 2, 16, QLatin1Char('0'))
                             : QStringLiteral("\\u{%1}").arg(int(code), 4, 16, QLatin1Char('0'));
  }
  return escaped;
}

void throwBadInput(const QString& source, const QString& field, const QString& message) {
  throw Error(ErrorKind::BadInput, source, field, message);
}

void throwUsage(const QString& flag, const QString& message) {
  throw Error(ErrorKind::Usage, flag, QString(), message);
}

}  // namespace sinkscope
