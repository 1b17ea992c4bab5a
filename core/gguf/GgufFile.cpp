#include "gguf/GgufFile.h"

#include "common/Error.h"
#include "common/InputFile.h"

#include <sys/stat.h>
#include <QFile>
#include <QFileInfo>
#include <QFloat16>
#include <QSet>
#include <QStringDecoder>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace sinkscope {

namespace {

constexpr quint32 kMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
constexpr int kMaxArrayDepth = 8;       // nested arrays deeper than this are refused
constexpr int kMaxDims = 4;             // GGML_MAX_DIMS
constexpr quint64 kMaxStringBytes = quint64(1) << 30;
constexpr quint64 kDefaultAlignment = 32;  // GGUF specification: general.alignment default
// Caps on what a file's counts may make SinkScope allocate, checked before the allocation
// (docs/limits.md, "Threat model"): the largest real checkpoints stay far below each.
constexpr quint64 kMaxTensorCount = quint64(1) << 16;
constexpr quint64 kMaxMetadataCount = quint64(1) << 16;
constexpr quint64 kMaxArrayElementsInAll = quint64(1) << 22;  // every metadata array together
constexpr quint64 kMaxStringBytesInAll = quint64(128) << 20;  // keys, values and tensor names

struct TypeLayout {
  GgmlType type;
  const char* name;
  int blockElements;  // elements per block
  int blockBytes;     // bytes per block
};

// Block layouts as ggml defines them (ggml-common.h): QK4_0 = QK8_0 = 32, QK_K = 256.
constexpr TypeLayout kLayouts[] = {
    {GgmlType::F32, "F32", 1, 4},
    {GgmlType::F16, "F16", 1, 2},
    {GgmlType::Q4_0, "Q4_0", 32, 18},
    {GgmlType::Q4_1, "Q4_1", 32, 20},
    {GgmlType::Q5_0, "Q5_0", 32, 22},
    {GgmlType::Q5_1, "Q5_1", 32, 24},
    {GgmlType::Q8_0, "Q8_0", 32, 34},
    {GgmlType::Q8_1, "Q8_1", 32, 36},
    {GgmlType::Q2_K, "Q2_K", 256, 84},
    {GgmlType::Q3_K, "Q3_K", 256, 110},
    {GgmlType::Q4_K, "Q4_K", 256, 144},
    {GgmlType::Q5_K, "Q5_K", 256, 176},
    {GgmlType::Q6_K, "Q6_K", 256, 210},
    {GgmlType::Q8_K, "Q8_K", 256, 292},
    {GgmlType::IQ2_XXS, "IQ2_XXS", 256, 66},
    {GgmlType::IQ2_XS, "IQ2_XS", 256, 74},
    {GgmlType::IQ3_XXS, "IQ3_XXS", 256, 98},
    {GgmlType::IQ1_S, "IQ1_S", 256, 50},
    {GgmlType::IQ4_NL, "IQ4_NL", 32, 18},
    {GgmlType::IQ3_S, "IQ3_S", 256, 110},
    {GgmlType::IQ2_S, "IQ2_S", 256, 82},
    {GgmlType::IQ4_XS, "IQ4_XS", 256, 136},
    {GgmlType::I8, "I8", 1, 1},
    {GgmlType::I16, "I16", 1, 2},
    {GgmlType::I32, "I32", 1, 4},
    {GgmlType::I64, "I64", 1, 8},
    {GgmlType::F64, "F64", 1, 8},
    {GgmlType::IQ1_M, "IQ1_M", 256, 56},
    {GgmlType::BF16, "BF16", 1, 2},
};

const TypeLayout* layoutOf(quint32 id) {
  for (const TypeLayout& layout : kLayouts)
    if (quint32(layout.type) == id) return &layout;
  return nullptr;
}

QString knownTypeNames() {
  QStringList names;
  for (const TypeLayout& layout : kLayouts) names << QString::fromLatin1(layout.name);
  return names.join(QStringLiteral(", "));
}

QString hex(quint64 value) {
  return QStringLiteral("0x") + QString::number(value, 16);
}

// A bounds-checked reader over the mapped bytes. Every read names the field it is for.
class Cursor {
 public:
  Cursor(const uchar* data, quint64 size, const QString& source)
      : data_(data), size_(size), source_(source) {}

  quint64 position() const { return position_; }

  // Spends part of a budget of the whole file; Error(BadInput) naming field when it runs out.
  void spend(quint64& budget, quint64 amount, quint64 limit, const QString& field,
             const QString& what) const {
    if (amount > budget)
      throwBadInput(source_, field,
                    QStringLiteral("more than %1 %2 in all, above SinkScope's limit (docs/limits.md)")
                        .arg(limit)
                        .arg(what));
    budget -= amount;
  }
  quint64 stringBytesLeft = kMaxStringBytesInAll;
  quint64 arrayElementsLeft = kMaxArrayElementsInAll;
  quint64 remaining() const { return size_ - position_; }

  void need(quint64 bytes, const QString& field) const {
    if (bytes > remaining())
      throwBadInput(source_, field,
                    QStringLiteral("truncated: needs %1 bytes at offset %2, file has %3")
                        .arg(bytes)
                        .arg(position_)
                        .arg(size_));
  }
  template <typename T>
  T read(const QString& field) {
    need(sizeof(T), field);
    T value;
    std::memcpy(&value, data_ + position_, sizeof(T));
    position_ += sizeof(T);
    return value;
  }
  QString readString(const QString& field) {
    const quint64 length = read<quint64>(field + QStringLiteral(" (length)"));
    if (length > kMaxStringBytes)
      throwBadInput(source_, field, QStringLiteral("string length %1 is absurd").arg(length));
    need(length, field);
    spend(stringBytesLeft, length, kMaxStringBytesInAll, field, QStringLiteral("bytes of strings"));
    // A leading U+FEFF is part of the string (Gemma 3 has pieces "\uFEFF//" beside "//"), not a
    // byte-order mark to drop as QString::fromUtf8 does (docs/gguf.md).
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    QString text = utf8(QByteArrayView(reinterpret_cast<const char*>(data_ + position_), qsizetype(length)));
    position_ += length;
    return text;
  }
  // A count of items that each take at least minimumItemBytes must fit in what is left.
  quint64 readCount(const QString& field, quint64 minimumItemBytes) {
    const quint64 count = read<quint64>(field);
    if (minimumItemBytes > 0 && count > remaining() / minimumItemBytes)
      throwBadInput(
          source_, field,
          QStringLiteral("count %1 cannot fit in the %2 bytes left in the file").arg(count).arg(remaining()));
    return count;
  }

 private:
  const uchar* data_;
  quint64 size_;
  quint64 position_ = 0;
  const QString& source_;
};

quint64 scalarBytes(GgufValueType type) {
  switch (type) {
    case GgufValueType::Uint8:
    case GgufValueType::Int8:
    case GgufValueType::Bool:
      return 1;
    case GgufValueType::Uint16:
    case GgufValueType::Int16:
      return 2;
    case GgufValueType::Uint32:
    case GgufValueType::Int32:
    case GgufValueType::Float32:
      return 4;
    case GgufValueType::Uint64:
    case GgufValueType::Int64:
    case GgufValueType::Float64:
      return 8;
    case GgufValueType::String:
      return 8;  // at least its length
    case GgufValueType::Array:
      return 12;  // at least its element type and count
  }
  return 1;
}

bool knownValueType(quint32 id) {
  return id <= quint32(GgufValueType::Float64);
}

GgufValue readValue(Cursor& cursor, GgufValueType type, const QString& field, const QString& source,
                    int depth) {
  switch (type) {
    case GgufValueType::Uint8:
      return {type, quint64(cursor.read<quint8>(field))};
    case GgufValueType::Uint16:
      return {type, quint64(cursor.read<quint16>(field))};
    case GgufValueType::Uint32:
      return {type, quint64(cursor.read<quint32>(field))};
    case GgufValueType::Uint64:
      return {type, quint64(cursor.read<quint64>(field))};
    case GgufValueType::Int8:
      return {type, qint64(cursor.read<qint8>(field))};
    case GgufValueType::Int16:
      return {type, qint64(cursor.read<qint16>(field))};
    case GgufValueType::Int32:
      return {type, qint64(cursor.read<qint32>(field))};
    case GgufValueType::Int64:
      return {type, qint64(cursor.read<qint64>(field))};
    case GgufValueType::Float32:
      return {type, double(cursor.read<float>(field))};
    case GgufValueType::Float64:
      return {type, cursor.read<double>(field)};
    case GgufValueType::Bool: {
      const quint8 byte = cursor.read<quint8>(field);
      if (byte > 1)
        throwBadInput(source, field, QStringLiteral("bool value %1 is neither 0 nor 1").arg(byte));
      return {type, byte == 1};
    }
    case GgufValueType::String:
      return {type, cursor.readString(field)};
    case GgufValueType::Array: {
      if (depth >= kMaxArrayDepth)
        throwBadInput(source, field, QStringLiteral("arrays nested deeper than %1").arg(kMaxArrayDepth));
      const quint32 elementId = cursor.read<quint32>(field + QStringLiteral(" (element type)"));
      if (!knownValueType(elementId))
        throwBadInput(source, field, QStringLiteral("unknown array element type %1").arg(elementId));
      const auto elementType = GgufValueType(elementId);
      const quint64 count = cursor.readCount(field + QStringLiteral(" (count)"), scalarBytes(elementType));
      cursor.spend(cursor.arrayElementsLeft, count, kMaxArrayElementsInAll,
                   field + QStringLiteral(" (count)"), QStringLiteral("array elements"));
      GgufValue::Array elements;
      elements.reserve(size_t(count));
      // The element's name ("key[i]") is made only for an error: formatting it for each of
      // millions of elements would take seconds (docs/limits.md, "Threat model").
      for (quint64 i = 0; i < count; ++i) {
        try {
          elements.push_back(readValue(cursor, elementType, field, source, depth + 1));
        } catch (const Error& error) {
          throw error.at(error.source(),
                         QStringLiteral("%1[%2]").arg(field).arg(i) + error.field().mid(field.size()));
        }
      }
      return {type, std::move(elements), elementType};
    }
  }
  throwBadInput(source, field, QStringLiteral("unknown value type"));
}

}  // namespace

QString ggufValueTypeName(GgufValueType type) {
  static const char* const names[] = {"uint8", "int8",   "uint16", "int16",  "uint32", "int32",  "float32",
                                      "bool",  "string", "array",  "uint64", "int64",  "float64"};
  const auto index = quint32(type);
  return index < std::size(names) ? QString::fromLatin1(names[index]) : QStringLiteral("type %1").arg(index);
}

QString ggmlTypeName(GgmlType type) {
  const TypeLayout* layout = layoutOf(quint32(type));
  return layout ? QString::fromLatin1(layout->name) : QStringLiteral("type %1").arg(quint32(type));
}

qint64 GgufTensorInfo::elementCount() const {
  qint64 count = 1;
  for (qint64 dim : shape) count *= dim;
  return count;
}

qint64 GgufTensorInfo::rowCount() const {
  return rowLength() > 0 ? elementCount() / rowLength() : 0;
}

// ---- half precision ----

float halfToFloat(quint16 bits) {  // IEEE 754 binary16, subnormals and infinities included
  const quint32 sign = quint32(bits & 0x8000) << 16;
  const quint32 exponent = (bits >> 10) & 0x1F;
  const quint32 mantissa = bits & 0x3FF;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    const float magnitude = std::ldexp(float(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

quint16 floatToHalf(float value) {
  const qfloat16 half(value);  // round to nearest even
  return half.isNaN() ? quint16(0x7E00) : quint16(std::bit_cast<quint16>(half));
}

float bfloat16ToFloat(quint16 bits) {
  return std::bit_cast<float>(quint32(bits) << 16);
}

// ---- GgufFile ----

GgufFile::GgufFile(const QString& path) : source_(path) {
  // A pipe, FIFO or device is read once into memory, bounded, never waited on (docs/limits.md).
  const InputStatus status = statInput(path);
  if (status.directory) throwCannotOpen(path, EISDIR);
  if (!status.regular) {
    bytes_ = readInputBytes(path, kMaxStreamedGgufBytes);
    data_ = reinterpret_cast<const uchar*>(bytes_.constData());
    size_ = quint64(bytes_.size());
    parse();
    return;
  }
  file_ = std::make_unique<QFile>(path);
  if (!file_->open(QIODevice::ReadOnly))
    throwBadInput(path, QString(), QStringLiteral("cannot open: %1").arg(file_->errorString()));
  struct stat opened {};
  if (::fstat(file_->handle(), &opened) == 0) rememberInput(opened.st_dev, opened.st_ino);
  size_ = quint64(file_->size());
  if (size_ > 0) {
    data_ = file_->map(0, qint64(size_));
    if (!data_) throwBadInput(path, QString(), QStringLiteral("cannot map: %1").arg(file_->errorString()));
  }
  parse();
}

GgufFile::GgufFile(QByteArray bytes, const QString& sourceName)
    : source_(sourceName), bytes_(std::move(bytes)) {
  data_ = reinterpret_cast<const uchar*>(bytes_.constData());
  size_ = quint64(bytes_.size());
  parse();
}

GgufFile::~GgufFile() {
  release();
}
GgufFile::GgufFile(GgufFile&&) noexcept = default;
GgufFile& GgufFile::operator=(GgufFile&&) noexcept = default;

void GgufFile::release() {
  if (file_ && data_) file_->unmap(const_cast<uchar*>(data_));
  data_ = nullptr;
}

void GgufFile::parse() {
  Cursor cursor(data_, size_, source_);
  const quint32 magic = cursor.read<quint32>(QStringLiteral("magic"));
  if (magic != kMagic)
    throwBadInput(source_, QStringLiteral("magic"),
                  QStringLiteral("not a GGUF file (magic %1)").arg(hex(magic)));
  version_ = cursor.read<quint32>(QStringLiteral("version"));
  if (version_ != 2 && version_ != 3)
    throwBadInput(
        source_, QStringLiteral("version"),
        QStringLiteral(
            "GGUF version %1 is not supported (2 and 3 are; a big-endian file reads as a huge version)")
            .arg(version_));
  // A tensor info takes at least 8 (name) + 4 (dims) + 8 (one dim) + 4 (type) + 8 (offset) bytes,
  // a key/value at least 8 (key) + 4 (type) + 1 (value) bytes.
  const quint64 tensorCount = cursor.readCount(QStringLiteral("tensor_count"), 32);
  const quint64 metadataCount = cursor.readCount(QStringLiteral("metadata_kv_count"), 13);
  if (tensorCount > kMaxTensorCount)
    throwBadInput(source_, QStringLiteral("tensor_count"),
                  QStringLiteral("%1 tensors, above SinkScope's limit of %2 (docs/limits.md)")
                      .arg(tensorCount)
                      .arg(kMaxTensorCount));
  if (metadataCount > kMaxMetadataCount)
    throwBadInput(source_, QStringLiteral("metadata_kv_count"),
                  QStringLiteral("%1 entries, above SinkScope's limit of %2 (docs/limits.md)")
                      .arg(metadataCount)
                      .arg(kMaxMetadataCount));

  metadata_.reserve(size_t(metadataCount));
  for (quint64 i = 0; i < metadataCount; ++i) {
    const QString where = QStringLiteral("metadata[%1]").arg(i);
    const QString key = cursor.readString(where + QStringLiteral(" key"));
    if (key.isEmpty()) throwBadInput(source_, where, QStringLiteral("empty key"));
    if (metadataIndex_.contains(key)) throwBadInput(source_, key, QStringLiteral("duplicate metadata key"));
    metadataIndex_.insert(key, metadata_.size());
    const quint32 typeId = cursor.read<quint32>(key + QStringLiteral(" (type)"));
    if (!knownValueType(typeId))
      throwBadInput(source_, key, QStringLiteral("unknown value type %1").arg(typeId));
    metadata_.push_back({key, readValue(cursor, GgufValueType(typeId), key, source_, 0)});
  }

  if (const GgufValue* value = find(QStringLiteral("general.alignment"))) {
    const auto alignment = value->toInteger();
    if (!alignment || *alignment <= 0 || *alignment > (1 << 20) || !std::has_single_bit(quint64(*alignment)))
      throwBadInput(source_, QStringLiteral("general.alignment"),
                    QStringLiteral("must be a power of two up to 1048576"));
    alignment_ = quint64(*alignment);
  } else {
    alignment_ = kDefaultAlignment;
  }

  std::vector<quint64> relativeOffsets;
  tensors_.reserve(size_t(tensorCount));
  for (quint64 i = 0; i < tensorCount; ++i) {
    GgufTensorInfo info;
    info.name = cursor.readString(QStringLiteral("tensor[%1] name").arg(i));
    const QString where = QStringLiteral("tensor '%1'").arg(info.name);
    if (tensorIndex_.contains(info.name))
      throwBadInput(source_, where, QStringLiteral("duplicate tensor name"));
    tensorIndex_.insert(info.name, tensors_.size());
    const quint32 dims = cursor.read<quint32>(where + QStringLiteral(" n_dims"));
    if (dims < 1 || dims > kMaxDims)
      throwBadInput(source_, where + QStringLiteral(" n_dims"),
                    QStringLiteral("%1 is not within 1..4").arg(dims));
    quint64 elements = 1;
    for (quint32 d = 0; d < dims; ++d) {
      const quint64 dim = cursor.read<quint64>(where + QStringLiteral(" dims[%1]").arg(d));
      if (dim == 0 || dim > quint64(std::numeric_limits<qint64>::max()) / elements)
        throwBadInput(source_, where + QStringLiteral(" dims[%1]").arg(d),
                      QStringLiteral("dimension %1 is zero or absurd").arg(dim));
      elements *= dim;
      info.shape.push_back(qint64(dim));
    }
    const quint32 typeId = cursor.read<quint32>(where + QStringLiteral(" type"));
    const TypeLayout* layout = layoutOf(typeId);
    if (!layout)
      throwBadInput(source_, where + QStringLiteral(" type"),
                    QStringLiteral(
                        "unknown ggml type %1 (GGUF types: %2; docs/tensor-types.md says which are computed)")
                        .arg(typeId)
                        .arg(knownTypeNames()));
    info.type = layout->type;
    if (info.shape[0] % layout->blockElements != 0)
      throwBadInput(source_, where + QStringLiteral(" dims[0]"),
                    QStringLiteral("%1 is not a multiple of the %2 block size %3")
                        .arg(info.shape[0])
                        .arg(layout->name)
                        .arg(layout->blockElements));
    const quint64 blocks = elements / quint64(layout->blockElements);
    if (blocks > size_ / quint64(layout->blockBytes))
      throwBadInput(source_, where,
                    QStringLiteral("%1 elements cannot fit in a %2-byte file").arg(elements).arg(size_));
    info.byteSize = blocks * quint64(layout->blockBytes);
    relativeOffsets.push_back(cursor.read<quint64>(where + QStringLiteral(" offset")));
    tensors_.push_back(std::move(info));
  }

  const quint64 padded = (cursor.position() + alignment_ - 1) / alignment_ * alignment_;
  dataOffset_ = padded;
  if (tensorCount > 0 && dataOffset_ > size_)
    throwBadInput(source_, QStringLiteral("tensor data"),
                  QStringLiteral("section starts at %1, past the end of the file (%2 bytes)")
                      .arg(dataOffset_)
                      .arg(size_));
  const quint64 dataBytes = size_ - std::min(dataOffset_, size_);
  for (size_t i = 0; i < tensors_.size(); ++i) {
    GgufTensorInfo& info = tensors_[i];
    const QString where = QStringLiteral("tensor '%1' offset").arg(info.name);
    const quint64 offset = relativeOffsets[i];
    if (offset % alignment_ != 0)
      throwBadInput(source_, where,
                    QStringLiteral("%1 is not a multiple of the alignment %2").arg(offset).arg(alignment_));
    if (offset > dataBytes || info.byteSize > dataBytes - offset)
      throwBadInput(source_, where,
                    QStringLiteral("data [%1, %2) runs past the end of the file's data section (%3 bytes)")
                        .arg(offset)
                        .arg(offset + info.byteSize)
                        .arg(dataBytes));
    info.fileOffset = dataOffset_ + offset;
  }
}

const GgufTensorInfo* GgufFile::findTensor(const QString& name) const {
  const auto it = tensorIndex_.constFind(name);  // hashed: no lookup is quadratic (docs/limits.md)
  return it == tensorIndex_.cend() ? nullptr : &tensors_[*it];
}

const GgufTensorInfo& GgufFile::tensor(const QString& name) const {
  const GgufTensorInfo* info = findTensor(name);
  if (!info) throwBadInput(source_, QStringLiteral("tensor '%1'").arg(name), QStringLiteral("missing"));
  return *info;
}

std::span<const std::byte> GgufFile::tensorBytes(const GgufTensorInfo& info) const {
  return {reinterpret_cast<const std::byte*>(data_ + info.fileOffset), size_t(info.byteSize)};
}

namespace {
quint16 loadU16(const std::byte* p) {
  quint16 value = 0;
  std::memcpy(&value, p, 2);
  return value;
}
}  // namespace

std::vector<float> GgufFile::readFloats(const GgufTensorInfo& info) const {
  if (info.type != GgmlType::F32 && info.type != GgmlType::F16 && info.type != GgmlType::BF16)
    throwBadInput(source_, QStringLiteral("tensor '%1' type").arg(info.name),
                  QStringLiteral("%1 where F32, F16 or BF16 was expected").arg(ggmlTypeName(info.type)));
  const std::byte* bytes = tensorBytes(info).data();
  std::vector<float> values(size_t(info.elementCount()));
  for (size_t i = 0; i < values.size(); ++i) {
    if (info.type == GgmlType::F32)
      std::memcpy(&values[i], bytes + 4 * i, 4);
    else if (info.type == GgmlType::F16)
      values[i] = halfToFloat(loadU16(bytes + 2 * i));
    else
      values[i] = bfloat16ToFloat(loadU16(bytes + 2 * i));
  }
  return values;
}

}  // namespace sinkscope
