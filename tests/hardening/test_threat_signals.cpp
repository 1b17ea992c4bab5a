// The threat model of docs/limits.md for Ctrl+C and other signals: a write leaves no temporary
// file, a command leaves nothing partial, cancelled commands end with 130 after closing their
// progress line. Real signals to child processes. Not the other threat classes.
#include "BadGguf.h"
#include "TestSupport.h"
#include "ThreatModelSupport.h"
#include "common/AtomicFile.h"
#include "common/Error.h"
#include "common/InputFile.h"
#include "common/JsonRead.h"
#include "common/SafeText.h"
#include "gguf/GgufFile.h"
#include "inference/SpecialTokens.h"
#include "inference/Tokenizer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <csignal>
#include <cstring>
#include <limits>

using namespace sinkscope;
using namespace sinkscope::test;

class TestThreatSignals : public QObject {
  Q_OBJECT

 private slots:
  // ---- Ctrl+C: SIGINT (and SIGTERM) during a write leave no temporary file ----

  void signalDuringWriteLeavesNoTemporary_data() {
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGINT") << SIGINT;
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGHUP") << SIGHUP;
  }
  void signalDuringWriteLeavesNoTemporary() {
    QFETCH(int, signalNumber);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("out.bin"));
    for (int attempt = 0; attempt < 5; ++attempt) {
      const pid_t child = ::fork();
      if (child == 0) {  // writes 256 MiB, long enough to be interrupted
        try {
          writeFileAtomically(path, QByteArray(256 << 20, 'x'));
        } catch (...) {
          ::_exit(9);
        }
        ::_exit(0);
      }
      // Wait until the temporary file exists, then interrupt.
      bool seen = false;
      for (int i = 0; i < 20000 && !seen; ++i) {
        seen = !hiddenOrTemporary(dir.path()).isEmpty();
        if (!seen) ::usleep(100);
      }
      ::kill(child, signalNumber);
      int status = 0;
      ::waitpid(child, &status, 0);
      QVERIFY2(hiddenOrTemporary(dir.path()).isEmpty(), "a temporary file was left behind");
      if (WIFSIGNALED(status)) {
        QCOMPARE(WTERMSIG(status), signalNumber);  // ends by the signal, as without the handler
        QVERIFY(!QFileInfo::exists(path));
        return;
      }
      QFile::remove(path);  // the write finished first: try again
    }
    QSKIP("the write always finished before the signal arrived");
  }

  // Ctrl+C at any moment of a command: it ends, leaving either nothing or the complete file.
  void interruptedCommandLeavesNoPartialFile() {
    for (const int delayMs : {50, 300, 800, 1500}) {
      QTemporaryDir dir;
      const QString out = dir.filePath(QStringLiteral("r.pdf"));
      QProcess process;
      process.start(test::cliPath(),
                    {QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                     QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"),
                     QStringLiteral("--context"), QStringLiteral("32768"), QStringLiteral("--out"), out});
      QVERIFY(process.waitForStarted());
      QTest::qWait(delayMs);
      if (process.processId() > 0)
        ::kill(pid_t(process.processId()), SIGINT);  // pid 0 would signal this test's own group
      QVERIFY(process.state() == QProcess::NotRunning ||
              process.waitForFinished(120000));  // it may be done already
      QVERIFY(hiddenOrTemporary(dir.path()).isEmpty());
      if (process.exitStatus() == QProcess::CrashExit || process.exitCode() == 130) {  // killed, or cancelled
        QVERIFY(!QFileInfo::exists(out));  // (exit 130: docs/design.md, "One way to fail")
      } else {
        QCOMPARE(process.exitCode(), 0);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().trimmed().endsWith("%%EOF"));
      }
    }
  }

  // A probe of minutes (10M tokens, docs/limits.md) ends at Ctrl+C with exit 130, printing
  // nothing partial (before its progress starts, the signal ends it as it ends any program).
  void interruptedProbeEnds() {
    QProcess process;
    process.start(test::cliPath(),
                  {QStringLiteral("probe"), QStringLiteral("--model"), QStringLiteral("llama-2-7b"),
                   QStringLiteral("--context"), QStringLiteral("10M"), QStringLiteral("--json")});
    QVERIFY(process.waitForStarted());
    QTest::qWait(500);
    if (process.processId() > 0)
      ::kill(pid_t(process.processId()), SIGINT);  // pid 0 would signal this test's own group
    QVERIFY2(process.waitForFinished(30000), "the probe kept running after SIGINT");
    QVERIFY(process.exitStatus() == QProcess::CrashExit || process.exitCode() == 130);
    QVERIFY(process.readAllStandardOutput().isEmpty());
  }

  // A chart whose modelled probe takes minutes (a heatmap at 10M tokens) stops at Ctrl+C: exit 130
  // with one line, no image. Before its handler is installed the signal ends it as it ends any
  // program, so the wait grows until the cancellation itself is seen.
  void interruptedChartEndsWithoutAnImage() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("heatmap.png"));
    bool cancelled = false;
    for (const int delayMs : {800, 1600, 3200, 6400, 12800}) {
      QProcess process;
      process.start(test::cliPath(),
                    {QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("heatmap"),
                     QStringLiteral("--model"), QStringLiteral("llama-2-7b"), QStringLiteral("--hardware"),
                     QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"), QStringLiteral("10M"),
                     QStringLiteral("--out"), out});
      QVERIFY(process.waitForStarted());
      QTest::qWait(delayMs);
      if (process.processId() > 0)
        ::kill(pid_t(process.processId()), SIGINT);  // pid 0 would signal this test's own group
      QVERIFY2(process.waitForFinished(30000), "the chart kept running after SIGINT");
      QVERIFY(hiddenOrTemporary(dir.path()).isEmpty());
      QVERIFY(!QFileInfo::exists(out));
      if (process.exitStatus() == QProcess::CrashExit) continue;  // interrupted before the handler
      QCOMPARE(process.exitCode(), kCancelled);
      QCOMPARE(process.readAllStandardError(), QByteArray("sinkscope: cancelled\n"));
      cancelled = true;
      break;
    }
    QVERIFY2(cancelled, "every SIGINT arrived before the chart could stop on request");
  }

  // Ctrl+C while a long command draws its progress line (docs/limits.md, "Threat model"): the line
  // is closed (a line break) before "sinkscope: cancelled", the exit status is 130, and nothing is
  // printed or written: no output file, no temporary file. A real SIGINT to a child process.
  void interruptClosesTheProgressLine_data() {
    QTest::addColumn<QStringList>("args");
    const QString llama = QStringLiteral("llama-2-7b");
    QTest::newRow("probe json") << QStringList{
        QStringLiteral("probe"),     QStringLiteral("--model"), llama,
        QStringLiteral("--context"), QStringLiteral("10M"),     QStringLiteral("--json")};
    QTest::newRow("probe text") << QStringList{
        QStringLiteral("probe"),     QStringLiteral("--model"), llama,
        QStringLiteral("--context"), QStringLiteral("10M"),     QStringLiteral("--contexts"),
        QStringLiteral("4M,8M,10M")};
    QTest::newRow("measure") << QStringList{QStringLiteral("measure"),       QStringLiteral("--gguf"),
                                            QStringLiteral("{tiny}"),        QStringLiteral("--tokens"),
                                            QStringLiteral("{dir}/ids.txt"), QStringLiteral("--json")};
    QTest::newRow("report pdf") << QStringList{
        QStringLiteral("report"),     QStringLiteral("--model"),       llama,
        QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"),
        QStringLiteral("10M"),        QStringLiteral("--out"),         QStringLiteral("{dir}/r.pdf")};
    QTest::newRow("report measured json") << QStringList{
        QStringLiteral("report"),     QStringLiteral("--model"),       llama,
        QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"),
        QStringLiteral("8192"),       QStringLiteral("--gguf"),        QStringLiteral("{tiny}"),
        QStringLiteral("--out"),      QStringLiteral("{dir}/r.json")};
  }
  void interruptClosesTheProgressLine() {
    QFETCH(QStringList, args);
    QTemporaryDir dir;
    QByteArray ids;  // the longest measured run (32768 tokens): seconds of work to interrupt
    for (int i = 0; i < 32768; ++i) ids += QByteArray::number(i % 4) + ' ';
    writeFile(dir.filePath(QStringLiteral("ids.txt")), ids);
    for (QString& arg : args)
      arg.replace(QStringLiteral("{dir}"), dir.path()).replace(QStringLiteral("{tiny}"), tinyGgufPath());
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SINKSCOPE_PROGRESS"), QStringLiteral("1"));  // as on a terminal
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(environment);
    process.setReadChannel(QProcess::StandardError);
    process.start(test::cliPath(), args);
    QVERIFY(process.waitForStarted());
    const QByteArray drawn = "\r" + args.first().toUtf8() + ": ";
    QByteArray error;
    const QDeadlineTimer hangGuard(120000);
    while (!error.contains(drawn) && process.state() == QProcess::Running && !hangGuard.hasExpired()) {
      process.waitForReadyRead(200);
      error += process.readAllStandardError();
    }
    QVERIFY2(error.contains(drawn), error.constData());
    if (process.processId() > 0)
      ::kill(pid_t(process.processId()), SIGINT);  // pid 0 would signal this test's own group
    QVERIFY2(process.waitForFinished(60000), "the command kept running after SIGINT");
    error += process.readAllStandardError();
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QVERIFY2(process.exitCode() == kCancelled, error.constData());
    const QByteArray message = "sinkscope: cancelled\n";
    QVERIFY2(error.endsWith("\n" + message), error.constData());
    // The first line break after the last redraw is the one that closes the progress line.
    QCOMPARE(error.indexOf('\n', error.lastIndexOf('\r')), error.size() - message.size() - 1);
    QVERIFY(process.readAllStandardOutput().isEmpty());
    QVERIFY2(
        QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System) ==
            QStringList{QStringLiteral("ids.txt")},
        qPrintable(
            QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System).join(QLatin1Char(' '))));
  }
};

QTEST_GUILESS_MAIN(TestThreatSignals)
#include "test_threat_signals.moc"
