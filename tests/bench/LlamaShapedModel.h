// Writes a llama-shaped GGUF of any size with random weights (seeded) and a SentencePiece-style
// vocabulary llama.cpp accepts, for speed comparisons. Not a trained model: its outputs mean nothing.
#pragma once

#include "inference/GgufWriter.h"

#include <QRandomGenerator>
#include <QStringList>
#include <functional>
#include <vector>

namespace sinkscope::bench {

struct LlamaShape {
  int embedding = 1024, heads = 16, kvHeads = 16, feedForward = 2816, layers = 24, vocab = 32000;
  qint64 contextLength = 4096;
};

// The type of each weight matrix by GGUF tensor name and layer (-1 outside the blocks).
using TensorTypeChooser = std::function<GgmlType(const QString& name, int layer, int layers)>;

inline TensorTypeChooser allOf(GgmlType type) {
  return [type](const QString&, int, int) { return type; };
}

// Parameters of the matrices and norms of a shape (token embedding and output head included).
inline qint64 parameterCount(const LlamaShape& s) {
  const qint64 e = s.embedding, headDim = e / s.heads;
  const qint64 perLayer = 2 * e * s.heads * headDim + 2 * e * s.kvHeads * headDim + 3 * e * s.feedForward + 2 * e;
  return 2 * qint64(s.vocab) * e + e + s.layers * perLayer;
}

inline void writeLlamaShapedGguf(const QString& path, const LlamaShape& s, const TensorTypeChooser& typeOf, quint32 seed = 11) {
  QRandomGenerator random(seed);
  auto randomValues = [&](qint64 count, double scale) {
    std::vector<float> values(static_cast<size_t>(count));
    for (float& v : values) v = float((random.generateDouble() * 2 - 1) * scale);
    return values;
  };
  GgufWriter writer;
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addString(QStringLiteral("general.name"), QStringLiteral("sinkscope-bench"));
  writer.addUint32(QStringLiteral("llama.context_length"), quint32(s.contextLength));
  writer.addUint32(QStringLiteral("llama.embedding_length"), quint32(s.embedding));
  writer.addUint32(QStringLiteral("llama.feed_forward_length"), quint32(s.feedForward));
  writer.addUint32(QStringLiteral("llama.attention.head_count"), quint32(s.heads));
  writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), quint32(s.kvHeads));
  writer.addUint32(QStringLiteral("llama.block_count"), quint32(s.layers));
  writer.addUint32(QStringLiteral("llama.rope.dimension_count"), quint32(s.embedding / s.heads));
  writer.addFloat32(QStringLiteral("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("llama"));
  QStringList tokens{QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>")};
  std::vector<float> scores{0, 0, 0};
  std::vector<qint32> types{2, 3, 3};
  for (int b = 0; b < 256; ++b) {
    tokens << QStringLiteral("<0x%1>").arg(b, 2, 16, QLatin1Char('0')).toUpper().replace(QStringLiteral("<0X"), QStringLiteral("<0x"));
    scores.push_back(0);
    types.push_back(6);
  }
  for (int t = int(tokens.size()); t < s.vocab; ++t) {
    tokens << QStringLiteral("\u2581w%1").arg(t);
    scores.push_back(-float(t));
    types.push_back(1);
  }
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), tokens);
  writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), scores);
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), types);
  writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), 1);
  writer.addUint32(QStringLiteral("tokenizer.ggml.eos_token_id"), 2);
  const qint64 e = s.embedding, headDim = e / s.heads;
  auto matrix = [&](const QString& name, int layer, qint64 in, qint64 out, double scale) {
    writer.addTensor(name, {in, out}, randomValues(in * out, scale), typeOf(name, layer, s.layers));
  };
  auto norm = [&](const QString& name) {
    std::vector<float> values = randomValues(e, 0.1);
    for (float& v : values) v += 1.0f;
    writer.addTensor(name, {e}, values);
  };
  const double inScale = 1.7 / std::sqrt(double(e));  // uniform, variance ~ 1/E per row
  matrix(QStringLiteral("token_embd.weight"), -1, e, s.vocab, 1.0);
  norm(QStringLiteral("output_norm.weight"));
  matrix(QStringLiteral("output.weight"), -1, e, s.vocab, inScale);
  for (int l = 0; l < s.layers; ++l) {
    const QString p = QStringLiteral("blk.%1.").arg(l);
    norm(p + QStringLiteral("attn_norm.weight"));
    matrix(p + QStringLiteral("attn_q.weight"), l, e, s.heads * headDim, inScale);
    matrix(p + QStringLiteral("attn_k.weight"), l, e, s.kvHeads * headDim, inScale);
    matrix(p + QStringLiteral("attn_v.weight"), l, e, s.kvHeads * headDim, inScale);
    matrix(p + QStringLiteral("attn_output.weight"), l, s.heads * headDim, e, inScale);
    norm(p + QStringLiteral("ffn_norm.weight"));
    matrix(p + QStringLiteral("ffn_gate.weight"), l, e, s.feedForward, inScale);
    matrix(p + QStringLiteral("ffn_up.weight"), l, e, s.feedForward, inScale);
    matrix(p + QStringLiteral("ffn_down.weight"), l, s.feedForward, e, 1.7 / std::sqrt(double(s.feedForward)));
  }
  writer.save(path);
}

}  // namespace sinkscope::bench
