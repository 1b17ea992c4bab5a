#include "BpeModelFixtures.h"

#include "inference/BpeTokenizer.h"
#include "inference/GgufWriter.h"

#include <QStringList>

namespace sinkscope::test {

namespace {

struct Defects {
  bool addExtraToken = false;  // append extraToken (which may be empty) to the vocabulary
  QString extraToken;
  QString extraMerge;  // appended to the merges
  quint32 bosId = 256;
  QString pre = QStringLiteral("llama-bpe");
  QString model = QStringLiteral("gpt2");
  int userDefinedTokens = 0;  // "<u0>", "<u1>", ... of type 4 (user-defined), appended
};

std::vector<float> ramp(qint64 count) {
  std::vector<float> values(size_t(count), 0.0f);
  for (qint64 i = 0; i < count; ++i) values[size_t(i)] = float(i % 13) * 0.0625f - 0.375f;
  return values;
}

// 256 byte characters, <|begin_of_text|>, "ab", "Ġa"; one layer of width 8.
QByteArray model(const Defects& defects) {
  QStringList tokens;
  std::vector<qint32> types;
  for (int byte = 0; byte < 256; ++byte) {
    const char32_t c = byteToBpeCharacter(uchar(byte));
    tokens << QString::fromUcs4(&c, 1);
    types.push_back(1);
  }
  tokens << QStringLiteral("<|begin_of_text|>") << QStringLiteral("ab") << QStringLiteral("\u0120a");
  types.insert(types.end(), {3, 1, 1});
  if (defects.addExtraToken) {
    tokens << defects.extraToken;
    types.push_back(1);
  }
  for (int i = 0; i < defects.userDefinedTokens; ++i) {
    tokens << QStringLiteral("<u%1>").arg(i);
    types.push_back(4);
  }
  QStringList merges{QStringLiteral("a b"), QStringLiteral("\u0120 a")};
  if (!defects.extraMerge.isEmpty()) merges << defects.extraMerge;

  constexpr int embedding = 8, heads = 2, headDim = 4, feedForward = 16;
  const int vocab = int(tokens.size());
  GgufWriter writer;
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addString(QStringLiteral("general.name"), QStringLiteral("tiny-bpe"));
  writer.addUint32(QStringLiteral("llama.block_count"), 1);
  writer.addUint32(QStringLiteral("llama.context_length"), 64);
  writer.addUint32(QStringLiteral("llama.embedding_length"), embedding);
  writer.addUint32(QStringLiteral("llama.feed_forward_length"), feedForward);
  writer.addUint32(QStringLiteral("llama.attention.head_count"), heads);
  writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), heads);
  writer.addUint32(QStringLiteral("llama.rope.dimension_count"), headDim);
  writer.addFloat32(QStringLiteral("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
  writer.addString(QStringLiteral("tokenizer.ggml.model"), defects.model);
  writer.addString(QStringLiteral("tokenizer.ggml.pre"), defects.pre);
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), tokens);
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), types);
  writer.addStringArray(QStringLiteral("tokenizer.ggml.merges"), merges);
  writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), defects.bosId);
  writer.addTensor(QStringLiteral("token_embd.weight"), {embedding, vocab}, ramp(qint64(embedding) * vocab));
  writer.addTensor(QStringLiteral("output_norm.weight"), {embedding}, std::vector<float>(embedding, 1.0f));
  const auto matrix = [&](const QString& name, int in, int out) {
    writer.addTensor(name, {in, out}, ramp(qint64(in) * out));
  };
  writer.addTensor(QStringLiteral("blk.0.attn_norm.weight"), {embedding},
                   std::vector<float>(embedding, 1.0f));
  matrix(QStringLiteral("blk.0.attn_q.weight"), embedding, heads * headDim);
  matrix(QStringLiteral("blk.0.attn_k.weight"), embedding, heads * headDim);
  matrix(QStringLiteral("blk.0.attn_v.weight"), embedding, heads * headDim);
  matrix(QStringLiteral("blk.0.attn_output.weight"), heads * headDim, embedding);
  writer.addTensor(QStringLiteral("blk.0.ffn_norm.weight"), {embedding}, std::vector<float>(embedding, 1.0f));
  matrix(QStringLiteral("blk.0.ffn_gate.weight"), embedding, feedForward);
  matrix(QStringLiteral("blk.0.ffn_up.weight"), embedding, feedForward);
  matrix(QStringLiteral("blk.0.ffn_down.weight"), feedForward, embedding);
  return writer.toBytes();
}

}  // namespace

QByteArray bpeModelFixture(const QString& name) {
  Defects defects;
  if (name == QLatin1String("bpe_valid")) {
  } else if (name == QLatin1String("bpe_merge_unknown_token")) {
    defects.extraMerge = QStringLiteral("a zq");
  } else if (name == QLatin1String("bpe_duplicate_token")) {
    defects.addExtraToken = true;
    defects.extraToken = QStringLiteral("ab");
  } else if (name == QLatin1String("bpe_empty_token")) {
    defects.addExtraToken = true;  // an empty token
  } else if (name == QLatin1String("bpe_bos_out_of_range")) {
    defects.bosId = 5000;
  } else if (name == QLatin1String("bpe_unknown_pre")) {
    defects.pre = QStringLiteral("tekken");
  } else if (name == QLatin1String("bpe_unknown_model")) {
    defects.model = QStringLiteral("bert");
  } else if (name == QLatin1String("bpe_many_user_defined")) {
    // 200,000 user-defined tokens x the bundled 55 KB sample: 1.1e10 comparisons, above 2^33.
    defects.userDefinedTokens = 200000;
  } else {
    return QByteArray();
  }
  return model(defects);
}

}  // namespace sinkscope::test
