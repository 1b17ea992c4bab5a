#include "common/JsonRead.h"

#include "common/Error.h"
#include "common/InputFile.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <cmath>

namespace sinkscope {

QJsonObject parseJsonObject(const QByteArray& bytes, const QString& source) {
  QJsonParseError parseError;
  // A UTF-8 byte-order mark (Windows editors write one) is not JSON; skip it (docs/limits.md).
  const bool byteOrderMark = bytes.startsWith("\xEF\xBB\xBF");
  const QJsonDocument document = QJsonDocument::fromJson(byteOrderMark ? bytes.mid(3) : bytes, &parseError);
  if (parseError.error != QJsonParseError::NoError)
    throwBadInput(source, QString(),
                  QStringLiteral("not valid JSON at byte %1 (%2)")
                      .arg(parseError.offset)
                      .arg(parseError.errorString()));
  if (!document.isObject())
    throwBadInput(source, QString(), QStringLiteral("expected a JSON object at the top level"));
  return document.object();
}

QJsonObject readJsonObjectFile(const QString& path) {
  // Bounded, and a pipe or device read once without waiting on it (docs/limits.md).
  constexpr qint64 kMaxJsonBytes = 64ll << 20;
  return parseJsonObject(readInputBytes(path, kMaxJsonBytes), path);
}

namespace {

void requireFiniteValue(const QJsonValue& value, const QString& path, const QString& source) {
  if (value.isDouble() && !std::isfinite(value.toDouble()))
    throw Error(ErrorKind::Internal, source, path,
                QStringLiteral("the result is %1, not a finite number").arg(value.toDouble()));
  if (value.isObject()) {
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it)
      requireFiniteValue(it.value(), path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key(), source);
  } else if (value.isArray()) {
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i)
      requireFiniteValue(array.at(i), QStringLiteral("%1[%2]").arg(path).arg(i), source);
  }
}

}  // namespace

void requireFiniteNumbers(const QJsonObject& object, const QString& source) {
  requireFiniteValue(object, QString(), source);
}

JsonReader::JsonReader(QJsonObject object, QString source, QString prefix)
    : object_(std::move(object)), source_(std::move(source)), prefix_(std::move(prefix)) {}

bool JsonReader::has(const QString& key) const {
  return object_.contains(key) && !object_.value(key).isNull();
}

QString JsonReader::path(const QString& key) const {
  return prefix_.isEmpty() ? key : prefix_ + QLatin1Char('.') + key;
}

void JsonReader::fail(const QString& key, const QString& message) const {
  throwBadInput(source_, path(key), message);
}

QString JsonReader::requireString(const QString& key) const {
  if (!has(key)) fail(key, QStringLiteral("missing"));
  const auto value = optionalString(key);
  return *value;
}

std::optional<QString> JsonReader::optionalString(const QString& key) const {
  if (!has(key)) return std::nullopt;
  const QJsonValue value = object_.value(key);
  if (!value.isString()) fail(key, QStringLiteral("expected a string"));
  return value.toString();
}

static qint64 checkedInt(const JsonReader& reader, const QString& key, const QJsonValue& value,
                         qint64 minimum, qint64 maximum) {
  if (!value.isDouble()) reader.fail(key, QStringLiteral("expected a number"));
  const double number = value.toDouble();
  if (!std::isfinite(number) || number != std::floor(number))
    reader.fail(key, QStringLiteral("expected a whole number, got %1").arg(number));
  if (number < double(minimum) || number > double(maximum))
    reader.fail(key,
                QStringLiteral("%1 is outside [%2, %3]").arg(number, 0, 'g', 17).arg(minimum).arg(maximum));
  return static_cast<qint64>(number);
}

qint64 JsonReader::requireInt(const QString& key, qint64 minimum, qint64 maximum) const {
  if (!has(key)) fail(key, QStringLiteral("missing"));
  return checkedInt(*this, key, object_.value(key), minimum, maximum);
}

std::optional<qint64> JsonReader::optionalInt(const QString& key, qint64 minimum, qint64 maximum) const {
  if (!has(key)) return std::nullopt;
  return checkedInt(*this, key, object_.value(key), minimum, maximum);
}

static double checkedDouble(const JsonReader& reader, const QString& key, const QJsonValue& value,
                            double minimum, double maximum) {
  if (!value.isDouble()) reader.fail(key, QStringLiteral("expected a number"));
  const double number = value.toDouble();
  if (!std::isfinite(number)) reader.fail(key, QStringLiteral("must be finite"));
  if (number < minimum || number > maximum)
    reader.fail(key, QStringLiteral("%1 is outside [%2, %3]").arg(number).arg(minimum).arg(maximum));
  return number;
}

double JsonReader::requireDouble(const QString& key, double minimum, double maximum) const {
  if (!has(key)) fail(key, QStringLiteral("missing"));
  return checkedDouble(*this, key, object_.value(key), minimum, maximum);
}

std::optional<double> JsonReader::optionalDouble(const QString& key, double minimum, double maximum) const {
  if (!has(key)) return std::nullopt;
  return checkedDouble(*this, key, object_.value(key), minimum, maximum);
}

std::optional<bool> JsonReader::optionalBool(const QString& key) const {
  if (!has(key)) return std::nullopt;
  const QJsonValue value = object_.value(key);
  if (!value.isBool()) fail(key, QStringLiteral("expected true or false"));
  return value.toBool();
}

std::optional<std::vector<double>> JsonReader::optionalDoubleArray(const QString& key) const {
  if (!has(key)) return std::nullopt;
  const QJsonValue value = object_.value(key);
  if (!value.isArray()) fail(key, QStringLiteral("expected an array of numbers"));
  std::vector<double> numbers;
  const QJsonArray array = value.toArray();
  numbers.reserve(array.size());
  for (qsizetype i = 0; i < array.size(); ++i) {
    if (!array.at(i).isDouble() || !std::isfinite(array.at(i).toDouble()))
      fail(QStringLiteral("%1[%2]").arg(key).arg(i), QStringLiteral("expected a finite number"));
    numbers.push_back(array.at(i).toDouble());
  }
  return numbers;
}

JsonReader JsonReader::requireObject(const QString& key) const {
  if (!has(key)) fail(key, QStringLiteral("missing"));
  auto object = optionalObject(key);
  return *object;
}

std::optional<JsonReader> JsonReader::optionalObject(const QString& key) const {
  if (!has(key)) return std::nullopt;
  const QJsonValue value = object_.value(key);
  if (!value.isObject()) fail(key, QStringLiteral("expected an object"));
  return JsonReader(value.toObject(), source_, path(key));
}

QJsonArray JsonReader::requireArray(const QString& key) const {
  if (!has(key)) fail(key, QStringLiteral("missing"));
  const QJsonValue value = object_.value(key);
  if (!value.isArray()) fail(key, QStringLiteral("expected an array"));
  return value.toArray();
}

}  // namespace sinkscope
