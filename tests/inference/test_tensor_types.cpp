// Tests of the tensor-type table (core/inference/TensorTypes.h): block layouts against ggml's
// (ggml-common.h), hand-worked known-answer blocks for every quantized type (bit walks of
// ggml-quants.c dequantize_row_*, docs/tensor-types.md), quantize -> dequantize round trips within
// each type's expected error, the reference quantizers on inputs whose encoding is known, and the
// scale check.
#include "common/Error.h"
#include "inference/GgufWriter.h"
#include "inference/TensorRead.h"
#include "inference/TensorTypes.h"

#include <QRandomGenerator>
#include <QtTest>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

using namespace sinkscope;

namespace {

// fp16 bit patterns of the scales used below (IEEE 754 binary16).
constexpr quint16 kHalf0_25 = 0x3400, kHalf0_5 = 0x3800, kHalfMinus1 = 0xBC00;
constexpr quint16 kHalfNaN = 0x7E00, kHalfInfinity = 0x7C00;

// One encoded block, written byte by byte.
struct Block {
  QByteArray bytes;
  explicit Block(int size, char fill = 0) : bytes(size, fill) {}
  void byte(int offset, int value) { bytes[offset] = char(value); }
  void half(int offset, quint16 bits) { std::memcpy(bytes.data() + offset, &bits, 2); }
  void u32(int offset, quint32 value) { std::memcpy(bytes.data() + offset, &value, 4); }
};

std::vector<float> decode(GgmlType type, const QByteArray& bytes) {
  const TensorTypeTraits* traits = tensorTypeTraits(type);
  const qint64 values = bytes.size() / traits->blockBytes * traits->blockValues;
  std::vector<float> out(static_cast<size_t>(values));
  traits->dequantize(reinterpret_cast<const std::byte*>(bytes.constData()), out.data(), values);
  return out;
}

QByteArray encode(GgmlType type, const std::vector<float>& values) {
  const TensorTypeTraits* traits = tensorTypeTraits(type);
  QByteArray bytes(qsizetype(traits->rowBytes(qint64(values.size()))), '\0');
  traits->quantize(values.data(), reinterpret_cast<std::byte*>(bytes.data()), qint64(values.size()));
  return bytes;
}

// Root-mean-square error of quantize -> dequantize, relative to the values' own RMS.
double relativeRoundTripError(GgmlType type, const std::vector<float>& values) {
  const std::vector<float> back = decode(type, encode(type, values));
  double error = 0, energy = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    error += (back[i] - values[i]) * double(back[i] - values[i]);
    energy += values[i] * double(values[i]);
  }
  return std::sqrt(error / energy);
}

std::vector<float> uniformValues(qint64 count, quint32 seed) {
  QRandomGenerator random(seed);
  std::vector<float> values(static_cast<size_t>(count));
  for (float& v : values) v = float(random.generateDouble() * 2 - 1);
  return values;
}

}  // namespace

class TestTensorTypes : public QObject {
  Q_OBJECT

 private slots:
  // ggml-common.h: QK4_0 = QK4_1 = QK5_0 = QK5_1 = QK8_0 = QK4_NL = 32, QK_K = 256, and the block
  // structs' sizes (2-byte halves, no padding).
  void tableMatchesGgmlLayouts_data() {
    QTest::addColumn<quint32>("typeId");
    QTest::addColumn<int>("blockValues");
    QTest::addColumn<int>("blockBytes");
    QTest::newRow("F32") << 0u << 1 << 4;
    QTest::newRow("F16") << 1u << 1 << 2;
    QTest::newRow("Q4_0") << 2u << 32 << 2 + 16;
    QTest::newRow("Q4_1") << 3u << 32 << 2 + 2 + 16;
    QTest::newRow("Q5_0") << 6u << 32 << 2 + 4 + 16;
    QTest::newRow("Q5_1") << 7u << 32 << 2 + 2 + 4 + 16;
    QTest::newRow("Q8_0") << 8u << 32 << 2 + 32;
    QTest::newRow("Q2_K") << 10u << 256 << 16 + 64 + 2 + 2;
    QTest::newRow("Q3_K") << 11u << 256 << 32 + 64 + 12 + 2;
    QTest::newRow("Q4_K") << 12u << 256 << 2 + 2 + 12 + 128;
    QTest::newRow("Q5_K") << 13u << 256 << 2 + 2 + 12 + 32 + 128;
    QTest::newRow("Q6_K") << 14u << 256 << 128 + 64 + 16 + 2;
    QTest::newRow("IQ4_NL") << 20u << 32 << 2 + 16;
    QTest::newRow("IQ4_XS") << 23u << 256 << 2 + 2 + 4 + 128;
    QTest::newRow("BF16") << 30u << 1 << 2;
  }
  void tableMatchesGgmlLayouts() {
    QFETCH(quint32, typeId);
    QFETCH(int, blockValues);
    QFETCH(int, blockBytes);
    const TensorTypeTraits* traits = tensorTypeTraits(GgmlType(typeId));
    QVERIFY(traits);
    QCOMPARE(traits->blockValues, blockValues);
    QCOMPARE(traits->blockBytes, blockBytes);
    QCOMPARE(QString::fromLatin1(traits->name), ggmlTypeName(GgmlType(typeId)));
    QVERIFY(traits->dequantize && traits->quantize && traits->firstNonFiniteBlock);
    QVERIFY(computableTensorTypeNames().contains(QString::fromLatin1(traits->name)));
  }

  void tableHasFifteenRowsInIdOrder() {
    const auto rows = computableTensorTypes();
    QCOMPARE(rows.size(), size_t(15));
    for (size_t i = 1; i < rows.size(); ++i) QVERIFY(quint32(rows[i - 1].type) < quint32(rows[i].type));
    QVERIFY(!tensorTypeTraits(GgmlType::Q8_1));  // known layout, no kernels
    QVERIFY(!tensorTypeTraits(GgmlType::IQ2_XXS));
  }

  // ---- Known answers, one block each; arithmetic in the comments.

  void q5_0KnownBlock() {
    // {d = 0.5, qh = bits 0 and 31, qs}: value j < 16 is nibble (qs[j] & 15) | bit j << 4, value
    // j + 16 is (qs[j] >> 4) | bit (j + 16) << 4; x = d * (q - 16).
    Block b(22);
    b.half(0, kHalf0_5);
    b.u32(2, 0x80000001u);
    for (int j = 0; j < 16; ++j) b.byte(6 + j, 0x88);
    b.byte(6 + 0, 0x21);   // value 0: 1 | 16 = 17; value 16: 2 (bit 16 clear)
    b.byte(6 + 15, 0xF0);  // value 15: 0 (bit 15 clear); value 31: 15 | 16 = 31
    const std::vector<float> x = decode(GgmlType::Q5_0, b.bytes);
    QCOMPARE(x[0], 0.5f * (17 - 16));   // 0.5
    QCOMPARE(x[16], 0.5f * (2 - 16));   // -7
    QCOMPARE(x[15], 0.5f * (0 - 16));   // -8
    QCOMPARE(x[31], 0.5f * (31 - 16));  // 7.5
    QCOMPARE(x[7], 0.5f * (8 - 16));    // -4: nibble 8, no fifth bit
    QCOMPARE(x[23], -4.0f);
  }

  void q5_1KnownBlock() {
    // {d = 0.5, m = -1, qh, qs} with the bits of q5_0KnownBlock: x = d * q + m.
    Block b(24);
    b.half(0, kHalf0_5);
    b.half(2, kHalfMinus1);
    b.u32(4, 0x80000001u);
    for (int j = 0; j < 16; ++j) b.byte(8 + j, 0x88);
    b.byte(8 + 0, 0x21);
    b.byte(8 + 15, 0xF0);
    const std::vector<float> x = decode(GgmlType::Q5_1, b.bytes);
    QCOMPARE(x[0], 0.5f * 17 - 1);   // 7.5
    QCOMPARE(x[16], 0.5f * 2 - 1);   // 0
    QCOMPARE(x[15], 0.5f * 0 - 1);   // -1
    QCOMPARE(x[31], 0.5f * 31 - 1);  // 14.5
    QCOMPARE(x[7], 0.5f * 8 - 1);    // 3
  }

  void q2_KKnownBlock() {
    // {scales[16] at 0, qs[64] at 16, d at 80, dmin at 82}. Value v: sub-block v / 16, scale byte
    // = sc (low nibble) | m (high nibble); 2-bit q at qs[32 (v / 128) + v % 32], bits 2 ((v % 128) / 32);
    // x = d * sc * q - dmin * m, with d = 0.5, dmin = 0.25.
    Block b(84);
    b.half(80, kHalf0_5);
    b.half(82, kHalf0_25);
    b.byte(0, 0x21);        // sub-block 0: sc 1, m 2
    b.byte(1, 0x11);        // sub-block 1: sc 1, m 1
    b.byte(2, 0x12);        // sub-block 2: sc 2, m 1
    b.byte(4, 0x03);        // sub-block 4: sc 3, m 0
    b.byte(6, 0x44);        // sub-block 6: sc 4, m 4
    b.byte(8, 0x1F);        // sub-block 8: sc 15, m 1
    b.byte(16 + 0, 0xE4);   // qs[0] = 0b11'10'01'00: values 0, 32, 64, 96 get q = 0, 1, 2, 3
    b.byte(16 + 16, 0x03);  // qs[16]: value 16 gets q = 3
    b.byte(16 + 32, 0x02);  // qs[32]: value 128 gets q = 2
    const std::vector<float> x = decode(GgmlType::Q2_K, b.bytes);
    QCOMPARE(x[0], 0.5f * 1 * 0 - 0.25f * 2);     // -0.5
    QCOMPARE(x[1], -0.5f);                        // q = 0 in sub-block 0
    QCOMPARE(x[16], 0.5f * 1 * 3 - 0.25f * 1);    // 1.25
    QCOMPARE(x[32], 0.5f * 2 * 1 - 0.25f * 1);    // 0.75
    QCOMPARE(x[64], 0.5f * 3 * 2 - 0.25f * 0);    // 3
    QCOMPARE(x[96], 0.5f * 4 * 3 - 0.25f * 4);    // 5
    QCOMPARE(x[128], 0.5f * 15 * 2 - 0.25f * 1);  // 14.75
    QCOMPARE(x[255], 0.0f);                       // sub-block 15: sc 0, m 0
  }

  void q3_KKnownBlock() {
    // {hmask[32] at 0, qs[64] at 32, scales[12] at 96, d at 108}. Sub-block s has a 6-bit scale
    // stored + 32: low nibble from byte s (s < 8) or the high nibble of byte s - 8, top two bits
    // from byte 8 + s % 4 at bit 2 (s / 4). Value v: 2-bit q as in Q2_K, high bit hmask[v % 32]
    // bit v / 32; x = d * scale * (q - (high bit ? 0 : 4)), d = 0.5.
    Block b(110);
    b.half(108, kHalf0_5);
    b.byte(96 + 0, 0x02);   // s0: low 2
    b.byte(96 + 8, 0x02);   // s0: top bits 2 -> 2 | 32 = 34 -> scale 2
    b.byte(96 + 5, 0x0D);   // s5: low 13
    b.byte(96 + 9, 0x04);   // s5: top bits (byte 9, bit 2) 1 -> 13 | 16 = 29 -> scale -3
    b.byte(96 + 2, 0xF0);   // s10: high nibble of byte 2 = 15
    b.byte(96 + 10, 0x30);  // s10: top bits (byte 10, bit 4) 3 -> 63 -> scale 31
    b.byte(32 + 0, 0x03);   // value 0: q 3
    b.byte(0, 0x01);        // value 0: high bit set; value 160 (h1, j1 -> bit 5) clear
    b.byte(32 + 1, 0x01);   // value 1: q 1, high bit clear
    b.byte(32 + 16, 0x20);  // value 80 (h0, j2, byte 16, bits 4..5): q 2
    b.byte(16, 0x04);       // value 80: high bit (bit 80 / 32 = 2) set
    const std::vector<float> x = decode(GgmlType::Q3_K, b.bytes);
    QCOMPARE(x[0], 0.5f * 2 * 3);           // 3
    QCOMPARE(x[1], 0.5f * 2 * (1 - 4));     // -3
    QCOMPARE(x[2], 0.5f * 2 * (0 - 4));     // -4
    QCOMPARE(x[80], 0.5f * -3 * 2);         // -3
    QCOMPARE(x[160], 0.5f * 31 * (0 - 4));  // -62
    QCOMPARE(x[48], 0.5f * -32 * (0 - 4));  // sub-block 3: stored 0 -> scale -32; q 0, no high bit: 64
  }

  void q4_KKnownBlock() {
    // {d at 0, dmin at 2, scales[12] at 4, qs[128] at 16}. Sub-block s < 4: scale = byte s & 63,
    // min = byte s + 4 & 63; s >= 4: scale = (byte s + 4 & 15) | (byte s - 4 >> 6) << 4, min =
    // (byte s + 4 >> 4) | (byte s >> 6) << 4. Values 64k..64k+31 are the low nibbles of qs[32k..],
    // 64k+32.. the high nibbles; x = d * scale * q - dmin * min, d = 0.5, dmin = 0.25.
    Block b(144);
    b.half(0, kHalf0_5);
    b.half(2, kHalf0_25);
    b.byte(4 + 0, 3);       // s0 scale 3
    b.byte(4 + 4, 2);       // s0 min 2
    b.byte(4 + 1, 5);       // s1 scale 5
    b.byte(4 + 5, 1);       // s1 min 1
    b.byte(4 + 10, 0x31);   // s6: scale low 1, min low 3
    b.byte(4 + 2, 0x40);    // s6: scale high bits 1 -> 17 (s2's own scale stays 0)
    b.byte(4 + 6, 0x80);    // s6: min high bits 2 -> 35 (s2's own min stays 0)
    b.byte(16 + 0, 0x7A);   // value 0: 10; value 32: 7
    b.byte(16 + 96, 0x0F);  // value 192 (s6): 15; value 224 (s7): 0
    const std::vector<float> x = decode(GgmlType::Q4_K, b.bytes);
    QCOMPARE(x[0], 0.5f * 3 * 10 - 0.25f * 2);      // 14.5
    QCOMPARE(x[1], 0.5f * 3 * 0 - 0.25f * 2);       // -0.5
    QCOMPARE(x[32], 0.5f * 5 * 7 - 0.25f * 1);      // 17.25
    QCOMPARE(x[192], 0.5f * 17 * 15 - 0.25f * 35);  // 118.75
    QCOMPARE(x[224], 0.0f);                         // s7: scale 0, min 0
    QCOMPARE(x[64], 0.0f);                          // s2: scale 0, min 0
  }

  void q5_KKnownBlock() {
    // Q4_K's scales, plus qh[32] at 16 (value 32s + l takes bit s of qh[l]) and qs[128] at 48.
    Block b(176);
    b.half(0, kHalf0_5);
    b.half(2, kHalf0_25);
    b.byte(4 + 0, 3);
    b.byte(4 + 4, 2);
    b.byte(4 + 1, 5);
    b.byte(4 + 5, 1);
    b.byte(4 + 10, 0x31);
    b.byte(4 + 2, 0x40);
    b.byte(4 + 6, 0x80);
    b.byte(16 + 0, 0x43);  // qh[0]: bits 0, 1, 6 -> values 0, 32, 192 get +16
    b.byte(48 + 0, 0x7A);
    b.byte(48 + 96, 0x0F);
    const std::vector<float> x = decode(GgmlType::Q5_K, b.bytes);
    QCOMPARE(x[0], 0.5f * 3 * (10 + 16) - 0.25f * 2);      // 38.5
    QCOMPARE(x[32], 0.5f * 5 * (7 + 16) - 0.25f * 1);      // 57.25
    QCOMPARE(x[192], 0.5f * 17 * (15 + 16) - 0.25f * 35);  // 254.75
    QCOMPARE(x[1], -0.5f);                                 // q 0, no fifth bit
  }

  void q6_KKnownBlock() {
    // {ql[128] at 0, qh[64] at 128, int8 scales[16] at 192, d at 208}. Value v = 128h + 32j + l:
    // low nibble of ql[64h + l + 32 (j % 2)] (high nibble when j >= 2), top bits qh[32h + l] at
    // bit 2j; x = d * scales[v / 16] * (q - 32), d = 0.5.
    Block b(210);
    b.half(208, kHalf0_5);
    b.byte(192 + 0, 2);
    b.byte(192 + 2, -1);
    b.byte(192 + 4, 3);
    b.byte(192 + 6, 1);
    b.byte(192 + 8, -4);
    b.byte(0, 0x3A);    // value 0 low 10, value 64 low 3
    b.byte(32, 0x71);   // value 32 low 1, value 96 low 7
    b.byte(128, 0xE6);  // top bits: value 0 -> 2, 32 -> 1, 64 -> 2, 96 -> 3
    const std::vector<float> x = decode(GgmlType::Q6_K, b.bytes);
    QCOMPARE(x[0], 0.5f * 2 * ((10 | 2 << 4) - 32));   // 0.5 * 2 * 10 = 10
    QCOMPARE(x[32], 0.5f * -1 * ((1 | 1 << 4) - 32));  // 0.5 * -1 * -15 = 7.5
    QCOMPARE(x[64], 0.5f * 3 * ((3 | 2 << 4) - 32));   // 0.5 * 3 * 3 = 4.5
    QCOMPARE(x[96], 0.5f * 1 * ((7 | 3 << 4) - 32));   // 0.5 * 1 * 23 = 11.5
    QCOMPARE(x[128], 0.5f * -4 * (0 - 32));            // 64
    QCOMPARE(x[1], 0.5f * 2 * (0 - 32));               // -32
  }

  void iq4_NLKnownBlock() {
    // {d, qs[16]}: x = d * level[nibble], levels {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13,
    // 25, 38, 53, 69, 89, 113}; value j < 16 is the low nibble of qs[j], j + 16 the high one.
    Block b(18);
    b.half(0, kHalf0_5);
    b.byte(2 + 0, 0xF0);
    b.byte(2 + 1, 0x98);
    const std::vector<float> x = decode(GgmlType::IQ4_NL, b.bytes);
    QCOMPARE(x[0], 0.5f * -127);  // -63.5
    QCOMPARE(x[16], 0.5f * 113);  // 56.5
    QCOMPARE(x[1], 0.5f * 1);     // level 8
    QCOMPARE(x[17], 0.5f * 13);   // level 9
    QCOMPARE(x[2], -63.5f);       // nibble 0
  }

  void iq4_XSKnownBlock() {
    // {d at 0, u16 scales_h at 2, scales_l[4] at 4, qs[128] at 8}: block ib's 6-bit scale ls =
    // (nibble ib % 2 of scales_l[ib / 2]) | (bits 2ib.. of scales_h) << 4, x = d (ls - 32) level.
    Block b(136, char(0x88));  // every index 8: level 1
    b.half(0, kHalf0_25);
    b.half(2, 0x000A);  // block 0 top bits 2, block 1 top bits 2, others 0
    b.byte(4, 0x41);    // block 0 low 1 -> ls 33; block 1 low 4 -> ls 36
    b.byte(5, 0x00);
    b.byte(6, 0x00);
    b.byte(7, 0x00);
    b.byte(8 + 16, 0x0F);  // block 1, j 0: index 15 (value 32), index 0 (value 48)
    const std::vector<float> x = decode(GgmlType::IQ4_XS, b.bytes);
    QCOMPARE(x[0], 0.25f * (33 - 32) * 1);  // 0.25
    QCOMPARE(x[31], 0.25f);
    QCOMPARE(x[33], 0.25f * (36 - 32) * 1);  // 1
    QCOMPARE(x[32], 0.25f * 4 * 113);        // 113
    QCOMPARE(x[48], 0.25f * 4 * -127);       // -127
    QCOMPARE(x[64], 0.25f * (0 - 32) * 1);   // block 2: ls 0 -> -8
  }

  // ---- The reference quantizers on inputs whose encoding is worked out by hand.

  void q4_0QuantizesLikeGgml() {
    // x_j = j - 16: the largest magnitude is x_0 = -16, so d = -16 / -8 = 2 and
    // q_j = min(15, trunc((j - 16) / 2 + 8.5)) = trunc(j / 2 + 0.5): 0, 1, 1, 2, 2, ...
    std::vector<float> x(32);
    for (int j = 0; j < 32; ++j) x[size_t(j)] = float(j - 16);
    const QByteArray bytes = encode(GgmlType::Q4_0, x);
    QCOMPARE(quint8(bytes[0]) | quint8(bytes[1]) << 8, 0x4000);  // d = 2
    QCOMPARE(quint8(bytes[2]) & 15, 0);                          // q_0 = 0
    QCOMPARE(quint8(bytes[3]) & 15, 1);                          // q_1 = trunc(1.0) = 1
    QCOMPARE(quint8(bytes[4]) & 15, 1);                          // q_2 = trunc(1.5) = 1
    QCOMPARE(quint8(bytes[2]) >> 4, 8);                          // q_16 = trunc(8.5) = 8
    QCOMPARE(quint8(bytes[17]) >> 4, 15);                        // q_31 = min(15, trunc(16)) = 15
  }

  void gridValuesRoundTripExactly_data() {
    QTest::addColumn<quint32>("typeId");
    QTest::addColumn<std::vector<float>>("values");
    std::vector<float> q5(32), q51(32), iq4(32);
    const int levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    for (int j = 0; j < 32; ++j) {
      q5[size_t(j)] = float(j - 16);           // d = -16 / -16 = 1, q = j: exact
      q51[size_t(j)] = 0.5f * j - 1;           // d = 15.5 / 31 = 0.5, m = -1, q = j: exact
      iq4[size_t(j)] = 0.5f * levels[j % 16];  // the scale search finds d = 0.5: exact
    }
    QTest::newRow("Q5_0") << quint32(GgmlType::Q5_0) << q5;
    QTest::newRow("Q5_1") << quint32(GgmlType::Q5_1) << q51;
    QTest::newRow("IQ4_NL") << quint32(GgmlType::IQ4_NL) << iq4;
  }
  void gridValuesRoundTripExactly() {
    QFETCH(quint32, typeId);
    QFETCH(std::vector<float>, values);
    const std::vector<float> back = decode(GgmlType(typeId), encode(GgmlType(typeId), values));
    for (size_t j = 0; j < values.size(); ++j) QCOMPARE(back[j], values[j]);
  }

  // ---- Round trips: uniform values in [-1, 1]. A b-bit grid over a block's range has an RMS
  // error of step / sqrt(12) = 2 amax / 2^b / sqrt(12), against an RMS of amax / sqrt(3): a
  // relative error of about 2^-b. The bound allows 1.5 times that (scales are themselves rounded);
  // F16 and BF16 keep 11 and 8 significant bits.
  void roundTripWithinExpectedError_data() {
    QTest::addColumn<quint32>("typeId");
    QTest::addColumn<double>("bound");
    const auto bits = [](int b) { return 1.5 / double(1 << b); };
    QTest::newRow("F32") << quint32(GgmlType::F32) << 0.0;
    QTest::newRow("F16") << quint32(GgmlType::F16) << std::ldexp(1.0, -11);
    QTest::newRow("BF16") << quint32(GgmlType::BF16) << std::ldexp(1.0, -8);
    QTest::newRow("Q8_0") << quint32(GgmlType::Q8_0) << bits(8);
    QTest::newRow("Q6_K") << quint32(GgmlType::Q6_K) << bits(6);
    QTest::newRow("Q5_0") << quint32(GgmlType::Q5_0) << bits(5);
    QTest::newRow("Q5_1") << quint32(GgmlType::Q5_1) << bits(5);
    QTest::newRow("Q5_K") << quint32(GgmlType::Q5_K) << bits(5);
    QTest::newRow("Q4_0") << quint32(GgmlType::Q4_0) << bits(4);
    QTest::newRow("Q4_1") << quint32(GgmlType::Q4_1) << bits(4);
    QTest::newRow("Q4_K") << quint32(GgmlType::Q4_K) << bits(4);
    QTest::newRow("IQ4_NL") << quint32(GgmlType::IQ4_NL) << bits(4);
    QTest::newRow("IQ4_XS") << quint32(GgmlType::IQ4_XS) << bits(4);
    QTest::newRow("Q3_K") << quint32(GgmlType::Q3_K) << bits(3);
    QTest::newRow("Q2_K") << quint32(GgmlType::Q2_K) << bits(2);
  }
  void roundTripWithinExpectedError() {
    QFETCH(quint32, typeId);
    QFETCH(double, bound);
    const double error = relativeRoundTripError(GgmlType(typeId), uniformValues(64 * 256, 3));
    qInfo("%s: relative RMS error %.5f (bound %.5f)", qPrintable(ggmlTypeName(GgmlType(typeId))), error,
          bound);
    QVERIFY2(error <= bound, qPrintable(QString::number(error)));
  }

  // More bits, less error: the K-quant family in order.
  void kQuantErrorsFallWithBits() {
    const std::vector<float> values = uniformValues(64 * 256, 4);
    double previous = 1;
    for (GgmlType type : {GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
      const double error = relativeRoundTripError(type, values);
      QVERIFY2(error < previous * 0.75, qPrintable(ggmlTypeName(type)));
      previous = error;
    }
  }

  // All-zero blocks encode to zeros, and decode to zeros (no NaN from a zero scale).
  void zeroBlocksStayZero() {
    const std::vector<float> zeros(512, 0.0f);
    for (const TensorTypeTraits& traits : computableTensorTypes()) {
      const std::vector<float> back = decode(traits.type, encode(traits.type, zeros));
      for (float v : back) QVERIFY2(v == 0.0f, traits.name);
    }
  }

  // ---- The scale check: an fp16 scale (or minimum) set to NaN or infinity in block 1 of 2.
  void firstNonFiniteBlockFindsBadScales_data() {
    QTest::addColumn<quint32>("typeId");
    QTest::addColumn<int>("scaleOffset");  // bytes into the block (docs/tensor-types.md)
    QTest::newRow("Q4_0 d") << quint32(GgmlType::Q4_0) << 0;
    QTest::newRow("Q4_1 m") << quint32(GgmlType::Q4_1) << 2;
    QTest::newRow("Q5_0 d") << quint32(GgmlType::Q5_0) << 0;
    QTest::newRow("Q5_1 m") << quint32(GgmlType::Q5_1) << 2;
    QTest::newRow("Q8_0 d") << quint32(GgmlType::Q8_0) << 0;
    QTest::newRow("Q2_K d") << quint32(GgmlType::Q2_K) << 80;
    QTest::newRow("Q2_K dmin") << quint32(GgmlType::Q2_K) << 82;
    QTest::newRow("Q3_K d") << quint32(GgmlType::Q3_K) << 108;
    QTest::newRow("Q4_K d") << quint32(GgmlType::Q4_K) << 0;
    QTest::newRow("Q4_K dmin") << quint32(GgmlType::Q4_K) << 2;
    QTest::newRow("Q5_K dmin") << quint32(GgmlType::Q5_K) << 2;
    QTest::newRow("Q6_K d") << quint32(GgmlType::Q6_K) << 208;
    QTest::newRow("IQ4_NL d") << quint32(GgmlType::IQ4_NL) << 0;
    QTest::newRow("IQ4_XS d") << quint32(GgmlType::IQ4_XS) << 0;
  }
  void firstNonFiniteBlockFindsBadScales() {
    QFETCH(quint32, typeId);
    QFETCH(int, scaleOffset);
    const TensorTypeTraits* traits = tensorTypeTraits(GgmlType(typeId));
    const qint64 values = 2 * traits->blockValues;
    QByteArray bytes = encode(GgmlType(typeId), uniformValues(values, 5));
    const auto check = [&] {
      return traits->firstNonFiniteBlock(reinterpret_cast<const std::byte*>(bytes.constData()), values);
    };
    QCOMPARE(check(), qint64(-1));
    for (quint16 bad : {kHalfNaN, kHalfInfinity, quint16(kHalfInfinity | 0x8000)}) {
      std::memcpy(bytes.data() + traits->blockBytes + scaleOffset, &bad, 2);
      QCOMPARE(check(), qint64(1));
    }
  }

  // The reader refuses a tensor whose block scale is NaN when it decodes that block, naming it.
  void readerRefusesANonFiniteScale() {
    GgufWriter writer;
    writer.addTensor(QStringLiteral("blk.0.ffn_up.weight"), {256, 2}, uniformValues(512, 7), GgmlType::Q4_K);
    QByteArray bytes = writer.toBytes();
    const quint64 secondBlock = GgufFile(bytes, QStringLiteral("m.gguf")).tensors().front().fileOffset + 144;
    std::memcpy(bytes.data() + secondBlock, &kHalfNaN, 2);  // Q4_K d of block 1 (row 1)
    const GgufFile file(bytes, QStringLiteral("m.gguf"));
    const GgufTensorInfo& info = file.tensors().front();
    requireFiniteScales(file, info, 0, 1);  // row 0 is sound
    std::vector<float> row(256);
    dequantizeRows(file, info, 0, 1, row.data());
    for (const auto& attempt : std::vector<std::function<void()>>{[&] { requireFiniteScales(file, info); },
                                                                  [&] { (void)dequantize(file, info); }}) {
      try {
        attempt();
        QFAIL("no error");
      } catch (const Error& error) {
        QCOMPARE(error.exitCode(), 3);
        QVERIFY2(error.describe().contains(QStringLiteral("tensor 'blk.0.ffn_up.weight'")),
                 qPrintable(error.describe()));
        QVERIFY2(error.describe().contains(QStringLiteral("Q4_K block 1 has a NaN or infinite scale")),
                 qPrintable(error.describe()));
      }
    }
  }

  // The writer encodes any type of the table and the reader decodes it back through the table.
  void writerAndReaderAgree() {
    const std::vector<float> values = uniformValues(2 * 256, 6);
    for (const TensorTypeTraits& traits : computableTensorTypes()) {
      GgufWriter writer;
      writer.addTensor(QStringLiteral("t"), {256, 2}, values, traits.type);
      const GgufFile file(writer.toBytes(), QStringLiteral("mem.gguf"));
      const GgufTensorInfo& info = file.tensor(QStringLiteral("t"));
      QCOMPARE(info.type, traits.type);
      QCOMPARE(qint64(info.byteSize), traits.rowBytes(256) * 2);
      QCOMPARE(dequantize(file, info), decode(traits.type, encode(traits.type, values)));
    }
  }
};

QTEST_GUILESS_MAIN(TestTensorTypes)
#include "test_tensor_types.moc"
