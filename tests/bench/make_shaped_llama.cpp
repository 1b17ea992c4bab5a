// Writes a llama GGUF of any shape and tensor-type plan (tests/support/GeneratedLlama.h) in
// seconds rather than hours: one random row per (type, row length) is quantized and repeated, so
// the file has the real size, layout and decode work of a downloaded model but no vocabulary and
// no meaningful weights. For memory and speed checks of `sinkscope measure --tokens` on 7B shapes.
// Usage: build/tests/bench/make_shaped_llama OUT.gguf [TYPES=Q4_K_M] [E=4096 H=32 KV=32 F=11008 L=32 V=32000]
#include "GeneratedLlama.h"
#include "common/Error.h"
#include "inference/GgufWriter.h"
#include "inference/TensorTypes.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <cstdio>
#include <map>

using namespace sinkscope;

namespace {

// The encoded bytes of a rows x rowLength matrix whose rows all repeat one random row.
QByteArray repeatedRows(const TensorTypeTraits& traits, qint64 rowLength, qint64 rows,
                        QRandomGenerator& random) {
  std::vector<float> row(static_cast<size_t>(rowLength));
  for (float& v : row) v = float((random.generateDouble() * 2 - 1) / std::sqrt(double(rowLength)));
  QByteArray encodedRow(qsizetype(traits.rowBytes(rowLength)), '\0');
  traits.quantize(row.data(), reinterpret_cast<std::byte*>(encodedRow.data()), rowLength);
  QByteArray bytes;
  bytes.reserve(encodedRow.size() * rows);
  for (qint64 r = 0; r < rows; ++r) bytes.append(encodedRow);
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const QStringList args = app.arguments();
  if (args.size() < 2) {
    std::fprintf(stderr, "error: usage: make_shaped_llama OUT.gguf [TYPES E H KV F L V]\n");
    return 2;
  }
  auto number = [&args](int index, int fallback) {
    return args.size() > index ? args[index].toInt() : fallback;
  };
  test::GeneratedLlamaShape shape;
  shape.embedding = number(3, 4096);
  shape.heads = number(4, 32);
  shape.kvHeads = number(5, 32);
  shape.feedForward = number(6, 11008);
  shape.layers = number(7, 32);
  shape.vocab = number(8, 32000);
  const QString types = args.size() > 2 ? args[2] : QStringLiteral("Q4_K_M");
  test::TensorTypePlan plan = test::TensorTypePlan::q4KM();
  if (types != QLatin1String("Q4_K_M"))
    for (const TensorTypeTraits& traits : computableTensorTypes())
      if (types == QLatin1String(traits.name)) plan = test::TensorTypePlan::allMatrices(traits.type);
  try {
    GgufWriter writer;
    writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
    writer.addUint32(QStringLiteral("general.file_type"), types == QLatin1String("Q4_K_M") ? 15 : 0);
    writer.addUint32(QStringLiteral("llama.context_length"), quint32(shape.contextLength));
    writer.addUint32(QStringLiteral("llama.embedding_length"), quint32(shape.embedding));
    writer.addUint32(QStringLiteral("llama.feed_forward_length"), quint32(shape.feedForward));
    writer.addUint32(QStringLiteral("llama.attention.head_count"), quint32(shape.heads));
    writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), quint32(shape.kvHeads));
    writer.addUint32(QStringLiteral("llama.block_count"), quint32(shape.layers));
    writer.addFloat32(QStringLiteral("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
    QRandomGenerator random(1);
    std::map<std::pair<int, qint64>, QByteArray> shared;  // (type, shape) -> bytes, shared between layers
    for (const test::PlannedTensor& tensor : test::llamaTensors(shape, plan)) {
      const qint64 rows = tensor.shape.size() > 1 ? tensor.shape[1] : 1;
      const TensorTypeTraits* traits = tensorTypeTraits(tensor.type);
      const auto key = std::make_pair(int(tensor.type), tensor.shape[0] * 1000003 + rows);
      if (!shared.count(key)) {
        if (tensor.shape.size() == 1) {
          const std::vector<float> ones(static_cast<size_t>(tensor.shape[0]), 1.0f);
          shared[key] = QByteArray(reinterpret_cast<const char*>(ones.data()), qsizetype(ones.size() * 4));
        } else {
          shared[key] = repeatedRows(*traits, tensor.shape[0], rows, random);
        }
      }
      writer.addRawTensor(tensor.name, tensor.shape, tensor.type, shared[key]);
    }
    writer.save(args[1]);
  } catch (const Error& error) {
    std::fprintf(stderr, "error: %s\n", qPrintable(error.describe()));
    return error.exitCode();
  }
  return 0;
}
