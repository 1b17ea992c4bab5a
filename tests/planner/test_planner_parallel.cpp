// Several GPUs: the layout vLLM would run, KV per GPU for GQA, MQA and MLA models against vLLM's
// cache sizing worked out here, weights and memory sums, communication in the roofline, and the
// "what would fit" advice. Expected numbers are computed in the test from the formulas cited.
#include "PlannerFixtures.h"
#include "catalog/Catalog.h"
#include "common/Error.h"
#include "planner/FitAdvice.h"
#include "planner/Parallelism.h"
#include "planner/Plan.h"
#include "planner/PlanJson.h"
#include "planner/PlannerResources.h"

#include <QJsonArray>
#include <QtTest>

using namespace sinkscope;

namespace {

// bigcode/starcoder config.json: gpt_bigcode, n_layer 40, n_embd 6144, n_head 48, multi_query true
// (one K/V head), n_inner 24576 (plain MLP), vocab 49152, n_positions 8192.
ModelSpec starcoderMqa() {
  ModelSpec m;
  m.id = QStringLiteral("starcoder-like");
  m.layers = 40;
  m.hiddenSize = 6144;
  m.intermediateSize = 24576;
  m.gatedFfn = false;
  m.heads = 48;
  m.kvHeads = 1;
  m.headDim = 128;
  m.vocabSize = 49152;
  m.attentionKind = AttentionKind::Mqa;
  m.ropeTheta = 10000;
  m.maxPositionEmbeddings = 8192;
  m.trainedContext = 8192;
  return m;
}

// Every plan here is asked for the model as shipped: these tests are about the arithmetic of one
// setting, not about which setting the planner would choose (docs/planner.md).
PlanRequest request(qint64 context, int gpusPerNode, int nodes = 1) {
  PlanRequest r;
  r.mitigation = Mitigation::Baseline;
  r.contextTokens = context;
  r.kvDtype = QStringLiteral("fp16");
  r.parallel.gpusPerNode = gpusPerNode;
  r.parallel.nodes = nodes;
  return r;
}

PlanRequest explicitLayout(qint64 context, int tp, int pp) {
  PlanRequest r;
  r.mitigation = Mitigation::Baseline;
  r.contextTokens = context;
  r.kvDtype = QStringLiteral("fp16");
  r.parallel.tensorParallel = tp;
  r.parallel.pipelineParallel = pp;
  return r;
}

const HardwareSpec& catalogueHardware(const QString& id) {
  const HardwareSpec* hardware = Catalog::builtin().findHardware(id);
  if (!hardware) qFatal("hardware profile missing from the catalogue");
  return *hardware;
}

const ModelSpec& catalogueModel(const QString& id) {
  const ModelSpec* model = Catalog::builtin().findModel(id);
  if (!model) qFatal("model missing from the catalogue");
  return *model;
}

}  // namespace

class TestPlannerParallel : public QObject {
  Q_OBJECT
 private slots:
  // vLLM's distributed-serving guide: tensor parallelism over the GPUs of a node, pipeline over nodes.
  void layoutDefaultsFollowVllmGuide() {
    ParallelLayout layout;
    QVERIFY(
        !resolveParallelLayout(test::llama31_8b(), {8, std::nullopt, std::nullopt, std::nullopt}, layout));
    QCOMPARE(layout.tensorParallel, 8);
    QCOMPARE(layout.pipelineParallel, 1);
    QVERIFY(!resolveParallelLayout(test::llama31_8b(), {8, 2, std::nullopt, std::nullopt}, layout));
    QCOMPARE(layout.gpus(), 16);
    QCOMPARE(layout.tensorParallel, 8);
    QCOMPARE(layout.pipelineParallel, 2);
    // --tensor-parallel-size alone: one node of that many GPUs.
    QVERIFY(
        !resolveParallelLayout(test::llama31_8b(), {std::nullopt, std::nullopt, 4, std::nullopt}, layout));
    QCOMPARE(layout.gpus(), 4);
    QCOMPARE(layout.gpusPerNode, 4);
  }

  // Qwen2.5-7B has 28 heads and 4 KV heads: tp 8 does not divide 28, so 8 GPUs default to tp 4 x pp 2.
  void defaultTensorParallelAvoidsSplitsTheModelRefuses() {
    ModelSpec qwen = test::llama31_8b();
    qwen.heads = 28;
    qwen.kvHeads = 4;
    qwen.layers = 28;
    ParallelLayout layout;
    QVERIFY(!resolveParallelLayout(qwen, {8, std::nullopt, std::nullopt, std::nullopt}, layout));
    QCOMPARE(layout.tensorParallel, 4);
    QCOMPARE(layout.pipelineParallel, 2);
    const auto problem = resolveParallelLayout(qwen, {8, std::nullopt, 8, std::nullopt}, layout);
    QVERIFY(problem);
    QCOMPARE(problem->field, QStringLiteral("tensor_parallel_size"));
    QVERIFY(problem->message.contains(QStringLiteral("28 attention heads")));
  }

  void contradictoryLayoutsAreRefused() {
    ParallelLayout layout;
    auto problem = resolveParallelLayout(test::llama31_8b(), {4, std::nullopt, 4, 2}, layout);
    QVERIFY(problem);
    QCOMPARE(problem->field, QStringLiteral("tensor_parallel_size"));
    problem =
        resolveParallelLayout(test::llama31_8b(), {std::nullopt, std::nullopt, 1, 33}, layout);  // 32 layers
    QVERIFY(problem);
    QCOMPARE(problem->field, QStringLiteral("pipeline_parallel_size"));
    problem =
        resolveParallelLayout(test::llama31_8b(), {0, std::nullopt, std::nullopt, std::nullopt}, layout);
    QVERIFY(problem);
    QCOMPARE(problem->field, QStringLiteral("gpus"));
    QVERIFY_THROWS_EXCEPTION(Error, makePlan(test::llama31_8b(), test::gpu80(), explicitLayout(4096, 3, 1)));
  }

  // vLLM get_pp_indices: L // pp layers per stage; the remainder goes one each to the stages
  // before the last (partitions[-i] += 1 for i in 2 .. remainder + 1).
  void pipelineStagesSplitLayersAsVllm() {
    auto counts = [](int layers, int pp) {
      std::vector<int> result;
      for (const PipelineStage& stage : pipelineStages(layers, pp)) result.push_back(stage.layerCount);
      return result;
    };
    QCOMPARE(counts(61, 4), (std::vector<int>{15, 15, 16, 15}));  // DeepSeek-V3's 61 layers
    QCOMPARE(counts(32, 3), (std::vector<int>{11, 11, 10}));
    QCOMPARE(counts(80, 8), std::vector<int>(8, 10));
    const auto stages = pipelineStages(61, 4);
    QCOMPARE(stages[2].firstLayer, 30);
    QVERIFY(stages.front().first && !stages.front().last && stages.back().last);
  }

  void kvPerGpuMatchesVllmCacheSizing_data() {
    QTest::addColumn<int>("model");  // 0 GQA Llama-3.1-8B, 1 MQA StarCoder, 2 MLA DeepSeek-V2
    QTest::addColumn<int>("tp");
    QTest::addColumn<int>("pp");
    QTest::addColumn<qint64>("bytesPerTokenPerGpu");
    QTest::addColumn<int>("replicas");
    // vLLM ModelConfig.get_num_kv_heads = max(1, H_kv // tp); the cache of one token on one GPU is
    // layers_on_stage x 2 (K and V) x heads_per_gpu x head_dim x dtype bytes (CacheEngine
    // get_cache_block_size). MLA: get_num_kv_heads = 1, head size kv_lora_rank + qk_rope_head_dim,
    // no V, on every TP rank. Here fp16/bf16: 2 bytes.
    QTest::newRow("GQA 8 KV heads, tp 1") << 0 << 1 << 1 << qint64(32 * 2 * 8 * 128 * 2) << 1;
    QTest::newRow("GQA 8 KV heads, tp 2") << 0 << 2 << 1 << qint64(32 * 2 * 4 * 128 * 2) << 1;
    QTest::newRow("GQA 8 KV heads, tp 8") << 0 << 8 << 1 << qint64(32 * 2 * 1 * 128 * 2) << 1;
    QTest::newRow("GQA 8 KV heads, tp 16: replicated") << 0 << 16 << 1 << qint64(32 * 2 * 1 * 128 * 2) << 2;
    QTest::newRow("GQA tp 4 pp 2") << 0 << 4 << 2 << qint64(16 * 2 * 2 * 128 * 2) << 1;
    QTest::newRow("MQA tp 4: replicated") << 1 << 4 << 1 << qint64(40 * 2 * 1 * 128 * 2) << 4;
    QTest::newRow("MQA tp 4 pp 2") << 1 << 4 << 2 << qint64(20 * 2 * 1 * 128 * 2) << 4;
    QTest::newRow("MLA tp 8: latent on every rank") << 2 << 8 << 1 << qint64(60 * (512 + 64) * 2) << 8;
    QTest::newRow("MLA tp 4 pp 2") << 2 << 4 << 2 << qint64(30 * (512 + 64) * 2) << 4;
  }
  void kvPerGpuMatchesVllmCacheSizing() {
    QFETCH(int, model);
    QFETCH(int, tp);
    QFETCH(int, pp);
    QFETCH(qint64, bytesPerTokenPerGpu);
    QFETCH(int, replicas);
    const ModelSpec spec = model == 0 ? test::llama31_8b() : model == 1 ? starcoderMqa() : test::deepseekV2();
    HardwareSpec device = test::gpu80();
    device.memoryBytes = qint64(1) << 45;  // room for every layout: this test is about the KV cache
    const qint64 context = 32768;
    const Plan plan = makePlan(spec, device, explicitLayout(context, tp, pp));
    QCOMPARE(plan.memory.kvBytesPerToken, bytesPerTokenPerGpu);
    QCOMPARE(plan.memory.kvBytes, bytesPerTokenPerGpu * context);
    QCOMPARE(plan.kvReplicasPerHead, replicas);
    // Summed over every GPU: each stage's tp GPUs hold the same amount.
    QCOMPARE(plan.memoryAllGpus.kvBytes, bytesPerTokenPerGpu * context * tp * pp);
  }

  // Tensor parallelism splits every matrix and keeps one copy of each norm per GPU (vLLM's
  // RMSNorm is not sharded): summed over the GPUs the weights are the single-GPU weights plus
  // (tp - 1) extra copies of the norms.
  void weightsSplitAndNormsReplicate() {
    const ModelSpec llama = test::llama2_7b();
    HardwareSpec device = test::gpu80();
    const Plan one = makePlan(llama, device, explicitLayout(4096, 1, 1));
    const Plan two = makePlan(llama, device, explicitLayout(4096, 2, 1));
    const qint64 norms = 2 * 4096 * 32 + 4096;  // two RMSNorms per layer + the final norm
    QCOMPARE(two.memoryAllGpus.weightsBytes, one.memory.weightsBytes + norms * 2);
    QCOMPARE(two.memory.weightsBytes * 2, two.memoryAllGpus.weightsBytes);
  }

  // DeepSeek-V2 in vLLM: q_a_proj, kv_a_proj_with_mqa and the MoE gate are ReplicatedLinear, the
  // layer norms (including q_a_layernorm, kv_a_layernorm) are not sharded; everything else splits.
  void mlaDownProjectionsAndRoutersReplicate() {
    const ModelSpec deepseek = test::deepseekV2();
    HardwareSpec device = test::gpu80();
    device.memoryBytes = qint64(1) << 45;
    const Plan one = makePlan(deepseek, device, explicitLayout(4096, 1, 1));
    const Plan eight = makePlan(deepseek, device, explicitLayout(4096, 8, 1));
    const qint64 hidden = 5120;
    const qint64 perLayerReplicated = hidden * 1536 + 1536 + hidden * (512 + 64) + 512 + 2 * hidden;
    const qint64 routers = hidden * 160 * 59;  // 59 MoE layers after one dense layer
    const qint64 replicated = perLayerReplicated * 60 + routers + hidden;
    QCOMPARE(eight.memoryAllGpus.weightsBytes, one.memory.weightsBytes + 7 * replicated * 2);
  }

  // The fullest GPU's total is its parts; fits means every GPU fits.
  void perGpuMemorySumsAndFit() {
    const Plan plan = makePlan(test::llama31_8b(), test::gpu80(), request(131072, 4, 2));
    const MemoryBreakdown& m = plan.memory;
    QCOMPARE(m.totalBytes, m.weightsBytes + m.kvBytes + m.activationBytes + m.overheadBytes);
    QCOMPARE(plan.fits, m.totalBytes <= m.capacityBytes);
    QCOMPARE(plan.memoryAllGpus.capacityBytes, m.capacityBytes * 8);
    QCOMPARE(plan.layersPerStage, (std::vector<int>{16, 16}));
    // The fullest GPU holds at least the average of the eight.
    QVERIFY(plan.memory.totalBytes * 8 >= plan.memoryAllGpus.totalBytes);
  }

  // Megatron-LM: two all-reduces per layer of B x hidden x 2 bytes; a ring moves 2 (n - 1) / n of
  // the message per GPU, at the link's per-direction bandwidth times the bandwidth efficiency.
  void tensorParallelCommunicationInRoofline() {
    const HardwareSpec& h100 = catalogueHardware(QStringLiteral("h100-sxm-80gb"));
    QVERIFY(h100.interconnect.intraNode);
    const double link = h100.interconnect.intraNode->bytesPerSecond;
    const double efficiency = plannerResources().bandwidthEfficiency;
    const ModelSpec llama = test::llama2_7b();
    const Plan tp4 = makePlan(llama, h100, explicitLayout(4096, 4, 1));
    const double message = 1 * 4096 * 2.0;  // one token of the batch, hidden 4096, 2 bytes
    const double expected = 2 * 32 * (2.0 * 3 / 4 * message) / (link * efficiency);
    QCOMPARE(tp4.throughput.decodeCommunicationSeconds, expected);
    QVERIFY(!tp4.throughput.tensorParallelLink.isEmpty());
    const Plan one = makePlan(llama, h100, explicitLayout(4096, 1, 1));
    QCOMPARE(one.throughput.decodeCommunicationSeconds, 0.0);
    QVERIFY(tp4.throughput.decodeTokensPerSecond > one.throughput.decodeTokensPerSecond);  // 4x the bandwidth
  }

  // Pipeline stages on different nodes send the hidden states over the inter-node link.
  void pipelineAcrossNodesUsesInterNodeLink() {
    const HardwareSpec& h100 = catalogueHardware(QStringLiteral("h100-sxm-80gb"));
    QVERIFY(h100.interconnect.interNode);
    const Plan plan = makePlan(test::llama31_8b(), h100, request(4096, 8, 2));
    QCOMPARE(plan.throughput.pipelineLink, h100.interconnect.interNode->name);
    const double tpPart =
        2 * 2 * 16 * (2.0 * 7 / 8 * 4096 * 2) /
        (h100.interconnect.intraNode->bytesPerSecond * plannerResources().bandwidthEfficiency);
    const double ppPart =
        4096 * 2.0 / (h100.interconnect.interNode->bytesPerSecond * plannerResources().bandwidthEfficiency);
    QCOMPARE(plan.throughput.decodeCommunicationSeconds, tpPart + ppPart);
  }

  // A profile without a known link still plans memory; throughput says what is missing.
  void missingLinkIsReported() {
    HardwareSpec device = test::gpu80();
    const Plan plan = makePlan(test::llama31_8b(), device, request(4096, 2));
    QVERIFY(plan.throughput.missingHardware.contains(QStringLiteral("interconnect.intra_node bandwidth")));
  }

  // The example: DeepSeek-V2 at 32K on one H100 does not fit; the weights alone (236B x 2
  // bytes = 440 GiB) exceed 72 GiB, so no KV dtype and no shorter context helps, no single
  // catalogue GPU holds them, and more GPUs do: 440 GiB / 8 = 55 GiB leaves room, / 4 = 110 does not.
  void deepseekOnOneH100SaysWhatWouldFit() {
    const HardwareSpec& h100 = catalogueHardware(QStringLiteral("h100-sxm-80gb"));
    const ModelSpec& deepseek = catalogueModel(QStringLiteral("deepseek-v2"));
    PlanRequest r;
    r.mitigation = Mitigation::Baseline;
    r.contextTokens = 32768;
    const Plan plan = makePlan(deepseek, h100, r);
    QVERIFY(!plan.fits);
    QCOMPARE(plan.fitAdvice.options.size(), size_t(4));
    const FitOption& kv = plan.fitAdvice.options[0];
    QCOMPARE(kv.change, FitChange::LowerKvDtype);
    QVERIFY(!kv.works);
    const FitOption& gpus = plan.fitAdvice.options[1];
    QCOMPARE(gpus.change, FitChange::MoreGpus);
    QVERIFY(gpus.works);
    QCOMPARE(gpus.layout->gpus(), 8);
    QVERIFY(plan.fitAdvice.smallest && *plan.fitAdvice.smallest == 1);
    QVERIFY(makePlan(deepseek, h100, request(32768, 8)).fits);
    QVERIFY(!makePlan(deepseek, h100, request(32768, 4)).fits);
    QVERIFY(
        !plan.fitAdvice.options[2].works);  // the largest catalogue GPU, MI325X 256 GiB, is still < 440 GiB
    const FitOption& shorter = plan.fitAdvice.options[3];
    QCOMPARE(shorter.contextTokens, qint64(0));
    QVERIFY2(shorter.summary.contains(QStringLiteral("weights alone")), qPrintable(shorter.summary));
    const QJsonObject json = planToJson(plan);
    QVERIFY(json[QStringLiteral("throughput")].toObject()[QStringLiteral("decode_tokens_per_s")].isNull());
    QCOMPARE(json[QStringLiteral("fit_advice")].toObject()[QStringLiteral("smallest_change")].toString(),
             QStringLiteral("more_gpus"));
  }

  // Llama-3.1-8B at 450K tokens on 72 GiB usable: fp16 KV is 450000 x 131072 B = 59.0 GB, with
  // 16.1 GB of weights over 72 GB; fp8 halves the KV to 29.5 GB and fits.
  void lowerKvDtypeIsTheCheapestChange() {
    PlanRequest r;
    r.mitigation = Mitigation::Baseline;
    r.contextTokens = 450000;
    r.kvDtype = QStringLiteral("fp16");
    const Plan plan = makePlan(test::llama31_8b(), test::gpu80(), r);
    QVERIFY(!plan.fits);
    const FitOption& kv = plan.fitAdvice.options[0];
    QVERIFY(kv.works);
    QCOMPARE(kv.kvDtype, QStringLiteral("fp8"));
    QVERIFY(plan.fitAdvice.smallest && *plan.fitAdvice.smallest == 0);
    r.kvDtype = QStringLiteral("fp8");
    QVERIFY(makePlan(test::llama31_8b(), test::gpu80(), r).fits);
  }

  // The shorter context is the plan's own largest fitting context: it fits, one token more does not.
  void shorterContextIsTheLargestThatFits() {
    PlanRequest r;
    r.mitigation = Mitigation::Baseline;
    r.contextTokens = 4'000'000;
    const Plan plan = makePlan(test::llama31_8b(), test::gpu80(), r);
    const FitOption& shorter = plan.fitAdvice.options[3];
    QVERIFY(shorter.works);
    QCOMPARE(shorter.contextTokens, plan.fit.maxContextTokens);
    r.contextTokens = shorter.contextTokens;
    QVERIFY(makePlan(test::llama31_8b(), test::gpu80(), r).fits);
    r.contextTokens = shorter.contextTokens + 1;
    QVERIFY(!makePlan(test::llama31_8b(), test::gpu80(), r).fits);
  }

  void parallelLaunchFlagsFollowTheLayout() {
    const Plan plan =
        makePlan(test::llama31_8b(), catalogueHardware(QStringLiteral("h100-sxm-80gb")), request(4096, 4, 2));
    const MitigationPlan& row = plan.mitigations.front();
    QVERIFY2(
        row.launchFlags.vllm.contains(QStringLiteral("--tensor-parallel-size 4 --pipeline-parallel-size 2")),
        qPrintable(row.launchFlags.vllm));
    QVERIFY2(row.launchFlags.llamaCpp.contains(QStringLiteral("--split-mode layer --tensor-split 1,1,1,1")),
             qPrintable(row.launchFlags.llamaCpp));
    QVERIFY(row.launchFlags.transformers.contains(QStringLiteral("device_map")));
    const Plan single =
        makePlan(test::llama31_8b(), catalogueHardware(QStringLiteral("h100-sxm-80gb")), request(4096, 1));
    QVERIFY(!single.mitigations.front().launchFlags.vllm.contains(QStringLiteral("parallel")));
  }

  // Every catalogue link is plausible and sourced.
  void catalogueLinksAreSourced() {
    for (const HardwareSpec& hardware : Catalog::builtin().hardware()) {
      if (!hardware.interconnect.intraNode) continue;
      QVERIFY2(!hardware.interconnect.source.isEmpty(), qPrintable(hardware.id));
      QVERIFY(hardware.interconnect.intraNode->bytesPerSecond >= 1e9);
    }
  }
};

QTEST_GUILESS_MAIN(TestPlannerParallel)
#include "test_planner_parallel.moc"
