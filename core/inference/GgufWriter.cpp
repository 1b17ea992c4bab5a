#include "inference/GgufWriter.h"
#include "common/AtomicFile.h"

#include "common/Error.h"
#include "inference/TensorTypes.h"

#include <cstring>

namespace sinkscope {

namespace {

template <typename T>
void append(QByteArray& bytes, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  bytes.append(raw, sizeof(T));
}

// Encodes floats with the type's row of the table (llama.cpp's reference quantizers).
QByteArray quantize(const std::vector<float>& values, GgmlType type) {
  const TensorTypeTraits* traits = tensorTypeTraits(type);
  if (!traits || !traits->quantize)
    throw Error(
        ErrorKind::Internal, QStringLiteral("GgufWriter"), ggmlTypeName(type),
        QStringLiteral("cannot quantise to this type (supported: %1)").arg(computableTensorTypeNames()));
  if (qint64(values.size()) % traits->blockValues != 0)
    throw Error(
        ErrorKind::Internal, QStringLiteral("GgufWriter"), ggmlTypeName(type),
        QStringLiteral("%1 values are not whole blocks of %2").arg(values.size()).arg(traits->blockValues));
  QByteArray bytes(qsizetype(traits->rowBytes(qint64(values.size()))), '\0');
  traits->quantize(values.data(), reinterpret_cast<std::byte*>(bytes.data()), qint64(values.size()));
  return bytes;
}

}  // namespace

QByteArray GgufWriter::encodeString(const QString& text) {
  QByteArray bytes;
  const QByteArray utf8 = text.toUtf8();
  append(bytes, quint64(utf8.size()));
  bytes.append(utf8);
  return bytes;
}

void GgufWriter::addRaw(const QString& key, quint32 typeId, const QByteArray& valueBytes) {
  metadata_.append(encodeString(key));
  append(metadata_, typeId);
  metadata_.append(valueBytes);
  ++metadataCount_;
}

void GgufWriter::addString(const QString& key, const QString& value) {
  addRaw(key, 8, encodeString(value));
}

#define SINKSCOPE_ADD_SCALAR(Name, Type, Id)              \
  void GgufWriter::Name(const QString& key, Type value) { \
    QByteArray bytes;                                     \
    append(bytes, value);                                 \
    addRaw(key, Id, bytes);                               \
  }
SINKSCOPE_ADD_SCALAR(addUint32, quint32, 4)
SINKSCOPE_ADD_SCALAR(addInt32, qint32, 5)
SINKSCOPE_ADD_SCALAR(addUint64, quint64, 10)
SINKSCOPE_ADD_SCALAR(addFloat32, float, 6)
SINKSCOPE_ADD_SCALAR(addFloat64, double, 12)
#undef SINKSCOPE_ADD_SCALAR

void GgufWriter::addBool(const QString& key, bool value) {
  addRaw(key, 7, QByteArray(1, value ? 1 : 0));
}

void GgufWriter::addStringArray(const QString& key, const QStringList& values) {
  QByteArray bytes;
  append(bytes, quint32(8));
  append(bytes, quint64(values.size()));
  for (const QString& value : values) bytes.append(encodeString(value));
  addRaw(key, 9, bytes);
}

void GgufWriter::addFloat32Array(const QString& key, const std::vector<float>& values) {
  QByteArray bytes;
  append(bytes, quint32(6));
  append(bytes, quint64(values.size()));
  for (float value : values) append(bytes, value);
  addRaw(key, 9, bytes);
}

void GgufWriter::addInt32Array(const QString& key, const std::vector<qint32>& values) {
  QByteArray bytes;
  append(bytes, quint32(5));
  append(bytes, quint64(values.size()));
  for (qint32 value : values) append(bytes, value);
  addRaw(key, 9, bytes);
}

void GgufWriter::addTensor(const QString& name, const std::vector<qint64>& shape,
                           const std::vector<float>& values, GgmlType type) {
  addRawTensor(name, shape, type, quantize(values, type));
}

void GgufWriter::addRawTensor(const QString& name, const std::vector<qint64>& shape, GgmlType type,
                              const QByteArray& bytes) {
  tensors_.push_back({name, shape, type, bytes});
}

QByteArray GgufWriter::toBytes() const {
  QByteArray out;
  append(out, quint32(0x46554747));
  append(out, version_);
  append(out, quint64(tensors_.size()));
  append(out, metadataCount_);
  out.append(metadata_);
  const quint64 alignment = alignment_;
  std::vector<quint64> offsets;
  quint64 offset = 0;
  for (const Tensor& tensor : tensors_) {
    offsets.push_back(offset);
    offset += (quint64(tensor.bytes.size()) + alignment - 1) / alignment * alignment;
  }
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const Tensor& tensor = tensors_[i];
    out.append(encodeString(tensor.name));
    append(out, quint32(tensor.shape.size()));
    for (qint64 dim : tensor.shape) append(out, quint64(dim));
    append(out, quint32(tensor.type));
    append(out, offsets[i]);
  }
  auto pad = [&] {
    while (quint64(out.size()) % alignment != 0) out.append('\0');
  };
  pad();
  for (const Tensor& tensor : tensors_) {
    out.append(tensor.bytes);
    pad();
  }
  return out;
}

void GgufWriter::save(const QString& path) const {
  writeFileAtomically(path, toBytes());
}

}  // namespace sinkscope
