// Tests of which catalogue model a GGUF file holds (core/catalog/CatalogueMatch.h): metadata-only
// GGUF files written here with the published shapes of real checkpoints (their Hugging Face
// config.json, cited per case) and llama.cpp's key names, matched against the built-in catalogue.
#include "TestSupport.h"
#include "catalog/Catalog.h"
#include "catalog/CatalogueMatch.h"
#include "gguf/GgufFile.h"
#include "inference/GgufWriter.h"

#include <QtTest>

using namespace sinkscope;

namespace {

struct PublishedShape {
  QString architecture;  // general.architecture as llama.cpp's converter writes it
  int layers = 0, embedding = 0, heads = 0, kvHeads = 0, feedForward = 0, vocab = 0;
  double ropeBase = 10000.0;
  QString scalingType;     // rope.scaling.type, empty for none
  bool ropeFreqs = false;  // a rope_freqs.weight tensor (Llama 3.x)
  int headDim = 0;         // attention.key_length when the head is not embedding / heads
  int experts = 0;         // expert_count
};

PublishedShape shapeOf(const char* architecture, int layers, int embedding, int heads, int kvHeads,
                       int feedForward, int vocab) {
  PublishedShape shape;
  shape.architecture = QString::fromLatin1(architecture);
  shape.layers = layers;
  shape.embedding = embedding;
  shape.heads = heads;
  shape.kvHeads = kvHeads;
  shape.feedForward = feedForward;
  shape.vocab = vocab;
  return shape;
}

// Gemma-2-2B (google/gemma-2-2b config.json: 26 layers, hidden 2304, 8 heads, 4 KV, head_dim 256,
// FFN 9216, vocabulary 256000, rope_theta 10000), with `layers` layers.
PublishedShape gemma2bShape(int layers) {
  PublishedShape shape = shapeOf("gemma2", layers, 2304, 8, 4, 9216, 256000);
  shape.headDim = 256;
  return shape;
}

// The metadata llama.cpp reads for a model of this shape: no weights, the vocabulary by its count.
GgufFile metadataOnly(const PublishedShape& s, const QString& name = QStringLiteral("model.gguf")) {
  GgufWriter w;
  const QString a = s.architecture + QLatin1Char('.');
  w.addString(QStringLiteral("general.architecture"), s.architecture);
  w.addUint32(a + QStringLiteral("block_count"), quint32(s.layers));
  w.addUint32(a + QStringLiteral("context_length"), 131072);
  w.addUint32(a + QStringLiteral("embedding_length"), quint32(s.embedding));
  w.addUint32(a + QStringLiteral("feed_forward_length"), quint32(s.feedForward));
  w.addUint32(a + QStringLiteral("attention.head_count"), quint32(s.heads));
  w.addUint32(a + QStringLiteral("attention.head_count_kv"), quint32(s.kvHeads));
  if (s.headDim > 0) w.addUint32(a + QStringLiteral("attention.key_length"), quint32(s.headDim));
  w.addUint32(a + QStringLiteral("vocab_size"), quint32(s.vocab));
  w.addFloat32(a + QStringLiteral("rope.freq_base"), float(s.ropeBase));
  if (!s.scalingType.isEmpty()) {
    w.addString(a + QStringLiteral("rope.scaling.type"), s.scalingType);
    w.addFloat32(a + QStringLiteral("rope.scaling.factor"), 8.0f);
  }
  if (s.experts > 0) {
    w.addUint32(a + QStringLiteral("expert_count"), quint32(s.experts));
    w.addUint32(a + QStringLiteral("expert_used_count"), 2);
  }
  const int headDim = s.headDim > 0 ? s.headDim : s.embedding / s.heads;
  if (s.ropeFreqs)
    w.addTensor(QStringLiteral("rope_freqs.weight"), {headDim / 2},
                std::vector<float>(size_t(headDim / 2), 1.0f));
  return GgufFile(w.toBytes(), name);
}

const std::vector<ModelSpec>& catalogue() {
  return Catalog::builtin().models();
}

QString matchedId(const PublishedShape& shape) {
  const CatalogueMatch match = matchCatalogueModel(metadataOnly(shape), catalogue());
  return match.model ? match.model->id : QString();
}

// Llama-3.1-8B / Llama-3-8B (meta-llama/Llama-3.1-8B config.json): 32 layers, 4096, 32 heads, 8 KV,
// FFN 14336, vocabulary 128256, rope_theta 500000.
PublishedShape llama3Shape() {
  PublishedShape shape = shapeOf("llama", 32, 4096, 32, 8, 14336, 128256);
  shape.ropeBase = 500000.0;
  return shape;
}

}  // namespace

class TestCatalogueMatch : public QObject {
  Q_OBJECT

 private slots:
  // Gemma-2-2B and Qwen2.5-0.5B (Qwen/Qwen2.5-0.5B config.json: 24 layers, 896, 14 heads, 2 KV,
  // FFN 4864, vocabulary 151936, rope_theta 1e6) are found by their shapes.
  void publishedShapesFindTheirModels() {
    QCOMPARE(matchedId(gemma2bShape(26)), QStringLiteral("gemma-2-2b"));
    PublishedShape qwen = shapeOf("qwen2", 24, 896, 14, 2, 4864, 151936);
    qwen.ropeBase = 1000000.0;
    QCOMPARE(matchedId(qwen), QStringLiteral("qwen2.5-0.5b"));
  }

  // Mistral-7B-v0.1 (mistralai/Mistral-7B-v0.1 config.json: model_type mistral, 32, 4096, 32, 8,
  // FFN 14336, vocabulary 32000) converts to general.architecture "llama" (llama.cpp's converter
  // registers MistralForCausalLM as its llama model); Mixtral has the same dense shape but eight
  // experts, so the dense file is Mistral's and a file with experts is Mixtral's.
  void mistralConvertsAsLlamaAndExpertsTellMixtral() {
    PublishedShape mistral = shapeOf("llama", 32, 4096, 32, 8, 14336, 32000);
    QCOMPARE(matchedId(mistral), QStringLiteral("mistral-7b-v0.1"));
    mistral.experts = 8;
    mistral.ropeBase = 1000000.0;
    QCOMPARE(matchedId(mistral), QStringLiteral("mixtral-8x7b"));
  }

  // Llama 3 and 3.1 8B share a shape; llama.cpp's converter turns 3.1's rope_scaling (llama3) into
  // rope_freqs.weight, so a file with that tensor is 3.1 and one without is 3, and each names the other.
  void ropeFreqsTellLlama31FromLlama3() {
    PublishedShape shape = llama3Shape();
    CatalogueMatch plain = matchCatalogueModel(metadataOnly(shape), catalogue());
    QVERIFY(plain.model);
    QCOMPARE(plain.model->id, QStringLiteral("llama-3-8b"));
    QVERIFY(plain.alsoMatching.contains(QStringLiteral("llama-3.1-8b")));
    shape.ropeFreqs = true;
    CatalogueMatch scaled = matchCatalogueModel(metadataOnly(shape), catalogue());
    QVERIFY(scaled.model);
    QCOMPARE(scaled.model->id, QStringLiteral("llama-3.1-8b"));
    QVERIFY(scaled.alsoMatching.contains(QStringLiteral("llama-3-8b")));
  }

  // Llama-2-7B and its long-context fine-tunes share a shape (32, 4096, 32 heads, 32 KV, FFN 11008,
  // vocabulary 32000); a file whose rope.scaling.type is linear is Together's 32K model, one with
  // none is Llama-2-7B itself.
  void ropeScalingTellsFineTunesApart() {
    PublishedShape llama2 = shapeOf("llama", 32, 4096, 32, 32, 11008, 32000);
    QCOMPARE(matchedId(llama2), QStringLiteral("llama-2-7b"));
    llama2.scalingType = QStringLiteral("linear");
    QCOMPARE(matchedId(llama2), QStringLiteral("together-llama-2-7b-32k"));
  }

  // One field off and there is no match; the difference is named field by field.
  void anotherShapeMatchesNothingAndSaysWhy() {
    const PublishedShape gemma{
        QStringLiteral("gemma2"), 25, 2304, 8, 4, 9216, 256000, 10000.0, {}, false, 256};
    const CatalogueMatch match = matchCatalogueModel(metadataOnly(gemma), catalogue());
    QVERIFY(!match.model);
    QVERIFY(match.alsoMatching.isEmpty());
    const ModelSpec* gemma2b = Catalog::builtin().findModel(QStringLiteral("gemma-2-2b"));
    QVERIFY(gemma2b);
    QCOMPARE(shapeDifferences(match.file, *gemma2b),
             QStringList{QStringLiteral("layers: 25 in the file, 26")});
    const ModelSpec* qwen = Catalog::builtin().findModel(QStringLiteral("qwen2.5-0.5b"));
    QVERIFY(shapeDifferences(match.file, *qwen)
                .startsWith(QStringLiteral("architecture: gemma2 in the file, qwen2")));
    QCOMPARE(
        shapeText(match.file),
        QStringLiteral("gemma2, 25 layers, embedding 2,304, 8 heads (4 KV), FFN 9,216, vocabulary 256,000"));
  }

  void convertedArchitectureNames() {
    ModelSpec model;
    for (const auto& [hf, gguf] : std::vector<std::pair<QString, QString>>{
             {QStringLiteral("mistral"), QStringLiteral("llama")},
             {QStringLiteral("mixtral"), QStringLiteral("llama")},
             {QStringLiteral("gemma3_text"), QStringLiteral("gemma3")},
             {QStringLiteral("deepseek_v2"), QStringLiteral("deepseek2")},
             {QStringLiteral("qwen3"), QStringLiteral("qwen3")}}) {
      model.architecture = hf;
      QCOMPARE(ggufArchitectureFor(model), gguf);
    }
  }
};

QTEST_GUILESS_MAIN(TestCatalogueMatch)
#include "test_catalogue_match.moc"
