// Tests of GGUF metadata import: the real stories260K file (docs/references.md section 8), small
// GGUF files written here with llama.cpp's architecture-prefixed keys, and broken files.
#include "CatalogTestSupport.h"
#include "TestSupport.h"
#include "catalog/Catalog.h"
#include "catalog/GgufImport.h"
#include "inference/GgufWriter.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope;

namespace {

// A two-layer qwen2-style model: NEOX rope, YaRN scaling, per-layer KV head counts, biases.
GgufWriter qwenLikeWriter() {
  GgufWriter writer;
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("qwen2"));
  writer.addString(QStringLiteral("general.name"), QStringLiteral("Tiny Qwen"));
  writer.addUint32(QStringLiteral("qwen2.block_count"), 2);
  writer.addUint32(QStringLiteral("qwen2.context_length"), 32768);
  writer.addUint32(QStringLiteral("qwen2.embedding_length"), 64);
  writer.addUint32(QStringLiteral("qwen2.feed_forward_length"), 160);
  writer.addUint32(QStringLiteral("qwen2.attention.head_count"), 4);
  writer.addInt32Array(QStringLiteral("qwen2.attention.head_count_kv"), {2, 2});
  writer.addFloat32(QStringLiteral("qwen2.rope.freq_base"), 1000000.0f);
  writer.addString(QStringLiteral("qwen2.rope.scaling.type"), QStringLiteral("yarn"));
  writer.addFloat32(QStringLiteral("qwen2.rope.scaling.factor"), 4.0f);
  writer.addUint32(QStringLiteral("qwen2.rope.scaling.original_context_length"), 8192);
  writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"),
                        {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
  writer.addTensor(QStringLiteral("token_embd.weight"), {64, 3}, std::vector<float>(64 * 3, 0.5f));
  writer.addTensor(QStringLiteral("blk.0.attn_q.bias"), {64}, std::vector<float>(64, 0.0f));
  writer.addTensor(QStringLiteral("blk.0.ffn_gate.weight"), {64, 160}, std::vector<float>(64 * 160, 0.0f));
  return writer;
}

QString saved(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
  const QString path = dir.filePath(name);
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
  file.write(bytes);
  return path;
}

}  // namespace

class TestGgufImport : public QObject {
  Q_OBJECT

 private slots:
  // docs/references.md section 8: embedding 64, feed-forward 172, 5 blocks, 8 heads, 4 KV heads,
  // head dim 8, no rope base key (10000), adjacent pairs, output.weight equal to token_embd,
  // vocabulary 512, context_length 2048 (a converter default).
  void stories260K() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(path);
    const ModelSpec spec = importGgufMetadata(path);
    QCOMPARE(spec.architecture, QStringLiteral("llama"));
    QCOMPARE(spec.layers, 5);
    QCOMPARE(spec.hiddenSize, 64);
    QCOMPARE(spec.intermediateSize, 172);
    QCOMPARE(spec.heads, 8);
    QCOMPARE(spec.kvHeads, 4);
    QCOMPARE(spec.headDim, 8);
    QCOMPARE(spec.vocabSize, 512);
    QVERIFY(spec.tiedEmbeddings);
    QVERIFY(spec.gatedFfn);
    QCOMPARE(spec.ropeTheta, 10000.0);
    QVERIFY(spec.defaultedFields.contains(QStringLiteral("llama.rope.freq_base")));
    QCOMPARE(spec.ropePairLayout, RopePairLayout::Adjacent);
    QCOMPARE(spec.maxPositionEmbeddings, 2048);
    // GGUF does not say it was trained at 512: the import defaults to context_length and says so.
    QCOMPARE(spec.trainedContext, 2048);
    QVERIFY(spec.defaultedFields.contains(QStringLiteral("trained_context")));
    // Llama weights counted from the dimensions: embedding + per layer (q, k, v, o, three FFN
    // matrices, two norms) + final norm; the tied output is not counted twice.
    const qint64 d = 64, kv = 4 * 8, ff = 172;
    const qint64 perLayer = d * d + 2 * d * kv + d * d + 3 * d * ff + 2 * d;
    QCOMPARE(qint64(spec.publishedParameters), 512 * d + 5 * perLayer + d);
    // The catalogue's entry for the same model carries the true training length.
    QCOMPARE(Catalog::builtin().findModel(QStringLiteral("stories260k"))->trainedContext, 512);
    QCOMPARE(Catalog::builtin().findModel(QStringLiteral("stories260k"))->layers, spec.layers);
    QCOMPARE(resolveModel(path).origin, path);
  }

  void writtenQwenStyleFile() {
    QTemporaryDir dir;
    const QString path = saved(dir, QStringLiteral("tiny-qwen.gguf"), qwenLikeWriter().toBytes());
    const ModelSpec spec = importGgufMetadata(path);
    QCOMPARE(spec.id, QStringLiteral("tiny-qwen"));
    QCOMPARE(spec.displayName, QStringLiteral("Tiny Qwen"));
    QCOMPARE(spec.kvHeads, 2);
    QCOMPARE(spec.headDim, 16);
    QCOMPARE(spec.vocabSize, 3);
    QVERIFY(spec.tiedEmbeddings);  // no output.weight
    QVERIFY(spec.attentionBias);
    QCOMPARE(spec.attentionKind, AttentionKind::Gqa);
    QCOMPARE(spec.ropePairLayout, RopePairLayout::HalfSplit);  // llama.cpp NEOX mode for qwen2
    QCOMPARE(spec.ropeTheta, 1000000.0);
    QVERIFY(spec.ropeScaling);
    QCOMPARE(spec.ropeScaling->type, QStringLiteral("yarn"));
    QCOMPARE(spec.ropeScaling->factor, 4.0);
    QCOMPARE(spec.trainedContext, 8192);  // rope.scaling.original_context_length
    QVERIFY2(spec.defaultedFields.isEmpty(), qPrintable(spec.defaultedFields.join(',')));
  }

  void partialRotaryAndKeyLength() {
    GgufWriter writer = qwenLikeWriter();
    writer.addUint32(QStringLiteral("qwen2.attention.key_length"), 32);
    writer.addUint32(QStringLiteral("qwen2.rope.dimension_count"), 16);
    QTemporaryDir dir;
    const ModelSpec spec = importGgufMetadata(saved(dir, QStringLiteral("m.gguf"), writer.toBytes()));
    QCOMPARE(spec.headDim, 32);
    QCOMPARE(spec.rotaryDim(), 16);
  }

  // llama.cpp's Phi-3 conversion: LongRoPE factors as tensors, original length and attn_factor as keys.
  void longropeFactorTensors() {
    GgufWriter writer;
    writer.addString(QStringLiteral("general.architecture"), QStringLiteral("phi3"));
    writer.addUint32(QStringLiteral("phi3.block_count"), 1);
    writer.addUint32(QStringLiteral("phi3.context_length"), 131072);
    writer.addUint32(QStringLiteral("phi3.rope.scaling.original_context_length"), 4096);
    writer.addFloat32(QStringLiteral("phi3.rope.scaling.attn_factor"), 1.25f);
    writer.addUint32(QStringLiteral("phi3.embedding_length"), 32);
    writer.addUint32(QStringLiteral("phi3.feed_forward_length"), 64);
    writer.addUint32(QStringLiteral("phi3.attention.head_count"), 4);
    writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), {QStringLiteral("a")});
    writer.addTensor(QStringLiteral("rope_factors_long.weight"), {4}, {1.0f, 2.0f, 4.0f, 8.0f});
    writer.addTensor(QStringLiteral("rope_factors_short.weight"), {4}, {1.0f, 1.0f, 1.5f, 2.0f});
    writer.addTensor(QStringLiteral("token_embd.weight"), {32, 1}, std::vector<float>(32, 0.0f));
    QTemporaryDir dir;
    const ModelSpec spec = importGgufMetadata(saved(dir, QStringLiteral("phi.gguf"), writer.toBytes()));
    QVERIFY(spec.ropeScaling);
    QCOMPARE(spec.ropeScaling->type, QStringLiteral("longrope"));
    QCOMPARE(spec.ropeScaling->longFactor, (std::vector<double>{1, 2, 4, 8}));
    QCOMPARE(spec.ropeScaling->shortFactor[2], 1.5);
    QCOMPARE(spec.ropeScaling->factor, 32.0);
    QCOMPARE(*spec.ropeScaling->attentionFactor, 1.25);
    QCOMPARE(spec.trainedContext, 4096);
    QCOMPARE(spec.ropePairLayout, RopePairLayout::HalfSplit);
    QCOMPARE(qint64(spec.publishedParameters), 32);  // the factor tensors are not weights
  }

  // Llama 3.1 GGUFs bake their llama3 schedule into a rope_freqs tensor; it is flagged, not guessed.
  void ropeFreqsTensorIsFlagged() {
    GgufWriter writer = qwenLikeWriter();
    writer.addTensor(QStringLiteral("rope_freqs.weight"), {8}, std::vector<float>(8, 1.0f));
    GgufWriter plain;
    plain.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
    plain.addUint32(QStringLiteral("llama.block_count"), 1);
    plain.addUint32(QStringLiteral("llama.context_length"), 131072);
    plain.addUint32(QStringLiteral("llama.embedding_length"), 32);
    plain.addUint32(QStringLiteral("llama.feed_forward_length"), 64);
    plain.addUint32(QStringLiteral("llama.attention.head_count"), 4);
    plain.addFloat32(QStringLiteral("llama.rope.freq_base"), 500000.0f);
    plain.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), {QStringLiteral("a")});
    plain.addTensor(QStringLiteral("rope_freqs.weight"), {4}, std::vector<float>(4, 1.0f));
    QTemporaryDir dir;
    const ModelSpec spec = importGgufMetadata(saved(dir, QStringLiteral("l31.gguf"), plain.toBytes()));
    QVERIFY(!spec.ropeScaling);
    QVERIFY(spec.defaultedFields.contains(QStringLiteral("rope_scaling")));
    QVERIFY(spec.notes.contains(QStringLiteral("rope_freqs")));
    // With an explicit scaling block (yarn in the qwen-like file) nothing is flagged.
    const ModelSpec yarn = importGgufMetadata(saved(dir, QStringLiteral("q.gguf"), writer.toBytes()));
    QVERIFY(!yarn.defaultedFields.contains(QStringLiteral("rope_scaling")));
  }

  void truncatedFileIsBadInput() {
    QTemporaryDir dir;
    const QByteArray bytes = qwenLikeWriter().toBytes();
    for (qsizetype length : {qsizetype(2), qsizetype(24), bytes.size() / 2, bytes.size() - 1}) {
      const QString path = saved(dir, QStringLiteral("cut-%1.gguf").arg(length), bytes.left(length));
      test::expectBadInput([&] { resolveModel(path); }, {path});
    }
  }

  void missingAndImpossibleKeysAreNamed() {
    QTemporaryDir dir;
    GgufWriter noBlocks;
    noBlocks.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
    noBlocks.addUint32(QStringLiteral("llama.context_length"), 2048);
    const QString a = saved(dir, QStringLiteral("a.gguf"), noBlocks.toBytes());
    test::expectBadInput([&] { importGgufMetadata(a); }, {a, QStringLiteral("llama.block_count: missing")});

    GgufWriter noArch;
    noArch.addUint32(QStringLiteral("llama.block_count"), 2);
    const QString b = saved(dir, QStringLiteral("b.gguf"), noArch.toBytes());
    test::expectBadInput([&] { importGgufMetadata(b); }, {b, QStringLiteral("general.architecture")});

    GgufWriter indivisible;
    indivisible.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
    indivisible.addUint32(QStringLiteral("llama.block_count"), 2);
    indivisible.addUint32(QStringLiteral("llama.context_length"), 2048);
    indivisible.addUint32(QStringLiteral("llama.embedding_length"), 96);
    indivisible.addUint32(QStringLiteral("llama.feed_forward_length"), 256);
    indivisible.addUint32(QStringLiteral("llama.attention.head_count"), 6);
    indivisible.addUint32(QStringLiteral("llama.attention.head_count_kv"), 4);
    indivisible.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), {QStringLiteral("a")});
    const QString d = saved(dir, QStringLiteral("d.gguf"), indivisible.toBytes());
    test::expectBadInput([&] { importGgufMetadata(d); },
                         {d, QStringLiteral("num_key_value_heads"), QStringLiteral("not divisible")});

    const QString e = saved(dir, QStringLiteral("e.gguf"), [] {
      GgufWriter w;
      w.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
      w.addUint32(QStringLiteral("llama.block_count"), 1);
      w.addUint32(QStringLiteral("llama.context_length"), 256);
      w.addUint32(QStringLiteral("llama.embedding_length"), 32);
      w.addUint32(QStringLiteral("llama.feed_forward_length"), 64);
      w.addUint32(QStringLiteral("llama.attention.head_count"), 4);
      w.addString(QStringLiteral("llama.rope.scaling.type"), QStringLiteral("spiral"));
      w.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), {QStringLiteral("a")});
      return w.toBytes();
    }());
    test::expectBadInput([&] { importGgufMetadata(e); },
                         {e, QStringLiteral("llama.rope.scaling.type"), QStringLiteral("spiral")});
  }
};

QTEST_GUILESS_MAIN(TestGgufImport)
#include "test_gguf_import.moc"
