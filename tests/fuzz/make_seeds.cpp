// Writes the binary seed inputs of tests/fuzz/corpus/{gguf,tokenizer} with the GGUF writer:
// a file with every metadata type and tensor type, a tiny llama model (and one of K-quants and
// the other quantized types), a vocabulary. Run by hand:
//   build-fuzz/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus     (its output is committed)
#include "FuzzVocabulary.h"
#include "inference/GgufWriter.h"

#include <QDir>
#include <QFile>
#include <cstdio>
#include <cstring>

using namespace sinkscope;

namespace {

template <typename T>
QByteArray raw(T value) {
  QByteArray bytes(sizeof(T), '\0');
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

std::vector<float> ramp(qint64 count) {
  std::vector<float> values(static_cast<size_t>(count));
  for (qint64 i = 0; i < count; ++i) values[size_t(i)] = float(i % 17) * 0.125f - 1.0f;
  return values;
}

QByteArray everyType(quint32 version) {
  GgufWriter writer(version);
  writer.addRaw(QStringLiteral("u8"), 0, raw<quint8>(200));
  writer.addRaw(QStringLiteral("i8"), 1, raw<qint8>(-100));
  writer.addRaw(QStringLiteral("u16"), 2, raw<quint16>(60000));
  writer.addRaw(QStringLiteral("i16"), 3, raw<qint16>(-30000));
  writer.addUint32(QStringLiteral("u32"), 4000000000u);
  writer.addInt32(QStringLiteral("i32"), -2000000000);
  writer.addFloat32(QStringLiteral("f32"), 0.25f);
  writer.addBool(QStringLiteral("flag"), true);
  writer.addString(QStringLiteral("text"), QStringLiteral("héllo"));
  writer.addUint64(QStringLiteral("u64"), 1ull << 40);
  writer.addRaw(QStringLiteral("i64"), 11, raw<qint64>(-(1ll << 40)));
  writer.addFloat64(QStringLiteral("f64"), 1e-300);
  writer.addStringArray(QStringLiteral("strings"), {QStringLiteral("a"), QStringLiteral("bc")});
  writer.addFloat32Array(QStringLiteral("floats"), {0.5f, -1.0f});
  writer.addInt32Array(QStringLiteral("ints"), {1, -2, 3});
  // An array of arrays: element type 9, two inner arrays of uint8.
  QByteArray nested = raw<quint32>(9) + raw<quint64>(2);
  for (int i = 0; i < 2; ++i) nested += raw<quint32>(0) + raw<quint64>(2) + raw<quint8>(7) + raw<quint8>(9);
  writer.addRaw(QStringLiteral("nested"), 9, nested);
  writer.addTensor(QStringLiteral("f32"), {4, 2}, ramp(8));
  writer.addTensor(QStringLiteral("f16"), {8, 2}, ramp(16), GgmlType::F16);
  writer.addTensor(QStringLiteral("bf16"), {8}, ramp(8), GgmlType::BF16);
  writer.addTensor(QStringLiteral("q8_0"), {32, 2}, ramp(64), GgmlType::Q8_0);
  writer.addRawTensor(QStringLiteral("q4_0"), {32}, GgmlType::Q4_0, QByteArray(18, '\x21'));
  writer.addRawTensor(QStringLiteral("q4_1"), {32}, GgmlType::Q4_1, QByteArray(20, '\x42'));
  writer.addRawTensor(QStringLiteral("q6_k"), {256}, GgmlType::Q6_K, QByteArray(210, '\x01'));
  // Every other computable type, encoded by SinkScope's quantizers (docs/tensor-types.md).
  for (GgmlType type : {GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::IQ4_NL})
    writer.addTensor(ggmlTypeName(type).toLower(), {32, 2}, ramp(64), type);
  for (GgmlType type : {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::IQ4_XS})
    writer.addTensor(ggmlTypeName(type).toLower() + QStringLiteral("_encoded"), {256}, ramp(256), type);
  return writer.toBytes();
}

QByteArray tinyLlama() {
  constexpr int embedding = 8, heads = 2, kvHeads = 1, headDim = 4, feedForward = 16, layers = 1;
  GgufWriter writer;
  writer.setAlignment(64);
  writer.addUint32(QStringLiteral("general.alignment"), 64);
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addString(QStringLiteral("general.name"), QStringLiteral("tiny"));
  writer.addUint32(QStringLiteral("llama.block_count"), layers);
  writer.addUint32(QStringLiteral("llama.context_length"), 128);
  writer.addUint32(QStringLiteral("llama.embedding_length"), embedding);
  writer.addUint32(QStringLiteral("llama.feed_forward_length"), feedForward);
  writer.addUint32(QStringLiteral("llama.attention.head_count"), heads);
  writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), kvHeads);
  writer.addUint32(QStringLiteral("llama.rope.dimension_count"), headDim);
  writer.addFloat32(QStringLiteral("llama.rope.freq_base"), 10000.0f);
  writer.addFloat32(QStringLiteral("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
  writer.addString(QStringLiteral("llama.rope.scaling.type"), QStringLiteral("linear"));
  writer.addFloat32(QStringLiteral("llama.rope.scaling.factor"), 2.0f);
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("llama"));
  writer.addStringArray(
      QStringLiteral("tokenizer.ggml.tokens"),
      {QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>"), QStringLiteral("a")});
  writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), {0, 0, 0, -1});
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), {2, 3, 3, 1});
  constexpr int vocab = 4;
  writer.addTensor(QStringLiteral("token_embd.weight"), {embedding, vocab}, ramp(embedding * vocab),
                   GgmlType::F16);
  writer.addTensor(QStringLiteral("output_norm.weight"), {embedding}, ramp(embedding));
  const auto matrix = [&](const QString& name, int in, int out) {
    writer.addTensor(name, {in, out}, ramp(qint64(in) * out), GgmlType::F32);
  };
  writer.addTensor(QStringLiteral("blk.0.attn_norm.weight"), {embedding}, ramp(embedding));
  matrix(QStringLiteral("blk.0.attn_q.weight"), embedding, heads * headDim);
  matrix(QStringLiteral("blk.0.attn_k.weight"), embedding, kvHeads * headDim);
  matrix(QStringLiteral("blk.0.attn_v.weight"), embedding, kvHeads * headDim);
  matrix(QStringLiteral("blk.0.attn_output.weight"), heads * headDim, embedding);
  writer.addTensor(QStringLiteral("blk.0.ffn_norm.weight"), {embedding}, ramp(embedding));
  matrix(QStringLiteral("blk.0.ffn_gate.weight"), embedding, feedForward);
  matrix(QStringLiteral("blk.0.ffn_up.weight"), embedding, feedForward);
  matrix(QStringLiteral("blk.0.ffn_down.weight"), feedForward, embedding);
  return writer.toBytes();
}

// A one-layer llama whose matrices are K-quants and the other new types, 256 wide (a K-quant
// row is 256 values), so the forward pass decodes each of them.
QByteArray kQuantLlama() {
  constexpr int embedding = 256, heads = 2, kvHeads = 1, headDim = 128, feedForward = 256, vocab = 4;
  GgufWriter writer;
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addUint32(QStringLiteral("llama.block_count"), 1);
  writer.addUint32(QStringLiteral("llama.context_length"), 64);
  writer.addUint32(QStringLiteral("llama.embedding_length"), embedding);
  writer.addUint32(QStringLiteral("llama.feed_forward_length"), feedForward);
  writer.addUint32(QStringLiteral("llama.attention.head_count"), heads);
  writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), kvHeads);
  writer.addFloat32(QStringLiteral("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("llama"));
  writer.addStringArray(
      QStringLiteral("tokenizer.ggml.tokens"),
      {QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>"), QStringLiteral("a")});
  writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), {0, 0, 0, -1});
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), {2, 3, 3, 1});
  const auto matrix = [&](const QString& name, int in, int out, GgmlType type) {
    std::vector<float> values = ramp(qint64(in) * out);
    for (float& v : values) v *= 0.05f;
    writer.addTensor(name, {in, out}, values, type);
  };
  matrix(QStringLiteral("token_embd.weight"), embedding, vocab, GgmlType::Q8_0);
  writer.addTensor(QStringLiteral("output_norm.weight"), {embedding}, ramp(embedding));
  matrix(QStringLiteral("output.weight"), embedding, vocab, GgmlType::Q6_K);
  writer.addTensor(QStringLiteral("blk.0.attn_norm.weight"), {embedding}, ramp(embedding));
  matrix(QStringLiteral("blk.0.attn_q.weight"), embedding, heads * headDim, GgmlType::Q4_K);
  matrix(QStringLiteral("blk.0.attn_k.weight"), embedding, kvHeads * headDim, GgmlType::Q5_K);
  matrix(QStringLiteral("blk.0.attn_v.weight"), embedding, kvHeads * headDim, GgmlType::Q3_K);
  matrix(QStringLiteral("blk.0.attn_output.weight"), heads * headDim, embedding, GgmlType::Q2_K);
  writer.addTensor(QStringLiteral("blk.0.ffn_norm.weight"), {embedding}, ramp(embedding));
  matrix(QStringLiteral("blk.0.ffn_gate.weight"), embedding, feedForward, GgmlType::IQ4_XS);
  matrix(QStringLiteral("blk.0.ffn_up.weight"), embedding, feedForward, GgmlType::Q5_1);
  matrix(QStringLiteral("blk.0.ffn_down.weight"), feedForward, embedding, GgmlType::IQ4_NL);
  return writer.toBytes();
}

void save(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
    std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
    std::exit(1);
  }
  std::printf("%s (%lld bytes)\n", qPrintable(path), static_cast<long long>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  const QString corpus = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("tests/fuzz/corpus");
  QDir().mkpath(corpus + QStringLiteral("/gguf"));
  QDir().mkpath(corpus + QStringLiteral("/tokenizer"));
  save(corpus + QStringLiteral("/gguf/every_type_v3.gguf"), everyType(3));
  save(corpus + QStringLiteral("/gguf/every_type_v2.gguf"), everyType(2));
  save(corpus + QStringLiteral("/gguf/tiny_llama.gguf"), tinyLlama());
  save(corpus + QStringLiteral("/gguf/kquant_llama.gguf"), kQuantLlama());
  save(corpus + QStringLiteral("/gguf/vocabulary.gguf"), fuzz::fixtureVocabularyGguf());
  // Tokenizer inputs: first byte = flags (bit 0: add BOS, bit 1: also parse as token ids, bit 2:
  // parse special tokens with byte-level BPE; bits 2-7 pick its pre-tokenizer).
  save(corpus + QStringLiteral("/tokenizer/story.txt"),
       QByteArrayLiteral("\x01Once upon a time, there was a little girl named Lily."));
  save(corpus + QStringLiteral("/tokenizer/unicode.txt"),
       QByteArrayLiteral("\x00"
                         "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC  two  spaces\n\ttab \xF0\x9F\x98\x80"));
  save(corpus + QStringLiteral("/tokenizer/invalid_utf8.txt"),
       QByteArrayLiteral("\x01\xFF\xFE\xC3 \x80\xE2\x96 end"));
  save(corpus + QStringLiteral("/tokenizer/bpe_specials.txt"),
       QByteArrayLiteral(
           "\x04<think>I'm 12345 the in\r\n\n  x<|begin_of_text|>caf\xC3\xA9 \xF0\x9F\x98\x80 WE'LL"));
  save(corpus + QStringLiteral("/tokenizer/ids.txt"),
       QByteArrayLiteral("\x02"
                         "1 403 407, 261\n378 -5 99999999999"));
  return 0;
}
