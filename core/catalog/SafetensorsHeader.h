// Reads what a safetensors checkpoint says about its weights without the weights: the 8-byte
// header length, the JSON header (dtype, shape, data_offsets per tensor) and the sharded index.
// Not a tensor loader and not the download: see hub/HubFetch.h.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

namespace sinkscope {

// Largest JSON header accepted, bytes: the safetensors library's own limit (docs/catalog.md).
inline constexpr qint64 kMaxSafetensorsHeaderBytes = 100'000'000;
// Largest number of shards an index may name (docs/catalog.md).
inline constexpr qsizetype kMaxSafetensorsShards = 1024;
// Elements, and bytes, of one tensor and of all of a checkpoint's tensors together: keeps every
// sum exact in qint64 (1024 shards of a 100 MB header each could otherwise overflow it).
inline constexpr qint64 kMaxSafetensorsElements = 1ll << 50;

// The header length from a file's first 8 bytes (little-endian u64). Error(BadInput) naming
// source when fewer than 8 bytes are given or the length is 0 or above the cap.
qint64 safetensorsHeaderLength(const QByteArray& firstBytes, const QString& source);

// What one header (or several added together) holds.
struct SafetensorsSummary {
  qint64 parameters = 0;  // sum over tensors of the product of the shape
  qint64 bytes = 0;       // sum over tensors of data_offsets[1] - data_offsets[0]
  qint64 tensors = 0;
  QMap<QString, qint64> bytesByDtype;  // "BF16" -> bytes
  // Adds other's sums; Error(BadInput) naming source when parameters or bytes would pass
  // kMaxSafetensorsElements in all.
  void add(const SafetensorsSummary& other, const QString& source);
};

// Parses the JSON header (without the 8-byte length). Every tensor needs a known dtype, a shape
// of whole numbers and data_offsets whose span equals the shape times the dtype's size.
// Error(BadInput) "<source>: <tensor>.<field>: <what>" otherwise.
SafetensorsSummary parseSafetensorsHeader(const QByteArray& json, const QString& source);

// model.safetensors.index.json: metadata.total_size (bytes) and the shard files of weight_map.
struct SafetensorsIndex {
  qint64 totalSizeBytes = 0;
  QStringList shardFiles;  // sorted, unique, each a plain "*.safetensors" file name
  qint64 tensors = 0;      // entries of weight_map
};
SafetensorsIndex parseSafetensorsIndex(const QByteArray& json, const QString& source);

}  // namespace sinkscope
