#include "HfTokenizerVocabulary.h"

#include "inference/GgufWriter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>

namespace sinkscope::test {

namespace {

// convert_hf_to_gguf.py's does_token_look_special.
bool looksSpecial(const QString& token) {
  static const QStringList named{QStringLiteral("<pad>"), QStringLiteral("<mask>"), QStringLiteral("<2mass>"),
                                 QStringLiteral("[@BOS@]")};
  return named.contains(token) ||
         (token.startsWith(QLatin1String("<|")) && token.endsWith(QLatin1String("|>"))) ||
         (token.startsWith(QStringLiteral("<\uFF5C")) && token.endsWith(QStringLiteral("\uFF5C>"))) ||
         (token.startsWith(QLatin1String("<unused")) && token.endsWith(QLatin1Char('>')));
}

// Merges are "A B" strings, or [A, B] pairs in tokenizer.json files written since transformers 4.45.
QStringList mergesOf(const QJsonArray& merges) {
  QStringList out;
  out.reserve(merges.size());
  for (const QJsonValue merge : merges) {
    if (merge.isString()) {
      out << merge.toString();
    } else {
      const QJsonArray pair = merge.toArray();
      out << pair.at(0).toString() + QLatin1Char(' ') + pair.at(1).toString();
    }
  }
  return out;
}

}  // namespace

HfVocabulary readHfTokenizerJson(const QString& path) {
  HfVocabulary vocabulary;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    vocabulary.error = QStringLiteral("cannot open %1").arg(path);
    return vocabulary;
  }
  // Qt's JSON parser drops a U+FEFF that starts a string, as QString::fromUtf8 does; written as an
  // escape it is kept (Gemma 3 has pieces "\uFEFF//" beside "//").
  QByteArray json = file.readAll();
  json.replace("\xEF\xBB\xBF", "\\ufeff");
  const QJsonObject root = QJsonDocument::fromJson(json).object();
  const QJsonObject model = root.value(QStringLiteral("model")).toObject();
  QMap<int, std::pair<QString, qint32>> byId;
  const QJsonObject vocab = model.value(QStringLiteral("vocab")).toObject();
  for (auto it = vocab.begin(); it != vocab.end(); ++it) byId.insert(it.value().toInt(), {it.key(), 1});
  for (const QJsonValue added : root.value(QStringLiteral("added_tokens")).toArray()) {
    const QJsonObject token = added.toObject();
    const QString content = token.value(QStringLiteral("content")).toString();
    const bool control = token.value(QStringLiteral("special")).toBool() || looksSpecial(content);
    byId.insert(token.value(QStringLiteral("id")).toInt(), {content, control ? 3 : 4});
  }
  if (byId.isEmpty()) {
    vocabulary.error = QStringLiteral("%1 has no model.vocab").arg(path);
    return vocabulary;
  }
  for (int id = 0; id <= byId.lastKey(); ++id) {
    const auto entry = byId.value(id, {QStringLiteral("[PAD%1]").arg(id), 5});
    vocabulary.tokens << entry.first;
    vocabulary.types.push_back(entry.second);
  }
  vocabulary.merges = mergesOf(model.value(QStringLiteral("merges")).toArray());
  return vocabulary;
}

namespace {

// The header llama.cpp needs to load a vocabulary alone: a one-layer llama, no weights.
void writeLlamaHeader(GgufWriter& writer) {
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addString(QStringLiteral("general.name"), QStringLiteral("vocabulary"));
  writer.addUint32(QStringLiteral("llama.context_length"), 2048);
  writer.addUint32(QStringLiteral("llama.embedding_length"), 64);
  writer.addUint32(QStringLiteral("llama.block_count"), 1);
  writer.addUint32(QStringLiteral("llama.feed_forward_length"), 128);
  writer.addUint32(QStringLiteral("llama.attention.head_count"), 4);
  writer.addUint32(QStringLiteral("llama.attention.head_count_kv"), 4);
  writer.addUint32(QStringLiteral("llama.rope.dimension_count"), 16);
  writer.addFloat32(QStringLiteral("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
}

}  // namespace

QByteArray hfVocabularyGguf(const HfVocabulary& vocabulary, const VocabularyKeys& keys) {
  GgufWriter writer;
  writeLlamaHeader(writer);
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("gpt2"));
  writer.addString(QStringLiteral("tokenizer.ggml.pre"), keys.pre);
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), vocabulary.tokens);
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), vocabulary.types);
  writer.addStringArray(QStringLiteral("tokenizer.ggml.merges"), vocabulary.merges);
  if (keys.bosId) writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), quint32(*keys.bosId));
  if (keys.eosId) writer.addUint32(QStringLiteral("tokenizer.ggml.eos_token_id"), quint32(*keys.eosId));
  if (keys.addBos) writer.addBool(QStringLiteral("tokenizer.ggml.add_bos_token"), *keys.addBos);
  return writer.toBytes();
}

QByteArray sentencePieceVocabularyGguf(const HfVocabulary& vocabulary, const VocabularyKeys& keys, int unkId,
                                       bool addSpacePrefix) {
  static const QRegularExpression bytePiece(QStringLiteral("^<0x[0-9A-F]{2}>$"));
  std::vector<float> scores;
  std::vector<qint32> types = vocabulary.types;
  for (qsizetype id = 0; id < vocabulary.tokens.size(); ++id) {
    scores.push_back(-float(id));
    if (types[size_t(id)] == 1 && bytePiece.match(vocabulary.tokens[id]).hasMatch()) types[size_t(id)] = 6;
  }
  types[size_t(unkId)] = 2;
  GgufWriter writer;
  writeLlamaHeader(writer);
  writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("llama"));
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), vocabulary.tokens);
  writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), scores);
  writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), types);
  if (keys.bosId) writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), quint32(*keys.bosId));
  if (keys.eosId) writer.addUint32(QStringLiteral("tokenizer.ggml.eos_token_id"), quint32(*keys.eosId));
  writer.addUint32(QStringLiteral("tokenizer.ggml.unknown_token_id"), quint32(unkId));
  if (keys.addBos) writer.addBool(QStringLiteral("tokenizer.ggml.add_bos_token"), *keys.addBos);
  writer.addBool(QStringLiteral("tokenizer.ggml.add_space_prefix"), addSpacePrefix);
  return writer.toBytes();
}

}  // namespace sinkscope::test
