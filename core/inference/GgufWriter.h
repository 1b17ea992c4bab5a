// Builds small GGUF v3 files in memory (metadata and tensors), for test fixtures and for
// exporting toy models. Not a converter of real checkpoints and not tuned for large files.
#pragma once

#include "gguf/GgufFile.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <vector>

namespace sinkscope {

class GgufWriter {
 public:
  explicit GgufWriter(quint32 version = 3) : version_(version) {}

  // Metadata, written in the order added. Raw lets a test write any type/value bytes.
  void addString(const QString& key, const QString& value);
  void addUint32(const QString& key, quint32 value);
  void addInt32(const QString& key, qint32 value);
  void addUint64(const QString& key, quint64 value);
  void addFloat32(const QString& key, float value);
  void addFloat64(const QString& key, double value);
  void addBool(const QString& key, bool value);
  void addStringArray(const QString& key, const QStringList& values);
  void addFloat32Array(const QString& key, const std::vector<float>& values);
  void addInt32Array(const QString& key, const std::vector<qint32>& values);
  // An already-encoded value: the type id then the value's bytes, exactly as in the file.
  void addRaw(const QString& key, quint32 typeId, const QByteArray& valueBytes);

  // Tensors: shape in ggml order (shape[0] varies fastest). F32 values are stored as given;
  // every other type of TensorTypes.h's table is quantised from floats here (llama.cpp's
  // reference quantizers); the values must fill whole blocks. Raw bytes are stored untouched.
  void addTensor(const QString& name, const std::vector<qint64>& shape, const std::vector<float>& values,
                 GgmlType type = GgmlType::F32);
  void addRawTensor(const QString& name, const std::vector<qint64>& shape, GgmlType type,
                    const QByteArray& bytes);

  void setAlignment(quint32 alignment) { alignment_ = alignment; }  // also write general.alignment yourself
  QByteArray toBytes() const;
  void save(const QString& path) const;  // Error(BadInput) naming the path on failure

  static QByteArray encodeString(const QString& text);  // uint64 length + UTF-8 bytes

 private:
  struct Tensor {
    QString name;
    std::vector<qint64> shape;
    GgmlType type;
    QByteArray bytes;
  };
  quint32 version_;
  quint32 alignment_ = 32;
  quint64 metadataCount_ = 0;
  QByteArray metadata_;
  std::vector<Tensor> tensors_;
};

}  // namespace sinkscope
