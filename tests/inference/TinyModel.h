// Builds a small random Llama GGUF (seeded) with a SentencePiece vocabulary, for tests that
// must run without the shared real model. Not a trained model: its outputs mean nothing.
#pragma once

#include "inference/GgufWriter.h"

#include <QRandomGenerator>
#include <QStringList>
#include <vector>

namespace sinkscope::test {

struct TinyModelShape {
  int embedding = 16, heads = 4, kvHeads = 2, feedForward = 24, layers = 2;
  bool tiedOutput = false;
  bool zeroQueries = false;  // all query weights 0: every head attends uniformly
  GgmlType type = GgmlType::F32;
};

// Vocabulary: <unk> <s> </s>, 256 byte tokens, then a few merged pieces with scores.
inline QStringList tinyVocabulary(std::vector<float>* scores, std::vector<qint32>* types) {
  QStringList tokens{QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>")};
  *scores = {0, 0, 0};
  *types = {2, 3, 3};
  for (int b = 0; b < 256; ++b) {
    tokens << QStringLiteral("<0x%1>")
                  .arg(b, 2, 16, QLatin1Char('0'))
                  .toUpper()
                  .replace(QStringLiteral("<0X"), QStringLiteral("<0x"));
    scores->push_back(0);
    types->push_back(6);
  }
  const QList<QPair<QString, float>> pieces{{QStringLiteral("\u2581"), -10},  {QStringLiteral("a"), -20},
                                            {QStringLiteral("b"), -20},       {QStringLiteral("c"), -20},
                                            {QStringLiteral("\u2581a"), -2},  {QStringLiteral("ab"), -1},
                                            {QStringLiteral("\u2581ab"), -3}, {QStringLiteral("bc"), -0.5f}};
  for (const auto& [piece, score] : pieces) {
    tokens << piece;
    scores->push_back(score);
    types->push_back(1);
  }
  return tokens;
}

inline QByteArray tinyModelBytes(const TinyModelShape& shape = {}, quint32 seed = 7) {
  QRandomGenerator random(seed);
  auto randomValues = [&](size_t count, double scale) {
    std::vector<float> values(count);
    for (float& v : values) v = float((random.generateDouble() * 2 - 1) * scale);
    return values;
  };
  std::vector<float> scores;
  std::vector<qint32> types;
  const QStringList tokens = tinyVocabulary(&scores, &types);
  const qint64 vocab = tokens.size();
  const int headDim = shape.embedding / shape.heads;
  GgufWriter writer;
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addUint32(QStringLiteral("llama.context_length"), 64);
  writer.addUint32(QStringLiteral("llama.embedding_length"), quint32(shape.embedding));
  writer.addUint32(QStringLiteral("llama.feed_forward_length"), quint32(shape.feedForward));
  writer.addUint32(QStringLiteral("llama.attention.head_count"), quint32(shape.heads));
  writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), quint32(shape.kvHeads));
  writer.addUint32(QStringLiteral("llama.block_count"), quint32(shape.layers));
  writer.addFloat32(QStringLiteral("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("llama"));
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), tokens);
  writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), scores);
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), types);
  writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), 1);
  const qint64 e = shape.embedding;
  auto matrix = [&](const QString& name, qint64 in, qint64 out, double scale) {
    writer.addTensor(name, {in, out}, randomValues(size_t(in * out), scale), shape.type);
  };
  auto norm = [&](const QString& name) {
    std::vector<float> values = randomValues(size_t(e), 0.2);
    for (float& v : values) v += 1.0f;
    writer.addTensor(name, {e}, values);
  };
  matrix(QStringLiteral("token_embd.weight"), e, vocab, 1.0);
  if (!shape.tiedOutput) matrix(QStringLiteral("output.weight"), e, vocab, 0.5);
  norm(QStringLiteral("output_norm.weight"));
  for (int l = 0; l < shape.layers; ++l) {
    const QString p = QStringLiteral("blk.%1.").arg(l);
    norm(p + QStringLiteral("attn_norm.weight"));
    matrix(p + QStringLiteral("attn_q.weight"), e, shape.heads * headDim, shape.zeroQueries ? 0.0 : 0.8);
    matrix(p + QStringLiteral("attn_k.weight"), e, shape.kvHeads * headDim, 0.8);
    matrix(p + QStringLiteral("attn_v.weight"), e, shape.kvHeads * headDim, 0.5);
    matrix(p + QStringLiteral("attn_output.weight"), shape.heads * headDim, e, 0.3);
    norm(p + QStringLiteral("ffn_norm.weight"));
    matrix(p + QStringLiteral("ffn_gate.weight"), e, shape.feedForward, 0.5);
    matrix(p + QStringLiteral("ffn_up.weight"), e, shape.feedForward, 0.5);
    matrix(p + QStringLiteral("ffn_down.weight"), shape.feedForward, e, 0.3);
  }
  return writer.toBytes();
}

}  // namespace sinkscope::test
