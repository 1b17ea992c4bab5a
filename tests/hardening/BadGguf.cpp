#include "BadGguf.h"

#include "GeneratedLlama.h"
#include "gguf/GgufFile.h"
#include "inference/GgufWriter.h"

#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <vector>

namespace sinkscope::test {

namespace {

template <typename T>
QByteArray raw(T value) {
  QByteArray bytes(sizeof(T), '\0');
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

QByteArray text(const QByteArray& utf8) {
  return raw<quint64>(quint64(utf8.size())) + utf8;
}

constexpr quint32 kString = 8, kArray = 9, kUint32 = 4, kBool = 7, kF32 = 0, kQ8_0 = 8;

// A GGUF file assembled from raw parts; counts are computed unless overridden.
struct RawGguf {
  quint32 magic = 0x46554747;  // "GGUF"
  quint32 version = 3;
  std::optional<quint64> tensorCount;
  std::optional<quint64> metadataCount;
  quint64 alignment = 32;
  QByteArray metadata;
  int metadataEntries = 0;
  QByteArray tensorInfos;
  int tensorEntries = 0;
  QByteArray data;

  void entry(const QByteArray& key, quint32 type, const QByteArray& value) {
    metadata += text(key) + raw<quint32>(type) + value;
    ++metadataEntries;
  }
  void tensor(const QByteArray& name, const std::vector<quint64>& dims, quint32 type, quint64 offset) {
    tensorInfos += text(name) + raw<quint32>(quint32(dims.size()));
    for (quint64 dim : dims) tensorInfos += raw<quint64>(dim);
    tensorInfos += raw<quint32>(type) + raw<quint64>(offset);
    ++tensorEntries;
  }
  QByteArray bytes() const {
    QByteArray out = raw<quint32>(magic) + raw<quint32>(version) +
                     raw<quint64>(tensorCount.value_or(quint64(tensorEntries))) +
                     raw<quint64>(metadataCount.value_or(quint64(metadataEntries))) + metadata + tensorInfos;
    while (quint64(out.size()) % alignment != 0) out += '\0';
    return out + data;
  }
};

// One architecture key, one 8-float tensor: the base every fixture breaks in one place.
RawGguf valid() {
  RawGguf file;
  file.entry("general.architecture", kString, text("llama"));
  file.tensor("t", {8}, kF32, 0);
  file.data = QByteArray(32, '\x01');
  return file;
}

// A small llama checkpoint's metadata and embedding, for the import path (show --model x.gguf);
// `skip` leaves out one key, `replace` swaps one key's type and value.
RawGguf llama(const QByteArray& skip = {}, const QByteArray& replaceKey = {}, quint32 replaceType = 0,
              const QByteArray& replaceValue = {}) {
  RawGguf file;
  const std::vector<std::pair<QByteArray, quint32>> entries{
      {"llama.block_count", 2},          {"llama.context_length", 2048},
      {"llama.embedding_length", 64},    {"llama.feed_forward_length", 128},
      {"llama.attention.head_count", 4}, {"llama.attention.head_count_kv", 2}};
  file.entry("general.architecture", kString, text("llama"));
  for (const auto& [key, value] : entries) {
    if (key == skip) continue;
    if (key == replaceKey)
      file.entry(key, replaceType, replaceValue);
    else
      file.entry(key, kUint32, raw<quint32>(value));
  }
  if (replaceKey == "llama.rope.freq_base") file.entry(replaceKey, replaceType, replaceValue);
  file.tensor("token_embd.weight", {64, 16}, kF32, 0);
  file.data = QByteArray(64 * 16 * 4, '\0');
  return file;
}

// A one-layer llama in llama.cpp's Q4_K_M mix (Q4_K and Q6_K matrices), for the measured-mode
// rows; feed-forward width 288 is not whole 256-blocks, so ffn_down falls back to Q8_0.
QByteArray kQuantLlama() {
  GeneratedLlamaShape shape;
  shape.feedForward = 288;
  shape.layers = 1;
  shape.vocab = 260;
  return generatedLlamaBytes(shape, TensorTypePlan::q4KM(), 3);
}

// A one-layer random model of `architecture` (F32 matrices) with its planned tensors edited, for
// the architecture rows: a tensor missing, of the wrong shape, or one the graph does not use.
QByteArray editedArchitecture(const char* architecture, const PlannedTensorEdit& edit,
                              const std::function<void(GeneratedLlamaShape&)>& reshape = {}) {
  GeneratedLlamaShape shape;
  shape.architecture = QString::fromLatin1(architecture);
  shape.embedding = 64;
  shape.heads = 2;
  shape.kvHeads = 1;
  shape.feedForward = 64;
  shape.layers = 1;
  shape.vocab = 260;
  if (reshape) reshape(shape);
  return generatedLlamaBytes(shape, TensorTypePlan::allMatrices(GgmlType::F32), 3, edit);
}

PlannedTensorEdit removing(const char* name) {
  return [name](std::vector<PlannedTensor>& tensors) {
    std::erase_if(tensors, [&](const PlannedTensor& t) { return t.name == QLatin1String(name); });
  };
}

PlannedTensorEdit reshaping(const char* name, std::vector<qint64> shape) {
  return [name, shape](std::vector<PlannedTensor>& tensors) {
    for (PlannedTensor& t : tensors)
      if (t.name == QLatin1String(name)) t.shape = shape;
  };
}

PlannedTensorEdit adding(const char* name, std::vector<qint64> shape) {
  return [name, shape](std::vector<PlannedTensor>& tensors) {
    tensors.push_back({QString::fromLatin1(name), shape, GgmlType::F32});
  };
}

// The fp16 at byte `offsetInData` of a tensor's data set to `bits` (a scale made NaN or infinite).
QByteArray withHalf(QByteArray bytes, const QString& tensor, quint64 offsetInData, quint16 bits) {
  const quint64 at = GgufFile(bytes, QStringLiteral("fixture")).tensor(tensor).fileOffset + offsetInData;
  std::memcpy(bytes.data() + at, &bits, 2);
  return bytes;
}

// The type id of a tensor's info rewritten (its data is left as it was).
QByteArray withTensorType(QByteArray bytes, const QString& tensor, quint32 typeId) {
  const QByteArray name = GgufWriter::encodeString(tensor);
  const qsizetype info = bytes.indexOf(name);
  quint32 dims = 0;
  std::memcpy(&dims, bytes.constData() + info + name.size(), 4);
  std::memcpy(bytes.data() + info + name.size() + 4 + 8 * dims, &typeId, 4);
  return bytes;
}

const std::map<QString, std::function<QByteArray()>>& fixtures() {
  static const std::map<QString, std::function<QByteArray()>> table{
      {QStringLiteral("valid"), [] { return valid().bytes(); }},
      // Amplification (docs/limits.md, "Threat model"): counts that fit a sparse file's size but
      // would make the reader allocate gigabytes; the catalogue row gives the file its size.
      {QStringLiteral("array_of_1e8_bytes"),
       [] {
         auto f = valid();
         f.entry("a", kArray, raw<quint32>(0 /* uint8 */) + raw<quint64>(100'000'000));
         return f.bytes();
       }},
      {QStringLiteral("array_of_5m_uint32"),
       [] {
         auto f = valid();
         f.entry("a", kArray, raw<quint32>(kUint32) + raw<quint64>(5'000'000));
         return f.bytes();
       }},
      {QStringLiteral("string_of_200_mib"),
       [] {
         auto f = valid();
         f.entry("s", kString, raw<quint64>(quint64(200) << 20));
         return f.bytes();
       }},
      {QStringLiteral("tensor_count_2m"),
       [] {
         auto f = valid();
         f.tensorCount = quint64(1) << 21;
         return f.bytes();
       }},
      {QStringLiteral("metadata_count_2m"),
       [] {
         auto f = valid();
         f.metadataCount = quint64(1) << 21;
         return f.bytes();
       }},
      // One verdict per input: show, plan, rope and probe all refuse these at import.
      {QStringLiteral("llama_rope_factor_infinite"),
       [] {
         auto f = llama();
         f.entry("llama.rope.scaling.type", kString, text("linear"));
         f.entry("llama.rope.scaling.factor", 6 /* float32 */,
                 raw<float>(std::numeric_limits<float>::infinity()));
         return f.bytes();
       }},
      {QStringLiteral("llama_rope_factor_1e30"),
       [] {
         auto f = llama();
         f.entry("llama.rope.scaling.type", kString, text("linear"));
         f.entry("llama.rope.scaling.factor", 6 /* float32 */, raw<float>(1e30f));
         return f.bytes();
       }},
      // Terminal safety: NUL and an ANSI colour sequence inside the architecture name.
      {QStringLiteral("architecture_with_controls"),
       [] {
         RawGguf f;
         f.entry("general.architecture", kString, text(QByteArray("lla\0ma\x1b[31m", 11)));
         return f.bytes();
       }},
      {QStringLiteral("empty"), [] { return QByteArray(""); }},
      {QStringLiteral("bad_magic"),
       [] {
         auto f = valid();
         f.magic = 0x58554747;
         return f.bytes();
       }},
      {QStringLiteral("big_endian_version"),
       [] {
         auto f = valid();
         f.version = 0x03000000;
         return f.bytes();
       }},
      {QStringLiteral("version_1"),
       [] {
         auto f = valid();
         f.version = 1;
         return f.bytes();
       }},
      {QStringLiteral("truncated_header"), [] { return valid().bytes().left(10); }},
      {QStringLiteral("truncated_metadata"),
       [] {  // no tensors, cut inside the first key
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.data.clear();
         return f.bytes().left(40);
       }},
      {QStringLiteral("truncated_tensor_data"), [] { return valid().bytes().chopped(8); }},
      {QStringLiteral("absurd_tensor_count"),
       [] {
         auto f = valid();
         f.tensorCount = quint64(1) << 62;
         return f.bytes();
       }},
      {QStringLiteral("absurd_metadata_count"),
       [] {
         auto f = valid();
         f.metadataCount = ~quint64(0);
         return f.bytes();
       }},
      {QStringLiteral("absurd_string_length"),
       [] {
         auto f = valid();
         f.metadata += raw<quint64>(quint64(1) << 40) + QByteArray("key");
         ++f.metadataEntries;
         return f.bytes();
       }},
      {QStringLiteral("absurd_array_count"),
       [] {
         auto f = valid();
         f.entry("a", kArray, raw<quint32>(kUint32) + raw<quint64>(quint64(1) << 60));
         return f.bytes();
       }},
      {QStringLiteral("arrays_nested_too_deep"),
       [] {
         auto f = valid();
         QByteArray value = raw<quint32>(kUint32) + raw<quint64>(0);
         for (int depth = 0; depth < 9; ++depth) value = raw<quint32>(kArray) + raw<quint64>(1) + value;
         f.entry("deep", kArray, value);
         return f.bytes();
       }},
      {QStringLiteral("unknown_value_type"),
       [] {
         auto f = valid();
         f.entry("x", 42, raw<quint32>(1));
         return f.bytes();
       }},
      {QStringLiteral("bool_not_0_or_1"),
       [] {
         auto f = valid();
         f.entry("flag", kBool, raw<quint8>(2));
         return f.bytes();
       }},
      {QStringLiteral("duplicate_key"),
       [] {
         auto f = valid();
         f.entry("general.architecture", kString, text("llama"));
         return f.bytes();
       }},
      {QStringLiteral("bad_alignment"),
       [] {
         auto f = valid();
         f.entry("general.alignment", kUint32, raw<quint32>(3));
         return f.bytes();
       }},
      {QStringLiteral("offset_past_end"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {8}, kF32, 1 << 20);
         return f.bytes();
       }},
      {QStringLiteral("offset_wraps_around"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {8}, kF32, ~quint64(31));  // aligned, and offset + size overflows 64 bits
         return f.bytes();
       }},
      {QStringLiteral("misaligned_offset"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {8}, kF32, 4);
         return f.bytes();
       }},
      {QStringLiteral("zero_dimension"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {0}, kF32, 0);
         return f.bytes();
       }},
      {QStringLiteral("dimensions_overflow"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {quint64(1) << 32, quint64(1) << 32}, kF32, 0);
         return f.bytes();
       }},
      {QStringLiteral("five_dimensions"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {1, 1, 1, 1, 8}, kF32, 0);
         return f.bytes();
       }},
      {QStringLiteral("unknown_tensor_type"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {8}, 99, 0);
         return f.bytes();
       }},
      {QStringLiteral("row_not_whole_blocks"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {33}, kQ8_0, 0);
         return f.bytes();
       }},
      {QStringLiteral("tensor_larger_than_file"),
       [] {
         auto f = valid();
         f.tensorInfos.clear();
         f.tensorEntries = 0;
         f.tensor("t", {1 << 20}, kF32, 0);
         return f.bytes();
       }},
      {QStringLiteral("llama_valid"), [] { return llama().bytes(); }},
      {QStringLiteral("llama_missing_block_count"), [] { return llama("llama.block_count").bytes(); }},
      {QStringLiteral("llama_kv_heads_not_dividing"),
       [] { return llama({}, "llama.attention.head_count_kv", kUint32, raw<quint32>(3)).bytes(); }},
      {QStringLiteral("llama_head_count_is_string"),
       [] { return llama({}, "llama.attention.head_count", kString, text("4")).bytes(); }},
      {QStringLiteral("llama_embedding_huge"),
       [] {
         return llama({}, "llama.embedding_length", 10 /* uint64 */, raw<quint64>(quint64(1) << 40)).bytes();
       }},
      {QStringLiteral("llama_layers_zero"),
       [] { return llama({}, "llama.block_count", kUint32, raw<quint32>(0)).bytes(); }},
      {QStringLiteral("llama_rope_base_nan"),
       [] {
         return llama({}, "llama.rope.freq_base", 6 /* float32 */,
                      raw<float>(std::numeric_limits<float>::quiet_NaN()))
             .bytes();
       }},
      {QStringLiteral("llama_rope_base_infinite"),
       [] {
         return llama({}, "llama.rope.freq_base", 6 /* float32 */,
                      raw<float>(std::numeric_limits<float>::infinity()))
             .bytes();
       }},
      {QStringLiteral("duplicate_tensor"),
       [] {
         auto f = valid();
         f.tensor("t", {8}, kF32, 0);
         return f.bytes();
       }},
      {QStringLiteral("kquant_llama_valid"), [] { return kQuantLlama(); }},
      {QStringLiteral("kquant_llama_truncated"),
       [] {  // the file ends 100 bytes into a Q4_K tensor
         const QByteArray bytes = kQuantLlama();
         return bytes.left(qsizetype(GgufFile(bytes, QStringLiteral("fixture"))
                                         .tensor(QStringLiteral("blk.0.ffn_up.weight"))
                                         .fileOffset +
                                     100));
       }},
      {QStringLiteral("kquant_llama_nan_scale"),
       [] {  // Q4_K block 0: d at byte 0
         return withHalf(kQuantLlama(), QStringLiteral("blk.0.attn_q.weight"), 0, 0x7E00);
       }},
      {QStringLiteral("kquant_llama_infinite_scale"),
       [] {  // Q6_K block 1: d at byte 210 + 208
         return withHalf(kQuantLlama(), QStringLiteral("blk.0.attn_v.weight"), 210 + 208, 0x7C00);
       }},
      {QStringLiteral("kquant_llama_unknown_type"),
       [] { return withTensorType(kQuantLlama(), QStringLiteral("blk.0.attn_k.weight"), 99); }},
      {QStringLiteral("kquant_llama_uncomputable_type"),
       [] {  // IQ2_XXS: a known layout without kernels
         return withTensorType(kQuantLlama(), QStringLiteral("blk.0.attn_k.weight"), 16);
       }},
      {QStringLiteral("kquant_llama_row_not_whole_blocks"),
       [] {  // 288-value rows declared Q6_K
         return withTensorType(kQuantLlama(), QStringLiteral("blk.0.ffn_down.weight"), 14);
       }},
      // Architectures (docs/measured-mode.md): a required tensor missing, a bias or norm of the
      // wrong shape, a tensor the graph does not use, an architecture measured mode does not run.
      {QStringLiteral("qwen2_bias_wrong_shape"),
       [] { return editedArchitecture("qwen2", reshaping("blk.0.attn_k.bias", {33})); }},
      {QStringLiteral("qwen3_q_norm_missing"),
       [] { return editedArchitecture("qwen3", removing("blk.0.attn_q_norm.weight")); }},
      {QStringLiteral("qwen3_k_norm_wrong_shape"),
       [] { return editedArchitecture("qwen3", reshaping("blk.0.attn_k_norm.weight", {64})); }},
      {QStringLiteral("gemma2_post_norm_missing"),
       [] { return editedArchitecture("gemma2", removing("blk.0.post_ffw_norm.weight")); }},
      {QStringLiteral("gemma3_post_norm_wrong_shape"),
       [] { return editedArchitecture("gemma3", reshaping("blk.0.post_attention_norm.weight", {32})); }},
      {QStringLiteral("phi3_fused_qkv_wrong_rows"),
       [] {
         return editedArchitecture("phi3", reshaping("blk.0.attn_qkv.weight", {64, 96}));
       }},
      {QStringLiteral("phi3_fused_up_missing"),
       [] { return editedArchitecture("phi3", removing("blk.0.ffn_up.weight")); }},
      {QStringLiteral("llama_rope_freqs_wrong_shape"),
       [] { return editedArchitecture("llama", adding("rope_freqs.weight", {32})); }},
      {QStringLiteral(
           "llama_rope_freqs_valid"),  // Llama 3.x scaling in the file: --mitigation llama3 is refused
       [] {
         return editedArchitecture("llama", {},
                                   [](GeneratedLlamaShape& shape) { shape.ropeFrequencyFactors = true; });
       }},
      {QStringLiteral("llama_unused_tensor"),
       [] { return editedArchitecture("llama", adding("blk.0.attn_output.bias", {64})); }},
      {QStringLiteral("architecture_unsupported"), [] { return editedArchitecture("mamba", {}); }},
      {QStringLiteral("phi3_long_rope_without_short"),
       [] { return editedArchitecture("phi3", adding("rope_factors_long.weight", {16})); }},
      {QStringLiteral("gemma2_softcap_negative"),
       [] {
         return editedArchitecture("gemma2", {},
                                   [](GeneratedLlamaShape& shape) { shape.attentionSoftcap = -50; });
       }},
      {QStringLiteral("gemma2_final_softcap_tiny"),
       [] {  // 1/c would overflow float
         return editedArchitecture("gemma2", {},
                                   [](GeneratedLlamaShape& shape) { shape.finalSoftcap = 1e-30; });
       }},
  };
  return table;
}

}  // namespace

QByteArray badGgufFixture(const QString& name) {
  const auto found = fixtures().find(name);
  return found == fixtures().end() ? QByteArray() : found->second();
}

QStringList badGgufFixtureNames() {
  QStringList names;
  for (const auto& [name, make] : fixtures()) names << name;
  return names;
}

}  // namespace sinkscope::test
