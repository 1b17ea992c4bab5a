// Tests of the Q4_K_M mix and the type fallbacks of tests/support/GeneratedLlama (llama.cpp's
// llama_tensor_get_type, docs/tensor-types.md): against the type counts llama.cpp's loader
// prints for a published Llama-2-7B Q4_K_M file, and hand-worked small-model cases.
#include "GeneratedLlama.h"

#include <QtTest>

using namespace sinkscope;
using namespace sinkscope::test;

namespace {

std::map<QString, int> plannedCounts(const GeneratedLlamaShape& shape, const TensorTypePlan& plan) {
  std::map<QString, int> counts;
  for (const PlannedTensor& tensor : llamaTensors(shape, plan)) ++counts[ggmlTypeName(tensor.type)];
  return counts;
}

}  // namespace

class TestQuantMix : public QObject {
  Q_OBJECT

 private slots:
  // llama.cpp's loader on TheBloke/Llama-2-7B-GGUF llama-2-7b.Q4_K_M.gguf ("file type = Q4_K -
  // Medium, 4.07 GiB"): "type f32: 65 tensors, type q4_K: 193 tensors, type q6_K: 33 tensors".
  void llama2_7bMatchesLlamaCppsCounts() {
    GeneratedLlamaShape shape;
    shape.embedding = 4096;
    shape.heads = shape.kvHeads = 32;
    shape.feedForward = 11008;
    shape.layers = 32;
    shape.vocab = 32000;
    const std::map<QString, int> expected{
        {QStringLiteral("F32"), 65}, {QStringLiteral("Q4_K"), 193}, {QStringLiteral("Q6_K"), 33}};
    QCOMPARE(plannedCounts(shape, TensorTypePlan::q4KM()), expected);
  }

  // use_more_bits(i, 32): i < 32/8 = 4, i >= 7*32/8 = 28, or (i - 4) % 3 == 2.
  void moreBitsLayersOf32() {
    QList<int> q6Layers;
    for (int layer = 0; layer < 32; ++layer)
      if (q4KMType(QStringLiteral("blk.%1.attn_v.weight").arg(layer), 4096, layer, 32, false) ==
          GgmlType::Q6_K)
        q6Layers << layer;
    QCOMPARE(q6Layers, (QList<int>{0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31}));
    QCOMPARE(q4KMType(QStringLiteral("blk.5.ffn_down.weight"), 11008, 5, 32, false), GgmlType::Q4_K);
    QCOMPARE(q4KMType(QStringLiteral("blk.6.ffn_down.weight"), 11008, 6, 32, false), GgmlType::Q6_K);
    QCOMPARE(q4KMType(QStringLiteral("blk.6.attn_q.weight"), 4096, 6, 32, false), GgmlType::Q4_K);
    QCOMPARE(q4KMType(QStringLiteral("token_embd.weight"), 4096, -1, 32, false), GgmlType::Q4_K);
    QCOMPARE(q4KMType(QStringLiteral("output.weight"), 4096, -1, 32, false), GgmlType::Q6_K);
  }

  // A SmolLM2-135M-shaped llama (width 576, feed-forward 1536, 30 layers, tied output). 576 is not
  // a multiple of 256, so every matrix with 576-value rows falls back: Q4_K -> Q5_0, Q6_K -> Q8_0;
  // ffn_down (1536 = 6 x 256) keeps Q4_K/Q6_K. use_more_bits(i, 30) holds for i < 3, i >= 26 and
  // i = 5, 8, ..., 23: 14 layers. So: Q8_0 = 14 attn_v + token_embd (the tied output, 576 % 256 != 0)
  // = 15; Q5_0 = 30 x (q, k, output, gate, up) + 16 attn_v = 166; ffn_down 14 Q6_K + 16 Q4_K;
  // F32 = 2 norms x 30 + output_norm = 61.
  void smallWidthsFallBack() {
    GeneratedLlamaShape shape;
    shape.embedding = 576;
    shape.heads = 9;
    shape.kvHeads = 3;
    shape.feedForward = 1536;
    shape.layers = 30;
    shape.vocab = 49152;
    shape.tiedOutput = true;
    const std::map<QString, int> expected{{QStringLiteral("F32"), 61},
                                          {QStringLiteral("Q8_0"), 15},
                                          {QStringLiteral("Q5_0"), 166},
                                          {QStringLiteral("Q4_K"), 16},
                                          {QStringLiteral("Q6_K"), 14}};
    QCOMPARE(plannedCounts(shape, TensorTypePlan::q4KM()), expected);
  }

  // llama.cpp's tensor_type_fallback, then F16 when even the fallback does not fit.
  void fallbacks() {
    QCOMPARE(fallbackType(GgmlType::Q4_K, 640), GgmlType::Q5_0);
    QCOMPARE(fallbackType(GgmlType::Q5_K, 640), GgmlType::Q5_1);
    QCOMPARE(fallbackType(GgmlType::Q6_K, 640), GgmlType::Q8_0);
    QCOMPARE(fallbackType(GgmlType::Q2_K, 640), GgmlType::Q4_0);
    QCOMPARE(fallbackType(GgmlType::Q3_K, 640), GgmlType::Q4_0);
    QCOMPARE(fallbackType(GgmlType::IQ4_XS, 640), GgmlType::IQ4_NL);
    QCOMPARE(fallbackType(GgmlType::Q4_K, 48), GgmlType::F16);    // 48 is not whole 32-blocks either
    QCOMPARE(fallbackType(GgmlType::Q4_K, 512), GgmlType::Q4_K);  // fits: unchanged
    QCOMPARE(fallbackType(GgmlType::Q8_0, 64), GgmlType::Q8_0);
  }

  // The generated file holds what was planned, and "all matrices of type T" leaves norms F32.
  void generatedFileHoldsThePlan() {
    GeneratedLlamaShape shape;
    shape.layers = 1;
    shape.vocab = 260;
    const TensorTypePlan plan = TensorTypePlan::allMatrices(GgmlType::IQ4_XS);
    const GgufFile file(generatedLlamaBytes(shape, plan, 2), QStringLiteral("generated.gguf"));
    const std::vector<PlannedTensor> planned = llamaTensors(shape, plan);
    QCOMPARE(file.tensors().size(), planned.size());
    for (size_t i = 0; i < planned.size(); ++i) {
      QCOMPARE(file.tensors()[i].name, planned[i].name);
      QCOMPARE(file.tensors()[i].type, planned[i].type);
      QCOMPARE(file.tensors()[i].shape, planned[i].shape);
    }
    const std::map<QString, int> expected{{QStringLiteral("F32"), 3}, {QStringLiteral("IQ4_XS"), 9}};
    QCOMPARE(tensorTypeCounts(file), expected);
    QCOMPARE(file.string(QStringLiteral("general.architecture")), QStringLiteral("llama"));
  }
};

QTEST_GUILESS_MAIN(TestQuantMix)
#include "test_quant_mix.moc"
