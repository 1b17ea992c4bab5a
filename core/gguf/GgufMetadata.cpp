#include "common/Error.h"
#include "gguf/GgufFile.h"

#include <limits>

// The typed views of GGUF metadata: what a value holds, and the getters that name the key when
// it is missing or of the wrong type. The container and its parsing are in GgufFile.cpp.
namespace sinkscope {

// ---- GgufValue ----

GgufValue::GgufValue(GgufValueType type, std::variant<quint64, qint64, double, bool, QString, Array> data,
                     GgufValueType elementType)
    : type_(type), elementType_(elementType), data_(std::move(data)) {}

bool GgufValue::isInteger() const {
  return std::holds_alternative<quint64>(data_) || std::holds_alternative<qint64>(data_);
}
bool GgufValue::isNumber() const {
  return isInteger() || std::holds_alternative<double>(data_);
}

std::optional<qint64> GgufValue::toInteger() const {
  if (const auto* value = std::get_if<qint64>(&data_)) return *value;
  if (const auto* value = std::get_if<quint64>(&data_)) {
    if (*value > quint64(std::numeric_limits<qint64>::max())) return std::nullopt;
    return qint64(*value);
  }
  return std::nullopt;
}

std::optional<double> GgufValue::toNumber() const {
  if (const auto* value = std::get_if<double>(&data_)) return *value;
  if (const auto* value = std::get_if<qint64>(&data_)) return double(*value);
  if (const auto* value = std::get_if<quint64>(&data_)) return double(*value);
  return std::nullopt;
}

std::optional<bool> GgufValue::toBool() const {
  if (const auto* value = std::get_if<bool>(&data_)) return *value;
  return std::nullopt;
}

std::optional<QString> GgufValue::toString() const {
  if (const auto* value = std::get_if<QString>(&data_)) return *value;
  return std::nullopt;
}

const GgufValue::Array* GgufValue::array() const {
  return std::get_if<Array>(&data_);
}

const GgufValue* GgufFile::find(const QString& key) const {
  const auto it = metadataIndex_.constFind(key);  // hashed: no lookup is quadratic (docs/limits.md)
  return it == metadataIndex_.cend() ? nullptr : &metadata_[*it].value;
}

namespace {

[[noreturn]] void wrongType(const QString& source, const QString& key, const GgufValue& value,
                            const char* wanted) {
  throwBadInput(
      source, key,
      QStringLiteral("expected %1, found %2").arg(QLatin1String(wanted), ggufValueTypeName(value.type())));
}

// Every element of an array value through convert (an optional: empty when the element is not of
// the kind wanted); Error naming the key when the value is no array or an element does not convert.
template <typename T, typename Convert>
std::vector<T> convertedArray(const QString& source, const QString& key, const GgufValue& value,
                              const char* wanted, Convert convert) {
  const GgufValue::Array* elements = value.array();
  if (!elements) wrongType(source, key, value, wanted);
  std::vector<T> converted;
  converted.reserve(elements->size());
  for (const GgufValue& element : *elements) {
    const auto item = convert(element);
    if (!item) wrongType(source, key, value, wanted);
    converted.push_back(*item);
  }
  return converted;
}
}  // namespace

std::optional<qint64> GgufFile::integer(const QString& key) const {
  const GgufValue* value = find(key);
  if (!value) return std::nullopt;
  const auto result = value->toInteger();
  if (!result) wrongType(source_, key, *value, "an integer");
  return result;
}

std::optional<double> GgufFile::number(const QString& key) const {
  const GgufValue* value = find(key);
  if (!value) return std::nullopt;
  const auto result = value->toNumber();
  if (!result) wrongType(source_, key, *value, "a number");
  return result;
}

std::optional<bool> GgufFile::boolean(const QString& key) const {
  const GgufValue* value = find(key);
  if (!value) return std::nullopt;
  const auto result = value->toBool();
  if (!result) wrongType(source_, key, *value, "a bool");
  return result;
}

std::optional<QString> GgufFile::string(const QString& key) const {
  const GgufValue* value = find(key);
  if (!value) return std::nullopt;
  const auto result = value->toString();
  if (!result) wrongType(source_, key, *value, "a string");
  return result;
}

std::optional<QStringList> GgufFile::stringArray(const QString& key) const {
  const GgufValue* value = find(key);
  if (!value) return std::nullopt;
  const GgufValue::Array* elements = value->array();
  if (!elements || value->elementType() != GgufValueType::String)
    wrongType(source_, key, *value, "an array of strings");
  QStringList list;
  list.reserve(qsizetype(elements->size()));
  for (const GgufValue& element : *elements) list.push_back(*element.toString());
  return list;
}

std::optional<std::vector<double>> GgufFile::numberArray(const QString& key) const {
  const GgufValue* value = find(key);
  if (!value) return std::nullopt;
  return convertedArray<double>(source_, key, *value, "an array of numbers",
                                [](const GgufValue& element) { return element.toNumber(); });
}

std::optional<std::vector<qint64>> GgufFile::integerArray(const QString& key) const {
  const GgufValue* value = find(key);
  if (!value) return std::nullopt;
  return convertedArray<qint64>(source_, key, *value, "an array of integers",
                                [](const GgufValue& element) { return element.toInteger(); });
}

qint64 GgufFile::requireInteger(const QString& key) const {
  const auto value = integer(key);
  if (!value) throwBadInput(source_, key, QStringLiteral("missing"));
  return *value;
}

double GgufFile::requireNumber(const QString& key) const {
  const auto value = number(key);
  if (!value) throwBadInput(source_, key, QStringLiteral("missing"));
  return *value;
}

QString GgufFile::requireString(const QString& key) const {
  const auto value = string(key);
  if (!value) throwBadInput(source_, key, QStringLiteral("missing"));
  return *value;
}

qint64 GgufFile::requireIntegerIn(const QString& key, qint64 minimum, qint64 maximum) const {
  const qint64 value = requireInteger(key);
  if (value < minimum || value > maximum)
    throwBadInput(source_, key,
                  QStringLiteral("%1 is not within %2..%3").arg(value).arg(minimum).arg(maximum));
  return value;
}

}  // namespace sinkscope
