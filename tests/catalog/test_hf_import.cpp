// Tests of the Hugging Face config.json reader on real configs (tests/data/hf, public values)
// and on bad input: malformed JSON, missing fields, impossible dimensions, unknown kinds.
#include "CatalogTestSupport.h"
#include "TestSupport.h"
#include "catalog/Catalog.h"
#include "catalog/HfConfigImport.h"
#include "common/JsonRead.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace sinkscope;

namespace {

ModelSpec importFixture(const QString& name) {
  return importHfConfigFile(test::testDataPath(QStringLiteral("hf/") + name));
}

// A real config with one key changed (or removed when value is undefined), parsed from memory.
ModelSpec importEdited(const QString& name, const QString& key, const QJsonValue& value) {
  QJsonObject config = readJsonObjectFile(test::testDataPath(QStringLiteral("hf/") + name));
  if (value.isUndefined())
    config.remove(key);
  else
    config.insert(key, value);
  return modelSpecFromConfig(config, QStringLiteral("edited/") + name, ConfigFlavour::HuggingFace,
                             QStringLiteral("edited"));
}

}  // namespace

class TestHfImport : public QObject {
  Q_OBJECT

 private slots:
  void llama31() {
    const ModelSpec spec = importFixture(QStringLiteral("llama-3.1-8b.config.json"));
    QCOMPARE(spec.layers, 32);
    QCOMPARE(spec.kvHeads, 8);
    QCOMPARE(spec.headDim, 128);
    QCOMPARE(spec.attentionKind, AttentionKind::Gqa);
    QCOMPARE(spec.ropeTheta, 500000.0);
    QVERIFY(spec.ropeScaling);
    QCOMPARE(spec.ropeScaling->type, QStringLiteral("llama3"));
    QCOMPARE(*spec.ropeScaling->lowFreqFactor, 1.0);
    QCOMPARE(*spec.ropeScaling->highFreqFactor, 4.0);
    QCOMPARE(spec.trainedContext, 8192);  // original_max_position_embeddings
    QCOMPARE(spec.maxPositionEmbeddings, 131072);
    QVERIFY2(spec.defaultedFields.isEmpty(), qPrintable(spec.defaultedFields.join(',')));
    QCOMPARE(test::kvBytesPerTokenByReference(spec, 2), 131072);  // docs/references.md section 4
    QCOMPARE(spec.id, QStringLiteral("llama-3.1-8b.config"));
  }

  // transformers v5 moved rope_theta and the scaling block into rope_parameters.
  void ropeParametersFormReadsLikeTheLegacyForm() {
    const ModelSpec legacy = importFixture(QStringLiteral("llama-3.1-8b.config.json"));
    const ModelSpec v5 = importFixture(QStringLiteral("llama-3.1-8b.rope_parameters.config.json"));
    QCOMPARE(v5.ropeTheta, legacy.ropeTheta);
    QVERIFY(v5.ropeScaling);
    QCOMPARE(v5.ropeScaling->type, legacy.ropeScaling->type);
    QCOMPARE(v5.ropeScaling->factor, legacy.ropeScaling->factor);
    QCOMPARE(v5.trainedContext, legacy.trainedContext);
    QVERIFY2(v5.defaultedFields.isEmpty(), qPrintable(v5.defaultedFields.join(',')));
  }

  void mistralSlidingWindow() {
    const ModelSpec spec = importFixture(QStringLiteral("mistral-7b-v0.1.config.json"));
    QCOMPARE(spec.slidingWindow, 4096);
    QCOMPARE(spec.attentionKind, AttentionKind::Sliding);
    QCOMPARE(test::kvBytesPerTokenByReference(spec, 2), 131072);  // docs/references.md section 4
    // The config says nothing of the training length: it falls back to max_position_embeddings, marked.
    QCOMPARE(spec.trainedContext, 32768);
    QVERIFY(spec.defaultedFields.contains(QStringLiteral("trained_context")));
  }

  void deepseekV2MlaAndMoe() {
    const ModelSpec spec = importFixture(QStringLiteral("deepseek-v2.config.json"));
    QVERIFY(spec.mla);
    QCOMPARE(spec.attentionKind, AttentionKind::Mla);
    QCOMPARE(spec.mla->kvLoraRank, 512);
    QCOMPARE(spec.mla->qkRopeHeadDim, 64);
    QCOMPARE(spec.headDim, 192);  // qk_nope 128 + qk_rope 64: the softmax dim of docs/references.md section 1
    QCOMPARE(spec.rotaryDim(), 64);
    QCOMPARE(test::kvBytesPerTokenByReference(spec, 2), 69120);  // docs/references.md section 4
    QCOMPARE(spec.ropeScaling->type, QStringLiteral("yarn"));
    QCOMPARE(spec.ropeScaling->factor, 40.0);
    QCOMPARE(*spec.ropeScaling->mscaleAllDim, 0.707);
    QCOMPARE(spec.trainedContext, 4096);
    QCOMPARE(spec.moe.experts, 160);
    QCOMPARE(spec.moe.expertsPerToken, 6);
    QCOMPARE(spec.moe.sharedExperts, 2);
    QCOMPARE(spec.moe.expertIntermediateSize, 1536);
    QCOMPARE(spec.moe.denseLayers, 1);
  }

  void gemma2AlternatesLocalAndGlobal() {
    const ModelSpec spec = importFixture(QStringLiteral("gemma-2-9b.config.json"));
    QCOMPARE(spec.headDim, 256);
    QCOMPARE(spec.attentionKind, AttentionKind::Hybrid);
    QCOMPARE(int(spec.layerTypes.size()), 42);
    int sliding = 0;
    for (LayerAttention type : spec.layerTypes) sliding += type == LayerAttention::Sliding;
    QCOMPARE(sliding, 21);
    QCOMPARE(spec.layerType(0), LayerAttention::Sliding);
    // Gemma 2's config leaves out tie_word_embeddings; the architecture ties them.
    QVERIFY(spec.tiedEmbeddings);
    QVERIFY(spec.defaultedFields.contains(QStringLiteral("tie_word_embeddings")));
  }

  void phi35Longrope() {
    const ModelSpec spec = importFixture(QStringLiteral("phi-3.5-mini-instruct.config.json"));
    QCOMPARE(spec.ropeScaling->type, QStringLiteral("longrope"));
    QCOMPARE(int(spec.ropeScaling->shortFactor.size()), 48);
    QCOMPARE(spec.ropeScaling->factor, 32.0);  // HF: max_position_embeddings / original
    QCOMPARE(spec.trainedContext, 4096);
    QCOMPARE(spec.slidingWindow, 0);  // 262144 >= every position: never drops a token
    QCOMPARE(spec.displayName, QStringLiteral("Phi-3.5-mini-instruct"));
    // docs/references.md section 1: attention factor sqrt(1 + ln s / ln L0) = 1.1902381.
    SINKSCOPE_COMPARE_NEAR(std::sqrt(1 + std::log(spec.ropeScaling->factor) / std::log(4096.0)), 1.1902381,
                           1e-7);
  }

  void mptAlibi() {
    const ModelSpec spec = importFixture(QStringLiteral("mpt-7b.config.json"));
    QCOMPARE(spec.attentionKind, AttentionKind::Alibi);
    QVERIFY(!spec.usesRope);
    QCOMPARE(spec.layers, 32);
    QCOMPARE(spec.hiddenSize, 4096);
    QCOMPARE(spec.intermediateSize, 16384);  // expansion_ratio 4
    QVERIFY(!spec.gatedFfn);
    QCOMPARE(spec.maxPositionEmbeddings, 2048);
    QVERIFY(!spec.defaultedFields.contains(QStringLiteral("rope_theta")));
  }

  void falconMultiQuery() {
    const ModelSpec spec = importFixture(QStringLiteral("falcon-7b.config.json"));
    QCOMPARE(spec.kvHeads, 1);
    QCOMPARE(spec.attentionKind, AttentionKind::Mqa);
    QCOMPARE(spec.headDim, 64);
    QCOMPARE(test::kvBytesPerTokenByReference(spec, 2), 2 * 32 * 1 * 64 * 2);
    for (const char* field :
         {"max_position_embeddings", "rope_theta", "intermediate_size", "tie_word_embeddings"})
      QVERIFY2(spec.defaultedFields.contains(QString::fromLatin1(field)), field);
    const ModelSpec newArch = importEdited(QStringLiteral("falcon-7b.config.json"),
                                           QStringLiteral("new_decoder_architecture"), true);
    QCOMPARE(newArch.kvHeads, 71);  // num_kv_heads absent: one per head
  }

  void mixtralAndQwen() {
    const ModelSpec mixtral = importFixture(QStringLiteral("mixtral-8x7b.config.json"));
    QCOMPARE(mixtral.moe.experts, 8);
    QCOMPARE(mixtral.moe.expertsPerToken, 2);
    QCOMPARE(mixtral.moe.expertIntermediateSize, 14336);
    QCOMPARE(mixtral.slidingWindow, 0);
    const ModelSpec qwen = importFixture(QStringLiteral("qwen2.5-7b.config.json"));
    QCOMPARE(qwen.slidingWindow, 0);  // use_sliding_window false
    QVERIFY(qwen.layerTypes.empty());
    QVERIFY(qwen.attentionBias);
    // With the window switched on, layers from max_window_layers on are windowed (Qwen2's rule).
    QJsonObject config = readJsonObjectFile(test::testDataPath(QStringLiteral("hf/qwen2.5-7b.config.json")));
    config.insert(QStringLiteral("use_sliding_window"), true);
    config.insert(QStringLiteral("sliding_window"), 4096);
    config.insert(QStringLiteral("max_window_layers"), 20);
    const ModelSpec windowed = modelSpecFromConfig(config, QStringLiteral("mem"), ConfigFlavour::HuggingFace);
    QCOMPARE(windowed.slidingWindow, 4096);
    QCOMPARE(windowed.layerType(19), LayerAttention::Full);
    QCOMPARE(windowed.layerType(20), LayerAttention::Sliding);
    QCOMPARE(windowed.attentionKind, AttentionKind::Hybrid);
    // A window as long as every allowed position never drops a token: no window.
    config.insert(QStringLiteral("sliding_window"), 131072);
    QCOMPARE(modelSpecFromConfig(config, QStringLiteral("mem"), ConfigFlavour::HuggingFace).slidingWindow, 0);
  }

  // Position interpolation (Together's LLaMA-2-7B-32K: linear s = 8, max 32768): L0 = 32768 / 8.
  void linearScalingImpliesTheTrainedLength() {
    QJsonObject config =
        readJsonObjectFile(test::testDataPath(QStringLiteral("hf/llama-3.1-8b.config.json")));
    config.insert(QStringLiteral("max_position_embeddings"), 32768);
    config.insert(
        QStringLiteral("rope_scaling"),
        QJsonObject{{QStringLiteral("type"), QStringLiteral("linear")}, {QStringLiteral("factor"), 8.0}});
    const ModelSpec spec = modelSpecFromConfig(config, QStringLiteral("mem"), ConfigFlavour::HuggingFace);
    QCOMPARE(spec.trainedContext, 4096);
    QVERIFY(spec.defaultedFields.contains(QStringLiteral("trained_context")));
    QCOMPARE(spec.trainedContext,
             Catalog::builtin().findModel(QStringLiteral("together-llama-2-7b-32k"))->trainedContext);
  }

  void layerTypesArrayIsRead() {
    QJsonObject config =
        readJsonObjectFile(test::testDataPath(QStringLiteral("hf/mistral-7b-v0.1.config.json")));
    config.insert(QStringLiteral("num_hidden_layers"), 4);
    config.insert(QStringLiteral("layer_types"),
                  QJsonArray{QStringLiteral("sliding_attention"), QStringLiteral("full_attention"),
                             QStringLiteral("linear_attention"), QStringLiteral("full_attention")});
    const ModelSpec spec =
        modelSpecFromConfig(config, QStringLiteral("mem"), ConfigFlavour::HuggingFace, QStringLiteral("x"));
    QCOMPARE(spec.attentionKind, AttentionKind::Hybrid);
    QCOMPARE(spec.layerType(2), LayerAttention::Recurrent);
    // Gemma 3 style: no layer_types, every sixth layer global.
    QJsonObject gemma3 = config;
    gemma3.remove(QStringLiteral("layer_types"));
    gemma3.insert(QStringLiteral("model_type"), QStringLiteral("gemma3_text"));
    gemma3.insert(QStringLiteral("num_hidden_layers"), 12);
    gemma3.insert(QStringLiteral("sliding_window"), 1024);
    gemma3.insert(QStringLiteral("_sliding_window_pattern"), 6);
    const ModelSpec pattern = modelSpecFromConfig(gemma3, QStringLiteral("mem"), ConfigFlavour::HuggingFace);
    QCOMPARE(pattern.attentionKind, AttentionKind::Hybrid);
    QCOMPARE(pattern.layerType(4), LayerAttention::Sliding);
    QCOMPARE(pattern.layerType(5), LayerAttention::Full);
    QCOMPARE(pattern.layerType(11), LayerAttention::Full);
    QCOMPARE(pattern.slidingWindow, 1024);
    config.insert(QStringLiteral("layer_types"), QJsonArray{QStringLiteral("full_attention")});
    test::expectBadInput(
        [&] { modelSpecFromConfig(config, QStringLiteral("mem"), ConfigFlavour::HuggingFace); },
        {QStringLiteral("mem: layer_types"), QStringLiteral("1 entries for 4 layers")});
    config.insert(QStringLiteral("layer_types"), QJsonArray{QStringLiteral("a"), QStringLiteral("b"),
                                                            QStringLiteral("c"), QStringLiteral("d")});
    test::expectBadInput(
        [&] { modelSpecFromConfig(config, QStringLiteral("mem"), ConfigFlavour::HuggingFace); },
        {QStringLiteral("layer_types[0]"), QStringLiteral("unknown layer type")});
  }

  void badInputNamesFileAndField() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config.json"));
    auto write = [&](const QByteArray& bytes) {
      QFile file(path);
      QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
      file.write(bytes);
    };
    write("{\"num_hidden_layers\": 32,");
    test::expectBadInput([&] { importHfConfigFile(path); }, {path, QStringLiteral("not valid JSON")});
    test::expectBadInput([&] { importHfConfigFile(dir.filePath(QStringLiteral("absent.json"))); },
                         {QStringLiteral("no such file")});

    const QString llama = QStringLiteral("llama-3.1-8b.config.json");
    test::expectBadInput(
        [&] { importEdited(llama, QStringLiteral("num_hidden_layers"), QJsonValue::Undefined); },
        {QStringLiteral("edited/") + llama, QStringLiteral("num_hidden_layers: missing")});
    test::expectBadInput([&] { importEdited(llama, QStringLiteral("num_key_value_heads"), 5); },
                         {QStringLiteral("num_key_value_heads"), QStringLiteral("not divisible")});
    test::expectBadInput([&] { importEdited(llama, QStringLiteral("head_dim"), 1024); },
                         {QStringLiteral("head_dim"), QStringLiteral("implausible")});
    test::expectBadInput([&] { importEdited(llama, QStringLiteral("hidden_size"), QStringLiteral("4096")); },
                         {QStringLiteral("hidden_size"), QStringLiteral("expected a number")});
    test::expectBadInput([&] { importEdited(llama, QStringLiteral("num_attention_heads"), 0); },
                         {QStringLiteral("num_attention_heads")});
    test::expectBadInput(
        [&] { importEdited(llama, QStringLiteral("attention_kind"), QStringLiteral("sparse")); },
        {QStringLiteral("attention_kind"), QStringLiteral("unknown attention kind 'sparse'")});
    test::expectBadInput(
        [&] { importEdited(llama, QStringLiteral("attention_kind"), QStringLiteral("mha")); },
        {QStringLiteral("attention_kind"), QStringLiteral("'mha' needs as many KV heads")});
    test::expectBadInput(
        [&] {
          importEdited(llama, QStringLiteral("rope_scaling"),
                       QJsonObject{{QStringLiteral("rope_type"), QStringLiteral("magic")},
                                   {QStringLiteral("factor"), 2}});
        },
        {QStringLiteral("rope_scaling.rope_type"), QStringLiteral("unknown RoPE scaling type 'magic'")});
    test::expectBadInput(
        [&] {
          importEdited(llama, QStringLiteral("rope_scaling"),
                       QJsonObject{{QStringLiteral("type"), QStringLiteral("linear")}});
        },
        {QStringLiteral("rope_scaling.factor"), QStringLiteral("missing")});
    test::expectBadInput([&] { importEdited(llama, QStringLiteral("max_position_embeddings"), -1); },
                         {QStringLiteral("max_position_embeddings")});
    test::expectBadInput(
        [&] {
          importEdited(QStringLiteral("phi-3.5-mini-instruct.config.json"), QStringLiteral("hidden_size"),
                       3072 * 2);
        },
        {QStringLiteral("rope_scaling.short_factor"), QStringLiteral("expected 96")});
  }

  void resolveModelTakesIdsAndPaths() {
    QCOMPARE(resolveModel(QStringLiteral("llama-3.1-8b")).origin, QStringLiteral("catalogue"));
    const QString path = test::testDataPath(QStringLiteral("hf/gemma-2-9b.config.json"));
    QCOMPARE(resolveModel(path).origin, path);
    QTemporaryDir folder;
    QFile::copy(path, folder.filePath(QStringLiteral("config.json")));
    const ModelSpec fromFolder = resolveModel(folder.path());
    QCOMPARE(fromFolder.headDim, 256);
    QCOMPARE(fromFolder.id, QFileInfo(folder.path()).fileName().toLower());
    // A catalogue-format file holding one model reads like a config.json with SinkScope's extras.
    QFile wrapped(folder.filePath(QStringLiteral("mine.json")));
    QVERIFY(wrapped.open(QIODevice::WriteOnly));
    QJsonObject entry = readJsonObjectFile(path);
    entry.insert(QStringLiteral("id"), QStringLiteral("my-gemma"));
    entry.insert(QStringLiteral("trained_context"), 4096);
    wrapped.write(QJsonDocument(QJsonObject{{QStringLiteral("models"), QJsonArray{entry}}}).toJson());
    wrapped.close();
    const ModelSpec mine = resolveModel(wrapped.fileName());
    QCOMPARE(mine.id, QStringLiteral("my-gemma"));
    QCOMPARE(mine.trainedContext, 4096);
    QVERIFY(!mine.defaultedFields.contains(QStringLiteral("trained_context")));
    QTemporaryDir empty;
    test::expectBadInput([&] { resolveModel(empty.path()); },
                         {empty.path(), QStringLiteral("without a config.json")});
    test::expectBadInput([] { resolveModel(QStringLiteral("no-such-model")); },
                         {QStringLiteral("no-such-model"), QStringLiteral("list models")});
    test::expectBadInput([] { resolveModel(QStringLiteral("missing/config.json")); },
                         {QStringLiteral("missing/config.json: no such file")});
  }
};

QTEST_GUILESS_MAIN(TestHfImport)
#include "test_hf_import.moc"
