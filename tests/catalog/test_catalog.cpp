// Tests of the built-in catalogues: every entry complete and self-consistent, ids unique, the
// models the project relies on present with their published figures (docs/references.md), and the
// loader's errors for bad catalogue files.
#include "CatalogTestSupport.h"
#include "TestSupport.h"
#include "catalog/Catalog.h"
#include "common/Error.h"
#include "common/JsonRead.h"
#include "planner/ParameterCount.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <functional>
#include <set>

using namespace sinkscope;

namespace {

const ModelSpec& model(const QString& id) {
  const ModelSpec* spec = Catalog::builtin().findModel(id);
  if (!spec) qFatal("catalogue model %s missing", qPrintable(id));
  return *spec;
}

void writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write(bytes);
}

}  // namespace

class TestCatalog : public QObject {
  Q_OBJECT

 private slots:
  void catalogueHasTheRequiredModels() {
    const auto& models = Catalog::builtin().models();
    QVERIFY2(models.size() >= 24, qPrintable(QString::number(models.size())));
    // The issue's list, plus the default scenario's id.
    for (const char* id :
         {"llama-2-7b",      "llama-2-70b",  "llama-3-8b", "llama-3.1-8b", "llama-3.1-70b", "mistral-7b-v0.1",
          "mistral-7b-v0.3", "mixtral-8x7b", "qwen2.5-7b", "qwen3-8b",     "gemma-2-9b",    "phi-3.5-mini",
          "deepseek-v2",     "deepseek-v3",  "falcon-7b",  "mpt-7b",       "bloom-7b1",     "codellama-7b",
          "tinyllama-1.1b",  "smollm2-135m", "stories260k"})
      QVERIFY2(Catalog::builtin().findModel(QString::fromLatin1(id)), id);
    QVERIFY(Catalog::builtin().findModel(QStringLiteral("MISTRAL-7B-V0.1")));  // ids are case-insensitive
  }

  void everyModelIsCompleteAndConsistent() {
    std::set<QString> ids;
    for (const ModelSpec& spec : Catalog::builtin().models()) {
      const char* id = qPrintable(spec.id);
      QVERIFY2(ids.insert(spec.id.toLower()).second, id);
      QVERIFY2(!spec.source.trimmed().isEmpty(), id);
      QVERIFY2(!spec.displayName.isEmpty() && !spec.family.isEmpty() && !spec.architecture.isEmpty(), id);
      QVERIFY2(spec.defaultedFields.isEmpty(),
               qPrintable(spec.id + QStringLiteral(": ") + spec.defaultedFields.join(',')));
      QVERIFY2(spec.publishedParameters > 0, id);
      QVERIFY2(spec.trainedContext > 0 && spec.trainedContext <= spec.maxPositionEmbeddings, id);
      QCOMPARE(spec.heads % spec.kvHeads, 0);
      if (spec.usesRope) QVERIFY2(spec.rotaryDim() >= 2 && spec.rotaryDim() % 2 == 0, id);
      if (spec.moe.isMoe()) {
        QVERIFY2(spec.publishedActiveParameters && *spec.publishedActiveParameters < spec.publishedParameters,
                 id);
      }
      if (spec.ropeScaling && spec.ropeScaling->originalMaxPositionEmbeddings)
        QCOMPARE(spec.trainedContext, *spec.ropeScaling->originalMaxPositionEmbeddings);
      QCOMPARE(spec.origin, QStringLiteral("catalogue"));
      validateModelSpec(spec, spec.id);  // throws on any inconsistency
    }
  }

  // docs/references.md section 4: KV bytes per token, by the vLLM / llama.cpp convention.
  void kvCachePerTokenMatchesPublishedFigures() {
    using test::kvBytesPerTokenByReference;
    QCOMPARE(kvBytesPerTokenByReference(model(QStringLiteral("llama-2-7b")), 2), 524288);
    QCOMPARE(kvBytesPerTokenByReference(model(QStringLiteral("llama-3.1-8b")), 2), 131072);
    QCOMPARE(kvBytesPerTokenByReference(model(QStringLiteral("llama-3.1-8b")), 2) * 131072, 16ll << 30);
    QCOMPARE(kvBytesPerTokenByReference(model(QStringLiteral("mistral-7b-v0.1")), 2), 131072);
    QCOMPARE(kvBytesPerTokenByReference(model(QStringLiteral("deepseek-v2")), 2), 69120);
  }

  // docs/references.md section 3: critical dimension 2 * ceil((d/2) * log_b(T / 2 pi)) from each
  // entry's own theta, rotary dim and trained context: Llama-2 92 of 128, Llama-3 70 of 128,
  // DeepSeek-V2's rope part 46 of 64.
  void criticalDimensionsMatchThePublishedOnes() {
    auto critical = [](const ModelSpec& m) {
      const double pairs =
          (m.rotaryDim() / 2.0) * std::log(double(m.trainedContext) / (2 * M_PI)) / std::log(m.ropeTheta);
      return 2 * int(std::ceil(pairs));
    };
    QCOMPARE(critical(model(QStringLiteral("llama-2-7b"))), 92);
    QCOMPARE(critical(model(QStringLiteral("llama-3-8b"))), 70);
    QCOMPARE(critical(model(QStringLiteral("llama-3.1-8b"))), 70);
    QCOMPARE(critical(model(QStringLiteral("deepseek-v2"))), 46);
    QCOMPARE(model(QStringLiteral("deepseek-v2")).rotaryDim(), 64);
  }

  void modelsCarryTheirDistinctiveFeatures() {
    const ModelSpec& mistral = model(QStringLiteral("mistral-7b-v0.1"));
    QCOMPARE(mistral.trainedContext, 8192);  // Mistral 7B paper Table 1 (docs/references.md section 9)
    QVERIFY(mistral.notes.contains(QStringLiteral("document's error")));
    QCOMPARE(mistral.slidingWindow, 4096);
    QCOMPARE(mistral.attentionKind, AttentionKind::Sliding);
    QCOMPARE(mistral.layerType(31), LayerAttention::Sliding);

    const ModelSpec& llama31 = model(QStringLiteral("llama-3.1-8b"));
    QCOMPARE(llama31.trainedContext, 8192);
    QVERIFY(llama31.ropeScaling && llama31.ropeScaling->type == QLatin1String("llama3"));
    QCOMPARE(llama31.ropeScaling->factor, 8.0);
    QCOMPARE(llama31.ropeTheta, 500000.0);

    const ModelSpec& gemma = model(QStringLiteral("gemma-2-9b"));
    QCOMPARE(gemma.attentionKind, AttentionKind::Hybrid);
    QCOMPARE(int(gemma.layerTypes.size()), 42);
    QCOMPARE(gemma.layerType(0), LayerAttention::Sliding);
    QCOMPARE(gemma.layerType(1), LayerAttention::Full);
    QCOMPARE(gemma.headDim, 256);  // not hidden / heads = 224

    // docs/references.md section 1: Phi-3.5-mini longrope attention factor sqrt(1 + ln s / ln L0)
    // = 1.1902381.
    const ModelSpec& phi = model(QStringLiteral("phi-3.5-mini"));
    QVERIFY(phi.ropeScaling && phi.ropeScaling->type == QLatin1String("longrope"));
    QCOMPARE(int(phi.ropeScaling->shortFactor.size()), phi.rotaryDim() / 2);
    QCOMPARE(int(phi.ropeScaling->longFactor.size()), 48);
    const double s =
        double(phi.maxPositionEmbeddings) / double(*phi.ropeScaling->originalMaxPositionEmbeddings);
    SINKSCOPE_COMPARE_NEAR(std::sqrt(1 + std::log(s) / std::log(double(phi.trainedContext))), 1.1902381,
                           1e-7);

    const ModelSpec& deepseek = model(QStringLiteral("deepseek-v2"));
    QCOMPARE(deepseek.attentionKind, AttentionKind::Mla);
    QCOMPARE(deepseek.rotaryDim(), 64);  // the decoupled rope part (docs/references.md section 3)
    QCOMPARE(deepseek.ropeScaling->factor, 40.0);
    QCOMPARE(*deepseek.ropeScaling->mscale, 0.707);
    QCOMPARE(deepseek.moe.experts, 160);

    QCOMPARE(model(QStringLiteral("falcon-7b")).kvHeads, 1);
    QCOMPARE(model(QStringLiteral("falcon-7b")).attentionKind, AttentionKind::Mqa);
    for (const char* id : {"mpt-7b", "bloom-7b1"}) {
      QVERIFY(!model(QString::fromLatin1(id)).usesRope);
      QCOMPARE(model(QString::fromLatin1(id)).attentionKind, AttentionKind::Alibi);
    }
    QCOMPARE(model(QStringLiteral("codellama-7b")).ropeTheta, 1e6);
    QCOMPARE(model(QStringLiteral("mixtral-8x7b")).moe.expertsPerToken, 2);

    const ModelSpec& stories = model(QStringLiteral("stories260k"));
    QCOMPARE(stories.trainedContext, 512);  // docs/references.md section 8
    QCOMPARE(stories.maxPositionEmbeddings, 2048);
    QCOMPARE(stories.ropePairLayout, RopePairLayout::Adjacent);
  }

  // Core names an empty id by its field, never by a command-line flag (the command maps
  // "model" to --model; tests/data/bad_inputs/catalogue.json cli_show_empty_model).
  void emptyIdsAreNamedByTheirField() {
    for (const auto& [resolve, field] :
         {std::pair<std::function<void()>, QString>{[] { resolveModel(QString()); }, QStringLiteral("model")},
          {[] { resolveHardware(QStringLiteral(" ")); }, QStringLiteral("hardware")}}) {
      try {
        resolve();
        QFAIL("no error");
      } catch (const Error& error) {
        QCOMPARE(error.kind(), ErrorKind::BadInput);
        QCOMPARE(error.source(), QString());
        QCOMPARE(error.field(), field);
      }
    }
  }

  void phiFactorsMatchTheReferenceVectorsInputs() {
    const QString path =
        test::testDataPath(QStringLiteral("rope_vectors.json"));  // provenance: tests/data/README.md
    const QJsonObject root = readJsonObjectFile(path);
    for (const QJsonValue& value : root.value(QStringLiteral("cases")).toArray()) {
      const QJsonObject c = value.toObject();
      if (c.value(QStringLiteral("id")).toString() != QLatin1String("f_longrope_phi3_5_mini")) continue;
      const QJsonObject scaling =
          c.value(QStringLiteral("inputs")).toObject().value(QStringLiteral("rope_scaling")).toObject();
      const ModelSpec& phi = model(QStringLiteral("phi-3.5-mini"));
      const QJsonArray longFactor = scaling.value(QStringLiteral("long_factor")).toArray();
      QCOMPARE(qsizetype(phi.ropeScaling->longFactor.size()), longFactor.size());
      for (qsizetype i = 0; i < longFactor.size(); ++i)
        QCOMPARE(phi.ropeScaling->longFactor[size_t(i)], longFactor.at(i).toDouble());
      return;
    }
    QFAIL("phi case missing from rope_vectors.json");
  }

  void everyHardwareProfileIsComplete() {
    const auto& hardware = Catalog::builtin().hardware();
    QVERIFY2(hardware.size() >= 16, qPrintable(QString::number(hardware.size())));
    std::set<QString> ids, categories;
    for (const HardwareSpec& spec : hardware) {
      const char* id = qPrintable(spec.id);
      QVERIFY2(ids.insert(spec.id.toLower()).second, id);
      categories.insert(spec.category);
      QVERIFY2(!spec.source.trimmed().isEmpty() && !spec.vendor.isEmpty(), id);
      QVERIFY2(spec.memoryBytes >= (8ll << 30), id);
      QVERIFY2(spec.peakFlops(QStringLiteral("fp32")).has_value(), id);
      QVERIFY2(spec.peakFlops(QStringLiteral("bf16")).has_value(), id);
      // Tensor-core dtypes never run slower than fp32, and fp8 doubles bf16 where both exist
      // (a sparse figure typed in for one of them would show as 1x or 4x; L40S's sheet: 733 / 362.05).
      QVERIFY2(*spec.peakFlops(QStringLiteral("bf16")) >= *spec.peakFlops(QStringLiteral("fp32")), id);
      if (spec.peakFlops(QStringLiteral("fp8")))
        QVERIFY2(std::abs(*spec.peakFlops(QStringLiteral("fp8")) / *spec.peakFlops(QStringLiteral("bf16")) -
                          2.0) < 0.05,
                 id);
      validateHardwareSpec(spec, spec.id);
    }
    for (const char* category : {"datacenter-gpu", "workstation-gpu", "consumer-gpu", "apple-silicon", "cpu"})
      QVERIFY2(categories.count(QString::fromLatin1(category)), category);
    for (const char* id :
         {"h100-sxm-80gb", "h100-pcie-80gb", "h200-sxm-141gb", "a100-sxm-80gb", "a100-sxm-40gb", "l40s-48gb",
          "l4-24gb", "mi300x-192gb", "mi250x-128gb", "rtx-6000-ada-48gb", "rtx-4090-24gb", "rtx-3090-24gb"})
      QVERIFY2(Catalog::builtin().findHardware(QString::fromLatin1(id)), id);
  }

  // NVIDIA H100 datasheet (SXM): 80 GB, 3.35 TB/s, 989.4 TFLOP/s dense BF16 (1979 with sparsity).
  void h100FiguresAreTheDatasheetsDenseOnes() {
    const HardwareSpec* h100 = Catalog::builtin().findHardware(QStringLiteral("h100-sxm-80gb"));
    QVERIFY(h100);
    QCOMPARE(h100->memoryBytes, 80ll << 30);
    QCOMPARE(h100->memoryBandwidthBytesPerSecond, 3.35e12);
    QCOMPARE(*h100->peakFlops(QStringLiteral("bf16")), 989.4e12);
    QCOMPARE(*h100->peakFlops(QStringLiteral("fp8")), 1978.9e12);
  }

  // NVIDIA A100 datasheet (80GB SXM): 2,039 GB/s, BF16 312 TFLOP/s dense (624 with sparsity).
  // AMD Instinct MI300X data sheet: 192 GB, 5.3 TB/s, BF16 1,307.4 and FP8 2,614.9 TFLOP/s dense.
  void a100AndMi300xFiguresAreTheDatasheetsDenseOnes() {
    const HardwareSpec* a100 = Catalog::builtin().findHardware(QStringLiteral("a100-sxm-80gb"));
    QVERIFY(a100);
    QCOMPARE(a100->memoryBandwidthBytesPerSecond, 2.039e12);
    QCOMPARE(*a100->peakFlops(QStringLiteral("bf16")), 312e12);
    const HardwareSpec* mi300x = Catalog::builtin().findHardware(QStringLiteral("mi300x-192gb"));
    QVERIFY(mi300x);
    QCOMPARE(mi300x->memoryBytes, 192ll << 30);
    QCOMPARE(mi300x->memoryBandwidthBytesPerSecond, 5.3e12);
    QCOMPARE(*mi300x->peakFlops(QStringLiteral("bf16")), 1307.4e12);
    QCOMPARE(*mi300x->peakFlops(QStringLiteral("fp8")), 2614.9e12);
  }

  // Issue 3's criterion applied to every entry: the weights counted from the entry's own config
  // fields lie within 2 % of its published_parameters, so a wrong dimension or a mistyped
  // published figure shows here (docs/catalog.md says which figures are model-card numbers and
  // which are weight counts). Llama-3.2-1B: model card "1B (1.23B)", 1,235,814,400 by count.
  void everyModelsWeightCountMatchesItsPublishedTotal() {
    for (const ModelSpec& spec : Catalog::builtin().models()) {
      const double ratio = double(countParameters(spec).total()) / spec.publishedParameters;
      QVERIFY2(std::abs(ratio - 1.0) < 0.02,
               qPrintable(QStringLiteral("%1: counted / published = %2").arg(spec.id).arg(ratio, 0, 'f', 4)));
    }
    QCOMPARE(model(QStringLiteral("llama-3.2-1b")).publishedParameters, 1.23e9);
    QCOMPARE(countParameters(model(QStringLiteral("llama-3.2-1b"))).total(), 1235814400ll);
  }

  void loaderNamesTheFieldOfABadEntry() {
    QTemporaryDir dir;
    const QString models = dir.filePath(QStringLiteral("models.json"));
    const QString hardware = dir.filePath(QStringLiteral("hardware.json"));
    writeFile(hardware, R"({"hardware": []})");
    const QByteArray entry =
        R"({"id": "x", "name": "X", "family": "llama", "attention_kind": "gqa", "model_type": "llama",
            "num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 8,
            "num_key_value_heads": 2, "vocab_size": 100, "tie_word_embeddings": false, "rope_theta": 10000,
            "max_position_embeddings": 512, "trained_context": 512, "published_parameters": 1000, "source": "test"})";
    writeFile(models, "{\"models\": [" + entry + "," + entry + "]}");
    test::expectBadInput([&] { Catalog::load(models, hardware); },
                         {models, QStringLiteral("models[1].id"), QStringLiteral("duplicate")});
    writeFile(models, "{\"models\": [" + QByteArray(entry).replace("\"rope_theta\": 10000,", "") + "]}");
    test::expectBadInput([&] { Catalog::load(models, hardware); },
                         {QStringLiteral("rope_theta"), QStringLiteral("missing")});
    writeFile(models, "{\"models\": [" + QByteArray(entry).replace("\"gqa\"", "\"sparse\"") + "]}");
    test::expectBadInput([&] { Catalog::load(models, hardware); },
                         {QStringLiteral("attention_kind"), QStringLiteral("sparse")});
    writeFile(models, "{\"models\": [" +
                          QByteArray(entry).replace("\"source\": \"test\"", "\"source\": \" \"") + "]}");
    test::expectBadInput([&] { Catalog::load(models, hardware); }, {QStringLiteral("source")});
    writeFile(models, "{\"models\": [" + entry + "]}");
    QCOMPARE(Catalog::load(models, hardware).models().size(), size_t(1));
    // Both lists are read the same way: an element that is not an object is named by its index.
    writeFile(hardware, R"({"hardware": [1]})");
    test::expectBadInput([&] { Catalog::load(models, hardware); },
                         {hardware, QStringLiteral("hardware[0]"), QStringLiteral("expected an object")});
    writeFile(models, R"({"models": ["x"]})");
    test::expectBadInput([&] { Catalog::load(models, hardware); },
                         {models, QStringLiteral("models[0]"), QStringLiteral("expected an object")});
  }

  void hardwareFileErrorsNameTheField() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("gpu.json"));
    writeFile(path, R"({"id": "g", "memory_bytes": 1000000000, "memory_bandwidth_bytes_per_s": 3.35,
                       "peak_flops": {"fp32": 1e13}})");
    test::expectBadInput([&] { resolveHardware(path); },
                         {path, QStringLiteral("memory_bandwidth_bytes_per_s")});
    writeFile(path, R"({"id": "g", "memory_bytes": 1000000000, "memory_bandwidth_bytes_per_s": 1e12,
                       "peak_flops": {"fp32": 1e13, "fp4x": 1e15}})");
    test::expectBadInput([&] { resolveHardware(path); },
                         {QStringLiteral("peak_flops.fp4x"), QStringLiteral("unknown dtype")});
    writeFile(path, R"({"id": "g", "memory_bytes": 1000000000, "memory_bandwidth_bytes_per_s": 1e12,
                       "peak_flops": {"fp32": 1e13, "bf16": 2e14}})");
    const HardwareSpec spec = resolveHardware(path);
    QCOMPARE(spec.origin, path);
    QCOMPARE(*spec.peakFlops(QStringLiteral("fp16")), 2e14);  // fp16 falls back to bf16
    QCOMPARE(classifyImportFile(path), ImportKind::Hardware);
    QCOMPARE(classifyImportFile(test::testDataPath(QStringLiteral("hf/mpt-7b.config.json"))),
             ImportKind::Model);
    test::expectBadInput([&] { classifyImportFile(dir.filePath(QStringLiteral("absent.json"))); },
                         {QStringLiteral("no such file")});
    test::expectBadInput([&] { resolveHardware(QStringLiteral("no-such-gpu")); },
                         {QStringLiteral("no-such-gpu"), QStringLiteral("list hardware")});
  }

  void attentionKindNamesRoundTrip() {
    for (const char* name : {"mha", "gqa", "mqa", "mla", "sliding", "hybrid", "alibi"}) {
      const auto kind = attentionKindFromName(QString::fromLatin1(name));
      QVERIFY2(kind.has_value(), name);
      QCOMPARE(attentionKindName(*kind), QString::fromLatin1(name));
    }
    QVERIFY(!attentionKindFromName(QStringLiteral("sparse")).has_value());
    QCOMPARE(attentionKindFromName(QStringLiteral(" GQA ")), AttentionKind::Gqa);
  }
};

QTEST_GUILESS_MAIN(TestCatalog)
#include "test_catalog.moc"
