#include "catalog/SafetensorsHeader.h"

#include "common/Error.h"
#include "common/JsonRead.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QtEndian>
#include <map>

namespace sinkscope {

namespace {

// Bits per element of each safetensors dtype (docs/catalog.md, from the safetensors Dtype list).
int dtypeBits(const QString& dtype) {
  static const std::map<QString, int> bits{
      {QStringLiteral("BOOL"), 8},    {QStringLiteral("U8"), 8},      {QStringLiteral("I8"), 8},
      {QStringLiteral("F8_E5M2"), 8}, {QStringLiteral("F8_E4M3"), 8}, {QStringLiteral("F8_E8M0"), 8},
      {QStringLiteral("I16"), 16},    {QStringLiteral("U16"), 16},    {QStringLiteral("F16"), 16},
      {QStringLiteral("BF16"), 16},   {QStringLiteral("I32"), 32},    {QStringLiteral("U32"), 32},
      {QStringLiteral("F32"), 32},    {QStringLiteral("F64"), 64},    {QStringLiteral("I64"), 64},
      {QStringLiteral("U64"), 64},    {QStringLiteral("F4"), 4},      {QStringLiteral("F6_E2M3"), 6},
      {QStringLiteral("F6_E3M2"), 6}};
  const auto it = bits.find(dtype);
  return it == bits.end() ? 0 : it->second;
}

constexpr qint64 kMaxElements =
    kMaxSafetensorsElements;  // keeps shape products and byte counts exact in qint64

// Whether adding amount to total would pass kMaxElements (both are in [0, kMaxElements]).
bool passesLimit(qint64 total, qint64 amount) {
  return amount > kMaxElements - total;
}

qint64 shapeElements(const JsonReader& tensor) {
  const QJsonArray shape = tensor.requireArray(QStringLiteral("shape"));
  qint64 elements = 1;
  for (qsizetype i = 0; i < shape.size(); ++i) {
    const double dim = shape.at(i).toDouble(-1);
    // Range before the cast: converting a double outside qint64 is undefined behaviour.
    if (!shape.at(i).isDouble() || dim < 0 || dim > double(kMaxElements) || dim != double(qint64(dim)))
      tensor.fail(QStringLiteral("shape"), QStringLiteral("element %1 is not a whole number >= 0").arg(i));
    if (dim > 0 && elements > kMaxElements / qint64(dim))
      tensor.fail(QStringLiteral("shape"), QStringLiteral("more than 2^50 elements"));
    elements *= qint64(dim);
  }
  return elements;
}

qint64 dataSpan(const JsonReader& tensor) {
  const QJsonArray offsets = tensor.requireArray(QStringLiteral("data_offsets"));
  const auto whole = [](const QJsonValue& v) {
    return v.isDouble() && v.toDouble() >= 0 && v.toDouble() <= double(kMaxElements) &&
           v.toDouble() == double(qint64(v.toDouble()));
  };
  if (offsets.size() != 2 || !whole(offsets.at(0)) || !whole(offsets.at(1)) ||
      offsets.at(1).toDouble() < offsets.at(0).toDouble())
    tensor.fail(QStringLiteral("data_offsets"),
                QStringLiteral("expected [begin, end] with 0 <= begin <= end"));
  return qint64(offsets.at(1).toDouble()) - qint64(offsets.at(0).toDouble());
}

}  // namespace

void SafetensorsSummary::add(const SafetensorsSummary& other, const QString& source) {
  if (passesLimit(parameters, other.parameters) || passesLimit(bytes, other.bytes))
    throwBadInput(source, QStringLiteral("shape"),
                  QStringLiteral("the tensors hold more than 2^50 elements or bytes in all"));
  parameters += other.parameters;
  bytes += other.bytes;
  tensors += other.tensors;
  for (auto it = other.bytesByDtype.begin(); it != other.bytesByDtype.end(); ++it)
    bytesByDtype[it.key()] += it.value();
}

qint64 safetensorsHeaderLength(const QByteArray& firstBytes, const QString& source) {
  if (firstBytes.size() < 8)
    throwBadInput(source, QStringLiteral("header length"), QStringLiteral("fewer than 8 bytes"));
  const quint64 length = qFromLittleEndian<quint64>(firstBytes.constData());
  if (length < 2 || length > quint64(kMaxSafetensorsHeaderBytes))
    throwBadInput(source, QStringLiteral("header length"),
                  QStringLiteral("%1 bytes is outside [2, %2]").arg(length).arg(kMaxSafetensorsHeaderBytes));
  return qint64(length);
}

SafetensorsSummary parseSafetensorsHeader(const QByteArray& json, const QString& source) {
  const QJsonObject root = parseJsonObject(json, source);
  SafetensorsSummary summary;
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it.key() == QLatin1String("__metadata__")) continue;
    if (!it.value().isObject()) throwBadInput(source, it.key(), QStringLiteral("expected a tensor object"));
    const JsonReader tensor(it.value().toObject(), source, it.key());
    const QString dtype = tensor.requireString(QStringLiteral("dtype"));
    const int bits = dtypeBits(dtype);
    if (bits == 0) tensor.fail(QStringLiteral("dtype"), QStringLiteral("unknown dtype '%1'").arg(dtype));
    const qint64 elements = shapeElements(tensor);
    const qint64 span = dataSpan(tensor);
    if (span != (elements * bits + 7) / 8)
      tensor.fail(QStringLiteral("data_offsets"),
                  QStringLiteral("span %1 bytes does not match shape x %2 (%3 bytes)")
                      .arg(span)
                      .arg(dtype)
                      .arg((elements * bits + 7) / 8));
    if (passesLimit(summary.parameters, elements) || passesLimit(summary.bytes, span))
      tensor.fail(QStringLiteral("shape"),
                  QStringLiteral("with the tensors before it, more than 2^50 elements or bytes in all"));
    summary.parameters += elements;
    summary.bytes += span;
    summary.tensors += 1;
    summary.bytesByDtype[dtype] += span;
  }
  return summary;
}

SafetensorsIndex parseSafetensorsIndex(const QByteArray& json, const QString& source) {
  const JsonReader root(parseJsonObject(json, source), source);
  SafetensorsIndex index;
  index.totalSizeBytes =
      root.requireObject(QStringLiteral("metadata")).requireInt(QStringLiteral("total_size"), 0, 1ll << 56);
  const JsonReader weightMap = root.requireObject(QStringLiteral("weight_map"));
  QSet<QString> files;
  for (auto it = weightMap.object().begin(); it != weightMap.object().end(); ++it) {
    const QString file = it.value().toString();
    if (!it.value().isString() || !file.endsWith(QLatin1String(".safetensors")) ||
        file.contains(QLatin1Char('/')) || file.contains(QLatin1Char('\\')) ||
        file.startsWith(QLatin1Char('.')))
      weightMap.fail(it.key(), QStringLiteral("expected a plain *.safetensors file name"));
    files.insert(file);
    if (files.size() > kMaxSafetensorsShards)
      weightMap.fail(it.key(), QStringLiteral("more than %1 shard files").arg(kMaxSafetensorsShards));
    index.tensors += 1;
  }
  if (files.isEmpty()) root.fail(QStringLiteral("weight_map"), QStringLiteral("names no tensor"));
  index.shardFiles = QStringList(files.begin(), files.end());
  index.shardFiles.sort();
  return index;
}

}  // namespace sinkscope
