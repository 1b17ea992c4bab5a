// libFuzzer target: the GGUF reader (core/gguf/GgufFile) on arbitrary bytes, then every
// typed metadata getter, the dequantisation of every small tensor, the catalogue's GGUF import,
// the tokenizer and a tiny forward pass. Not a test of values.
#include "catalog/GgufImport.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/ForwardPass.h"
#include "inference/LlamaModel.h"
#include "inference/TensorRead.h"
#include "inference/Tokenizer.h"
#include "positional/RopeSchedule.h"

#include <QByteArray>
#include <cmath>
#include <cstdint>
#include <functional>

using namespace sinkscope;

namespace {

// A getter may refuse a value of the wrong type with Error; anything else is a finding.
void tolerate(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error&) {
  }
}

void exerciseMetadata(const GgufFile& file) {
  for (const GgufMetadataEntry& entry : file.metadata()) {
    const QString& key = entry.key;
    tolerate([&] { (void)file.integer(key); });
    tolerate([&] { (void)file.number(key); });
    tolerate([&] { (void)file.boolean(key); });
    tolerate([&] { (void)file.string(key); });
    tolerate([&] { (void)file.stringArray(key); });
    tolerate([&] { (void)file.numberArray(key); });
    tolerate([&] { (void)file.integerArray(key); });
    tolerate([&] { (void)file.requireIntegerIn(key, 1, 1 << 20); });
    (void)ggufValueTypeName(entry.value.type());
  }
}

void exerciseTensors(const GgufFile& file) {
  constexpr qint64 kMaxElements = 1 << 18;  // keeps each run fast; sizes are checked at parse time
  for (const GgufTensorInfo& info : file.tensors()) {
    (void)file.findTensor(info.name);
    const auto bytes = file.tensorBytes(info);
    if (!bytes.empty()) {  // touches the first and last byte: ASan reports a view past the data
      volatile std::byte first = bytes.front();
      volatile std::byte last = bytes.back();
      (void)first;
      (void)last;
    }
    if (info.elementCount() > kMaxElements) continue;
    tolerate([&] { (void)dequantize(file, info); });
    if (info.rowCount() > 1) {
      std::vector<float> row(size_t(info.rowLength()));
      tolerate([&] { dequantizeRows(file, info, info.rowCount() - 1, 1, row.data()); });
    }
  }
}

// The catalogue's GGUF import, and the RoPE schedule of what it accepted (its numbers feed the
// planner and the positional engine, so a NaN or an infinity that got through is a finding).
void exerciseImport(const GgufFile& file) {
  try {
    const ModelSpec spec = modelSpecFromGguf(file, QStringLiteral("fuzz"));
    if (!spec.usesRope) return;
    const RopeSchedule schedule =
        computeRopeSchedule(ropeParametersFor(spec), spec.maxPositionEmbeddings * 2);
    for (double frequency : schedule.invFreq)
      if (!std::isfinite(frequency)) __builtin_trap();
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::BadInput) __builtin_trap();
  }
}

// Measured mode on what the file claims: the tokenizer, and for small models the weights and a
// six-token forward pass (Eigen's own bounds assertions are on in the fuzz build).
void exerciseMeasuredMode(const GgufFile& file) {
  try {
    const SentencePieceTokenizer tokenizer = SentencePieceTokenizer::fromGguf(file);
    for (int id : tokenizer.encode(QStringLiteral("Once upon a time, caf\u00e9 \u65e5")))
      if (id < 0 || id >= tokenizer.vocabSize()) __builtin_trap();
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::BadInput) __builtin_trap();
  }
  try {
    const LlamaModel model = LlamaModel::load(file, qint64(1) << 22);  // at most 4 MiB of encoded weights
    const LlamaHyperparameters& h = model.hyper();
    std::vector<int> tokens;
    for (int i = 0; i < 6; ++i) tokens.push_back(i % h.vocabSize);
    ForwardOptions options;
    options.schedule = computeRopeSchedule(ropeParametersForGguf(h, h.contextLength));
    options.trainedContext = 3;
    options.heatmapRows = {0, 5};
    options.chunkTokens = 4;
    const ForwardResult result = runForward(model, tokens, options);
    if (result.nll.size() != tokens.size() - 1 || result.argmax.size() != tokens.size()) __builtin_trap();
    for (int id : result.argmax)
      if (id < 0 || id >= h.vocabSize) __builtin_trap();
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::BadInput) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const GgufFile file(QByteArray(reinterpret_cast<const char*>(data), qsizetype(size)),
                        QStringLiteral("fuzz.gguf"));
    exerciseMetadata(file);
    exerciseTensors(file);
    exerciseImport(file);
    exerciseMeasuredMode(file);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::BadInput) __builtin_trap();  // malformed bytes are bad input, never a bug
  }
  return 0;
}
