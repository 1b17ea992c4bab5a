// The background-work controller: results arrive on the GUI thread, a newer request on a
// channel supersedes the older one, Cancel stops work, failures are reported.
#include "UiTestSupport.h"
#include "common/Error.h"
#include "compute/ComputeController.h"
#include "inference/Tokenizer.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {
// Busy-waits up to maxMs in small steps, stopping early when cancelled; returns whether it was.
bool slowWork(const JobContext& context, int maxMs) {
  for (int waited = 0; waited < maxMs; waited += 5) {
    if (context.isCancelled()) return true;
    context.setProgress(double(waited) / maxMs);
    QThread::msleep(5);
  }
  return false;
}
}  // namespace

class TestUiCompute : public QObject {
  Q_OBJECT
 private slots:
  void resultArrivesOnTheGuiThread() {
    ComputeController controller;
    QObject receiver;
    QThread* deliveredOn = nullptr;
    QThread* workedOn = nullptr;
    int value = 0;
    controller.submit<int>(
        QStringLiteral("a"), QStringLiteral("answer"), &receiver,
        [&workedOn](const JobContext&) {
          workedOn = QThread::currentThread();
          return 42;
        },
        [&](const int& result) {
          value = result;
          deliveredOn = QThread::currentThread();
        });
    QVERIFY(controller.isBusy());
    QTRY_COMPARE(value, 42);
    QCOMPARE(deliveredOn, QThread::currentThread());
    QVERIFY(workedOn != QThread::currentThread());
    QVERIFY(!controller.isBusy());
  }

  void newerRequestSupersedesOlder() {
    ComputeController controller;
    QObject receiver;
    QList<int> delivered;
    std::atomic<bool> firstSawCancel{false}, firstStarted{false};
    controller.submit<int>(
        QStringLiteral("view"), QStringLiteral("first"), &receiver,
        [&](const JobContext& context) {
          firstStarted = true;
          firstSawCancel = slowWork(context, 3000);
          return 1;
        },
        [&](const int& result) { delivered << result; });
    QTRY_VERIFY(firstStarted.load());
    controller.submit<int>(
        QStringLiteral("view"), QStringLiteral("second"), &receiver, [](const JobContext&) { return 2; },
        [&](const int& result) { delivered << result; });
    QTRY_COMPARE(delivered, QList<int>{2});
    QTRY_VERIFY(firstSawCancel.load());
    QTest::qWait(50);  // a negative check: give a wrongly queued delivery the chance to arrive
    QCOMPARE(delivered, QList<int>{2});
  }

  void otherChannelsAreIndependent() {
    ComputeController controller;
    QObject receiver;
    QStringList delivered;
    for (const QString& channel : {QStringLiteral("x"), QStringLiteral("y")})
      controller.submit<QString>(
          channel, channel, &receiver, [channel](const JobContext&) { return channel; },
          [&](const QString& result) { delivered << result; });
    QTRY_COMPARE(delivered.size(), 2);
  }

  void cancelStopsTheWorkAndDeliversNothing() {
    ComputeController controller;
    QObject receiver;
    QSignalSpy cancelled(&controller, &ComputeController::jobCancelled);
    QSignalSpy busy(&controller, &ComputeController::busyChanged);
    std::atomic<bool> sawCancel{false}, started{false};
    bool delivered = false;
    controller.submit<int>(
        QStringLiteral("slow"), QStringLiteral("slow"), &receiver,
        [&](const JobContext& context) {
          started = true;
          sawCancel = slowWork(context, 5000);
          return 0;
        },
        [&](const int&) { delivered = true; });
    QTRY_VERIFY(started.load());
    QVERIFY(controller.progressPermille() >= 0);
    controller.cancelAll();
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!controller.isBusy());
    QTRY_VERIFY(sawCancel.load());
    QTest::qWait(30);  // a negative check: give a wrongly queued delivery the chance to arrive
    QVERIFY(!delivered);
    QCOMPARE(busy.count(), 2);  // busy, then idle
  }

  void failureIsReportedWithTheErrorText() {
    ComputeController controller;
    QObject receiver;
    QSignalSpy failed(&controller, &ComputeController::jobFailed);
    controller.submit<int>(
        QStringLiteral("bad"), QStringLiteral("bad"), &receiver,
        [](const JobContext&) -> int {
          throwBadInput(QStringLiteral("model.gguf"), QStringLiteral("n_head"), QStringLiteral("missing"));
        },
        [](const int&) {});
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("model.gguf: n_head: missing"));
  }

  // A core remedy names core's field (token_ids); the window words it its own way: the window has
  // no token-id input, so it points at the command line that has one.
  void failureWordsACoreRemedyTheWindowsWay() {
    ComputeController controller;
    QObject receiver;
    QSignalSpy failed(&controller, &ComputeController::jobFailed);
    controller.submit<int>(
        QStringLiteral("bad"), QStringLiteral("bad"), &receiver,
        [](const JobContext&) -> int {
          throw Error(ErrorKind::BadInput, QStringLiteral("m.gguf"), QStringLiteral("tokenizer.ggml.model"),
                      QStringLiteral("'bert' is not supported"))
              .withRemedy(kMeasureTokenIdsRemedy, kTokenIdsField);
        },
        [](const int&) {});
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(
        failed.at(0).at(1).toString(),
        QStringLiteral("m.gguf: tokenizer.ggml.model: 'bert' is not supported; measure pre-tokenised ids "
                       "(with sinkscope measure --tokens) instead"));
  }

  void deadReceiverGetsNothing() {
    ComputeController controller;
    auto* receiver = new QObject;
    bool delivered = false;
    controller.submit<int>(
        QStringLiteral("gone"), QStringLiteral("gone"), receiver,
        [](const JobContext&) {
          QThread::msleep(30);
          return 1;
        },
        [&](const int&) { delivered = true; });
    delete receiver;
    QTRY_VERIFY(!controller.isBusy());
    QVERIFY(!delivered);
  }
};

QTEST_MAIN(TestUiCompute)
#include "test_ui_compute.moc"
