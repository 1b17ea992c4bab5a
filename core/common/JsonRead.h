// Strict readers for JSON objects that name the file and field at fault when a value is
// missing, of the wrong type, or out of range. Not a schema language; callers state each rule.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <optional>
#include <vector>

namespace sinkscope {

// Reads a whole file as one JSON object (a Qt resource path ":/..." works too).
QJsonObject readJsonObjectFile(const QString& path);
QJsonObject parseJsonObject(const QByteArray& bytes, const QString& source);

// Results are finite (docs/limits.md, "Threat model"): JSON has no NaN or infinity (Qt writes
// them as null), so a non-finite number anywhere in object is Error(Internal) naming its path,
// instead of a success with nulls.
void requireFiniteNumbers(const QJsonObject& object, const QString& source);

// A view of one JSON object that remembers where it came from, for error messages.
class JsonReader {
 public:
  JsonReader(QJsonObject object, QString source, QString prefix = QString());

  bool has(const QString& key) const;
  const QJsonObject& object() const { return object_; }
  const QString& source() const { return source_; }
  QString path(const QString& key) const;  // "prefix.key"

  QString requireString(const QString& key) const;
  std::optional<QString> optionalString(const QString& key) const;
  // Integers must be whole numbers within [minimum, maximum].
  qint64 requireInt(const QString& key, qint64 minimum, qint64 maximum) const;
  std::optional<qint64> optionalInt(const QString& key, qint64 minimum, qint64 maximum) const;
  // Doubles must be finite and within [minimum, maximum].
  double requireDouble(const QString& key, double minimum, double maximum) const;
  std::optional<double> optionalDouble(const QString& key, double minimum, double maximum) const;
  std::optional<bool> optionalBool(const QString& key) const;
  std::optional<std::vector<double>> optionalDoubleArray(const QString& key) const;
  JsonReader requireObject(const QString& key) const;
  std::optional<JsonReader> optionalObject(const QString& key) const;  // absent or null -> none
  QJsonArray requireArray(const QString& key) const;

  [[noreturn]] void fail(const QString& key, const QString& message) const;

 private:
  QJsonObject object_;
  QString source_;
  QString prefix_;
};

}  // namespace sinkscope
