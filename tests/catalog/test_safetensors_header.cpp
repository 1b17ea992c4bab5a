// The pure readers behind the Hub import: Hub ids (huggingface_hub's validate_repo_id rules) and
// safetensors headers and indexes (the format as the safetensors README describes it).
#include "CatalogTestSupport.h"
#include "catalog/HubId.h"
#include "catalog/SafetensorsHeader.h"
#include "common/Error.h"

#include <QtEndian>
#include <QtTest>

using namespace sinkscope;

class TestSafetensorsHeader : public QObject {
  Q_OBJECT

 private slots:
  void hubIdsAsHuggingfaceHubAcceptsThem() {
    const auto id = parseHubId(QStringLiteral("Qwen/Qwen2.5-7B-Instruct"));
    QVERIFY(id);
    QCOMPARE(id->repo, QStringLiteral("Qwen/Qwen2.5-7B-Instruct"));
    QCOMPARE(id->revision, QStringLiteral("main"));  // huggingface_hub's DEFAULT_REVISION
    QVERIFY(!id->explicitRevision);
    const auto pinned = parseHubId(QStringLiteral("meta-llama/Llama-3.1-8B@refs/pr/1"));
    QVERIFY(pinned);
    QCOMPARE(pinned->revision, QStringLiteral("refs/pr/1"));
    QCOMPARE(pinned->display(), QStringLiteral("meta-llama/Llama-3.1-8B@refs/pr/1"));
    // validate_repo_id rejects these (huggingface_hub/utils/_validators.py).
    for (const char* bad :
         {"Qwen", "a/b/c", "org/-name", "org/name-", "org/na--me", "org/na..me", "org/name.git", "org/na me",
          "org/name@", "org/name@a b", "/abs/path", "config.json", "org/config.json", "org/model.gguf"})
      QVERIFY2(!parseHubId(QString::fromLatin1(bad)), bad);
    QVERIFY(!parseHubId(QStringLiteral("o/") + QString(95, QLatin1Char('n'))));  // 97 characters > 96
    QVERIFY(parseHubId(QStringLiteral("o/") + QString(94, QLatin1Char('n'))));   // 96 characters
    QVERIFY(looksLikeHubIdAttempt(QStringLiteral("org/na me")));
    QVERIFY(!looksLikeHubIdAttempt(QStringLiteral("missing/config.json")));
    QVERIFY(!looksLikeHubIdAttempt(QStringLiteral("Qwen/Qwen2.5-7B")));  // valid ids are not attempts
  }

  void headerLengthIsLittleEndianAndCapped() {
    QByteArray bytes(8, '\0');
    qToLittleEndian<quint64>(0x0102, bytes.data());
    QCOMPARE(safetensorsHeaderLength(bytes, QStringLiteral("f")), qint64(258));
    test::expectBadInput([] { safetensorsHeaderLength(QByteArray(7, 'x'), QStringLiteral("f")); },
                         {QStringLiteral("fewer than 8 bytes")});
    qToLittleEndian<quint64>(quint64(kMaxSafetensorsHeaderBytes) + 1, bytes.data());
    test::expectBadInput([&] { safetensorsHeaderLength(bytes, QStringLiteral("f")); },
                         {QStringLiteral("header length")});
  }

  void countsParametersAndBytesFromShapes() {
    // Two BF16 matrices and one F32 vector: 32000 x 4096 + 4096 x 4096 elements at 2 bytes, 4096 at 4.
    const QByteArray header = R"({"__metadata__": {"format": "pt"},
      "model.embed_tokens.weight": {"dtype": "BF16", "shape": [32000, 4096], "data_offsets": [0, 262144000]},
      "model.layers.0.self_attn.q_proj.weight": {"dtype": "BF16", "shape": [4096, 4096], "data_offsets": [262144000, 295698432]},
      "model.norm.weight": {"dtype": "F32", "shape": [4096], "data_offsets": [295698432, 295714816]}})";
    const SafetensorsSummary summary = parseSafetensorsHeader(header, QStringLiteral("h"));
    QCOMPARE(summary.parameters, qint64(32000) * 4096 + 4096 * 4096 + 4096);
    QCOMPARE(summary.bytes, qint64(295714816));
    QCOMPARE(summary.tensors, qint64(3));
    QCOMPARE(summary.bytesByDtype.value(QStringLiteral("F32")), qint64(16384));
    // A scalar has shape [] and one element.
    QCOMPARE(parseSafetensorsHeader(R"({"s": {"dtype": "F16", "shape": [], "data_offsets": [0, 2]}})",
                                    QStringLiteral("h"))
                 .parameters,
             qint64(1));
  }

  void refusesInconsistentHeaders() {
    test::expectBadInput(
        [] {
          parseSafetensorsHeader(R"({"w": {"dtype": "BF16", "shape": [4, 4], "data_offsets": [0, 16]}})",
                                 QStringLiteral("h"));
        },
        {QStringLiteral("h: w.data_offsets"), QStringLiteral("does not match")});
    test::expectBadInput(
        [] {
          parseSafetensorsHeader(R"({"w": {"dtype": "Q4_K", "shape": [4], "data_offsets": [0, 2]}})",
                                 QStringLiteral("h"));
        },
        {QStringLiteral("w.dtype"), QStringLiteral("unknown dtype 'Q4_K'")});
    test::expectBadInput(
        [] {
          parseSafetensorsHeader(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})",
                                 QStringLiteral("h"));
        },
        {QStringLiteral("w.shape")});
    // A dimension beyond qint64 is refused before any conversion (found by fuzz_safetensors).
    test::expectBadInput(
        [] {
          parseSafetensorsHeader(R"({"w": {"dtype": "BF16", "shape": [6.6e86, 2], "data_offsets": [0, 4]}})",
                                 QStringLiteral("h"));
        },
        {QStringLiteral("w.shape")});
    test::expectBadInput(
        [] {
          parseSafetensorsHeader(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}})",
                                 QStringLiteral("h"));
        },
        {QStringLiteral("w.data_offsets")});
    test::expectBadInput([] { parseSafetensorsHeader("[1, 2]", QStringLiteral("h")); },
                         {QStringLiteral("h")});
  }

  // Sums stay exact: many tensors at the per-tensor limit (2^50 elements) in one header, or many
  // shards of such headers, are refused before a qint64 sum could overflow (amplification class,
  // docs/limits.md); up to the limit the sums are exact.
  void sumsAcrossTensorsAndShardsAreBounded() {
    const auto header = [](int tensors, qint64 elements) {
      QByteArray json = "{";
      for (int i = 0; i < tensors; ++i)
        json += (i ? "," : "") + QByteArray("\"t") + QByteArray::number(i) +
                "\":{\"dtype\":\"U8\",\"shape\":[" + QByteArray::number(elements) + "],\"data_offsets\":[0," +
                QByteArray::number(elements) + "]}";
      return json + "}";
    };
    const qint64 limit = qint64(1) << 50;
    const SafetensorsSummary atLimit = parseSafetensorsHeader(header(4, limit / 4), QStringLiteral("a"));
    QCOMPARE(atLimit.parameters, limit);
    QCOMPARE(atLimit.bytes, limit);
    for (const int tensors : {2, 3, 9000}) {  // 9000 x 2^50 would wrap a qint64 (2^63) about 1000 times
      try {
        parseSafetensorsHeader(header(tensors, limit), QStringLiteral("b"));
        QFAIL("the sum passed 2^50");
      } catch (const Error& error) {
        QCOMPARE(error.exitCode(), 3);
        QCOMPARE(error.field(), QStringLiteral("t1.shape"));
      }
    }
    SafetensorsSummary totals;
    const SafetensorsSummary shard = parseSafetensorsHeader(header(1, limit / 2), QStringLiteral("shard"));
    totals.add(shard, QStringLiteral("s1"));
    totals.add(shard, QStringLiteral("s2"));
    QCOMPARE(totals.parameters, limit);
    QVERIFY_THROWS_EXCEPTION(
        Error, totals.add(parseSafetensorsHeader(header(1, 1), QStringLiteral("one")), QStringLiteral("s3")));
    QCOMPARE(totals.parameters, limit);  // unchanged by the refused shard
  }

  void readsTheShardedIndex() {
    const QByteArray index = R"({"metadata": {"total_size": 1000},
      "weight_map": {"a": "model-00002-of-00002.safetensors", "b": "model-00001-of-00002.safetensors",
                     "c": "model-00001-of-00002.safetensors"}})";
    const SafetensorsIndex parsed = parseSafetensorsIndex(index, QStringLiteral("i"));
    QCOMPARE(parsed.totalSizeBytes, qint64(1000));
    QCOMPARE(parsed.shardFiles, (QStringList{QStringLiteral("model-00001-of-00002.safetensors"),
                                             QStringLiteral("model-00002-of-00002.safetensors")}));
    QCOMPARE(parsed.tensors, qint64(3));
    test::expectBadInput(
        [] {
          parseSafetensorsIndex(
              R"({"metadata": {"total_size": 1}, "weight_map": {"a": "../etc/x.safetensors"}})",
              QStringLiteral("i"));
        },
        {QStringLiteral("weight_map.a"), QStringLiteral("plain")});
    test::expectBadInput([] { parseSafetensorsIndex(R"({"weight_map": {}})", QStringLiteral("i")); },
                         {QStringLiteral("metadata")});
  }
};

QTEST_GUILESS_MAIN(TestSafetensorsHeader)
#include "test_safetensors_header.moc"
