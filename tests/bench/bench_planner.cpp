// Planner speed: the memory-vs-context curve of 1,000 contexts the UI draws (issue 3: under
// 50 ms), a plan with and without fit advice, against one full makePlan measured in the same run
// as the reference.
#include "catalog/Catalog.h"
#include "planner/Memory.h"
#include "planner/Plan.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace sinkscope;

class BenchPlanner : public QObject {
  Q_OBJECT
 private slots:
  void memoryCurveOf1000Contexts_data() {
    QTest::addColumn<QString>("model");
    QTest::newRow("llama-3.1-8b (full attention)") << QStringLiteral("llama-3.1-8b");
    QTest::newRow("gemma-2-9b (hybrid)") << QStringLiteral("gemma-2-9b");
    QTest::newRow("deepseek-v2 (MLA + MoE)") << QStringLiteral("deepseek-v2");
  }
  void memoryCurveOf1000Contexts() {
    QFETCH(QString, model);
    const ModelSpec spec = resolveModel(model);
    const HardwareSpec hardware = resolveHardware(QStringLiteral("h100-sxm-80gb"));
    PlanRequest request;
    request.contextTokens = 4096;
    const std::vector<qint64> contexts = contextGrid(256, 1 << 20, 1000, true);
    qint64 sink = 0;
    QBENCHMARK {
      const auto curve = memoryCurveFor(spec, hardware, request, contexts);
      sink += curve.back().memory.totalBytes;
    }
    QVERIFY(sink > 0);
  }

  // A plan that does not fit also tries every change that might (fit advice: KV dtypes, GPU counts,
  // larger profiles, the largest context); compare with the same model planned on 8 GPUs, which fits.
  void planWithFitAdvice_data() {
    QTest::addColumn<int>("gpus");
    QTest::newRow("deepseek-v2 32K, 1 GPU (does not fit: advice)") << 1;
    QTest::newRow("deepseek-v2 32K, 8 GPUs (fits)") << 8;
  }
  void planWithFitAdvice() {
    QFETCH(int, gpus);
    const ModelSpec spec = resolveModel(QStringLiteral("deepseek-v2"));
    const HardwareSpec hardware = resolveHardware(QStringLiteral("h100-sxm-80gb"));
    PlanRequest request;
    request.contextTokens = 32768;
    request.parallel.gpusPerNode = gpus;
    double sink = 0;
    QBENCHMARK {
      sink += makePlan(spec, hardware, request).confidence.value;
    }
    QVERIFY(sink > 0);
  }

  void referenceOneFullPlan() {
    const ModelSpec spec = resolveModel(QStringLiteral("llama-3.1-8b"));
    const HardwareSpec hardware = resolveHardware(QStringLiteral("h100-sxm-80gb"));
    PlanRequest request;
    request.contextTokens = 32768;
    double sink = 0;
    QBENCHMARK {
      sink += makePlan(spec, hardware, request).confidence.value;
    }
    QVERIFY(sink > 0);
  }
};

QTEST_GUILESS_MAIN(BenchPlanner)
#include "bench_planner.moc"
