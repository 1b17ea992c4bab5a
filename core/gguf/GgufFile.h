// Reads GGUF v2/v3 files (llama.cpp's model format) over a memory map: metadata, tensor infos
// and the raw bytes of each tensor, with bounds checks on every count, size and offset. It knows
// each type's block layout but computes nothing: decoding lives in inference/TensorRead.h.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <variant>
#include <vector>

class QFile;

namespace sinkscope {

// Metadata value types, numbered as in the GGUF specification.
enum class GgufValueType : quint32 {
  Uint8 = 0,
  Int8 = 1,
  Uint16 = 2,
  Int16 = 3,
  Uint32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  Uint64 = 10,
  Int64 = 11,
  Float64 = 12,
};
QString ggufValueTypeName(GgufValueType type);  // "uint32", "array", ...

// Tensor element types, numbered as ggml numbers them. Only those whose block layout SinkScope
// knows are listed; inference/TensorTypes.h says which ones SinkScope can compute with.
enum class GgmlType : quint32 {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
};
QString ggmlTypeName(GgmlType type);  // "F32", "Q8_0", ...

// One metadata value; arrays hold their elements (which may be arrays themselves).
class GgufValue {
 public:
  using Array = std::vector<GgufValue>;
  GgufValue() = default;
  GgufValue(GgufValueType type, std::variant<quint64, qint64, double, bool, QString, Array> data,
            GgufValueType elementType = GgufValueType::Uint8);

  GgufValueType type() const { return type_; }
  GgufValueType elementType() const { return elementType_; }  // arrays only
  bool isInteger() const;
  bool isNumber() const;  // integer or float
  // Conversions; nullopt when the value is not of that kind (or an integer does not fit).
  std::optional<qint64> toInteger() const;
  std::optional<double> toNumber() const;
  std::optional<bool> toBool() const;
  std::optional<QString> toString() const;
  const Array* array() const;  // nullptr unless an array

 private:
  GgufValueType type_ = GgufValueType::Uint8;
  GgufValueType elementType_ = GgufValueType::Uint8;
  std::variant<quint64, qint64, double, bool, QString, Array> data_ = quint64(0);
};

struct GgufMetadataEntry {
  QString key;
  GgufValue value;
};

struct GgufTensorInfo {
  QString name;
  std::vector<qint64> shape;  // ggml order: shape[0] varies fastest (a row); 1 to 4 dims
  GgmlType type = GgmlType::F32;
  quint64 fileOffset = 0;  // bytes from the start of the file (aligned)
  quint64 byteSize = 0;    // bytes of data
  qint64 elementCount() const;
  qint64 rowLength() const { return shape.empty() ? 0 : shape[0]; }  // elements per row
  qint64 rowCount() const;                                           // elementCount / rowLength
};

// A GGUF read from a pipe, FIFO or device is held in memory, up to this size (docs/limits.md).
inline constexpr qint64 kMaxStreamedGgufBytes = qint64(1) << 30;

class GgufFile {
 public:
  // Maps and parses a file; throws Error(BadInput) "path: field: what" on any defect.
  explicit GgufFile(const QString& path);
  // Parses bytes held in memory; sourceName names them in errors.
  GgufFile(QByteArray bytes, const QString& sourceName);
  ~GgufFile();
  GgufFile(GgufFile&&) noexcept;
  GgufFile& operator=(GgufFile&&) noexcept;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const QString& source() const { return source_; }
  quint32 version() const { return version_; }
  quint64 alignment() const { return alignment_; }
  quint64 fileSize() const { return size_; }
  quint64 dataOffset() const { return dataOffset_; }  // start of the tensor data section

  // Metadata, in file order, and lookup by key.
  const std::vector<GgufMetadataEntry>& metadata() const { return metadata_; }
  const GgufValue* find(const QString& key) const;
  bool has(const QString& key) const { return find(key) != nullptr; }
  // Typed getters: nullopt when the key is absent; Error(BadInput) naming the key when the
  // value is present but of the wrong type.
  std::optional<qint64> integer(const QString& key) const;
  std::optional<double> number(const QString& key) const;
  std::optional<bool> boolean(const QString& key) const;
  std::optional<QString> string(const QString& key) const;
  std::optional<QStringList> stringArray(const QString& key) const;
  std::optional<std::vector<double>> numberArray(const QString& key) const;
  std::optional<std::vector<qint64>> integerArray(const QString& key) const;
  // As above, but an absent key is Error(BadInput) "source: key: missing".
  qint64 requireInteger(const QString& key) const;
  double requireNumber(const QString& key) const;
  QString requireString(const QString& key) const;
  // requireInteger within [minimum, maximum], else Error(BadInput) naming the key.
  qint64 requireIntegerIn(const QString& key, qint64 minimum, qint64 maximum) const;

  // Tensors, in file order, and lookup by name.
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* findTensor(const QString& name) const;
  const GgufTensorInfo& tensor(const QString& name) const;  // Error(BadInput) when missing
  std::span<const std::byte> tensorBytes(const GgufTensorInfo& info) const;
  // Every element of an F32, F16 or BF16 tensor (the types llama.cpp writes small tables such
  // as RoPE factors in); Error(BadInput) naming the tensor for any other type.
  std::vector<float> readFloats(const GgufTensorInfo& info) const;

 private:
  void parse();
  void release();

  QString source_;
  std::unique_ptr<QFile> file_;
  QByteArray bytes_;  // in-memory source (empty when mapped)
  const uchar* data_ = nullptr;
  quint64 size_ = 0;
  quint32 version_ = 0;
  quint64 alignment_ = 32;
  quint64 dataOffset_ = 0;
  std::vector<GgufMetadataEntry> metadata_;
  std::vector<GgufTensorInfo> tensors_;
  QHash<QString, size_t> metadataIndex_;  // key -> index in metadata_
  QHash<QString, size_t> tensorIndex_;    // name -> index in tensors_
};

// Converts one IEEE half / bfloat16 to float (helpers shared with the writer and tests).
float halfToFloat(quint16 bits);
quint16 floatToHalf(float value);
float bfloat16ToFloat(quint16 bits);

}  // namespace sinkscope
