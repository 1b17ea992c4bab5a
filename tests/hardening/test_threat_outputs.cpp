// The threat model of docs/limits.md for what SinkScope writes and claims: no false success (NaN,
// empty output, poisoned weights), output integrity under concurrent writers, terminal-safe text
// and defaults that apply per model. Not signals (test_threat_signals), not inputs.
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

class TestThreatOutputs : public QObject {
  Q_OBJECT

 private slots:
  // ---- False success ----

  void nonFiniteJsonIsAnError() {
    const double values[] = {std::nan(""), std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity()};
    for (double value : values) {
      const QJsonObject object{
          {QStringLiteral("a"), QJsonObject{{QStringLiteral("b"), QJsonArray{1.0, value}}}}};
      try {
        requireFiniteNumbers(object, QStringLiteral("output"));
        QFAIL("a non-finite number passed");
      } catch (const Error& error) {
        QCOMPARE(error.exitCode(), 4);
        QCOMPARE(error.field(), QStringLiteral("a.b[1]"));
      }
    }
    requireFiniteNumbers(QJsonObject{{QStringLiteral("x"), QJsonValue::Null}, {QStringLiteral("y"), 1e308}},
                         QStringLiteral("ok"));
  }

  // Core refuses an existing file in its own terms (the field, no flag); the command line adds
  // its flag (exit 3, "use --force").
  void existingFileIsRefusedInCoreTerms() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("kept.csv"));
    writeFileAtomically(path, QByteArrayLiteral("first"));
    try {
      writeFileAtomically(path, QByteArrayLiteral("second"), ExistingFile::Refuse);
      QFAIL("an existing file was replaced without being asked to");
    } catch (const Error& error) {
      QCOMPARE(error.field(), kExistingFileField);
      QCOMPARE(error.message(), QStringLiteral("already exists"));
    }
    const QStringList args{
        QStringLiteral("chart"),   QStringLiteral("--chart"),    QStringLiteral("memory"),
        QStringLiteral("--model"), QStringLiteral("llama-2-7b"), QStringLiteral("--context"),
        QStringLiteral("4096"),    QStringLiteral("--out"),      path};
    const test::CliResult refused = test::runCli(args);
    QCOMPARE(refused.exitCode, 3);
    QVERIFY2(refused.standardError.contains("already exists (use --force to replace it)"),
             refused.standardError.constData());
    QVERIFY2(!refused.standardError.contains("existing_file"), refused.standardError.constData());
  }

  void emptyOutputIsNeverWritten() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("empty.png"));
    QVERIFY_THROWS_EXCEPTION(Error, writeFileAtomically(path, QByteArray()));
    QVERIFY(!QFileInfo::exists(path));
  }

  // A checkpoint holding NaN or infinity measures to an error naming it, never "mean NLL nan".
  void poisonedWeightsAreAnError() {
    const float values[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()};
    for (float value : values) {
      QTemporaryDir dir;
      const QString gguf = dir.filePath(QStringLiteral("poisoned.gguf"));
      QVERIFY(QFile::copy(tinyGgufPath(), gguf));
      poisonFirstFloatTensor(gguf, value);
      writeFile(dir.filePath(QStringLiteral("ids.txt")), "0 1 2 3 0 1");
      for (const bool json : {false, true}) {
        QStringList args{QStringLiteral("measure"), QStringLiteral("--gguf"), gguf,
                         QStringLiteral("--tokens"), dir.filePath(QStringLiteral("ids.txt"))};
        if (json) args << QStringLiteral("--json");
        const test::CliResult result = test::runCli(args);
        QVERIFY2(result.exitCode == 3, result.standardError.constData());
        QVERIFY(result.standardError.startsWith("error: " + gguf.toUtf8() + ": weights: "));
        QVERIFY(result.standardOutput.isEmpty());
      }
    }
  }

  // ---- Output integrity ----

  // Of several writers of one new file without --force, exactly one succeeds; none leaves a
  // temporary file.
  void concurrentWritersWithoutForce() {
    for (int round = 0; round < 3; ++round) {
      QTemporaryDir dir;
      const QString out = dir.filePath(QStringLiteral("same.csv"));
      std::vector<std::unique_ptr<QProcess>> processes;
      for (int i = 0; i < 4; ++i) {
        auto process = std::make_unique<QProcess>();
        process->start(test::cliPath(),
                       {QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("memory"),
                        QStringLiteral("--model"), QStringLiteral("llama-2-7b"), QStringLiteral("--context"),
                        QStringLiteral("%1").arg(4096 * (i + 1)), QStringLiteral("--out"), out});
        processes.push_back(std::move(process));
      }
      int succeeded = 0;
      QByteArray winner;
      for (int i = 0; i < 4; ++i) {
        QVERIFY(processes[size_t(i)]->waitForFinished(120000));
        const int code = processes[size_t(i)]->exitCode();
        const QByteArray error = processes[size_t(i)]->readAllStandardError();
        if (code == 0) {
          ++succeeded;
        } else {
          QCOMPARE(code, 3);
          QVERIFY2(error.contains("already exists"), error.constData());
        }
      }
      QCOMPARE(succeeded, 1);
      QFile file(out);
      QVERIFY(file.open(QIODevice::ReadOnly));
      QVERIFY(file.size() > 0);
      QVERIFY2(hiddenOrTemporary(dir.path()).isEmpty(),
               qPrintable(hiddenOrTemporary(dir.path()).join(QLatin1Char(' '))));
    }
  }

  void concurrentReportsWithoutForce() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("same.html"));
    const QStringList args{
        QStringLiteral("report"),     QStringLiteral("--model"),       QStringLiteral("llama-2-7b"),
        QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"),
        QStringLiteral("8192"),       QStringLiteral("--out"),         out};
    QProcess first, second;
    first.start(test::cliPath(), args);
    second.start(test::cliPath(), args);
    QVERIFY(first.waitForFinished(180000));
    QVERIFY(second.waitForFinished(180000));
    QCOMPARE(QList<int>({first.exitCode(), second.exitCode()}).count(0), 1);
    QCOMPARE(first.exitCode() + second.exitCode(), 3);
    QVERIFY(hiddenOrTemporary(dir.path()).isEmpty());
  }

  // A hard link to an input is the input (same device and inode): never replaced.
  void outputNeverReplacesAnInput() {
    QTemporaryDir dir;
    const QString config = dir.filePath(QStringLiteral("config.json"));
    writeFile(config, llama2Config());
    const QString alias = dir.filePath(QStringLiteral("alias.csv"));
    QCOMPARE(::link(QFile::encodeName(config).constData(), QFile::encodeName(alias).constData()), 0);
    const test::CliResult result =
        test::runCli({QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("memory"),
                      QStringLiteral("--model"), config, QStringLiteral("--context"), QStringLiteral("4096"),
                      QStringLiteral("--out"), alias, QStringLiteral("--force")});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.standardError.contains("never replaces an input"), result.standardError.constData());
    QFile file(config);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), llama2Config());
  }

  // ---- Terminal safety ----

  void controlCharactersAreEscaped() {
    QCOMPARE(
        escapeControlCharacters(QStringLiteral("a\u001b[31m") + QChar(0) + QStringLiteral("b\u009b\u007f")),
        QStringLiteral("a\\x1b[31m\\x00b\\u{009b}\\x7f"));
    QCOMPARE(escapeControlCharacters(QStringLiteral("one\ntwo\tthree\r")),
             QStringLiteral("one\\x0atwo\\x09three\\x0d"));
    QCOMPARE(escapeControlCharacters(QStringLiteral("one\ntwo\tthree\r"), true),
             QStringLiteral("one\ntwo\tthree\\x0d"));
    QCOMPARE(escapeControlCharacters(QStringLiteral("Grüße, 模型")), QStringLiteral("Grüße, 模型"));
    const Error error(ErrorKind::BadInput, QStringLiteral("a\u001bb"), QStringLiteral("f\nx"),
                      QStringLiteral("m"));
    QCOMPARE(error.describe(), QStringLiteral("a\\x1bb: f\\x0ax: m"));
  }

  // ---- Defaults that fail ----

  void reportDefaultsApplyToTheModel() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("mpt.json"));
    const test::CliResult result =
        test::runCli({QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("mpt-7b"),
                      QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"),
                      QStringLiteral("--context"), QStringLiteral("8192"), QStringLiteral("--out"), out});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray json = file.readAll();
    QVERIFY(json.contains("\"streaming\""));
    QVERIFY(!json.contains("\"ntk\""));
    // Named explicitly, a mitigation that does not apply is still refused.
    const test::CliResult named = test::runCli(
        {QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("mpt-7b"),
         QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"),
         QStringLiteral("8192"), QStringLiteral("--mitigations"), QStringLiteral("baseline,ntk"),
         QStringLiteral("--out"), dir.filePath(QStringLiteral("x.json"))});
    QCOMPARE(named.exitCode, 3);
    QVERIFY(named.standardError.contains("'ntk' does not apply"));
  }
};

QTEST_GUILESS_MAIN(TestThreatOutputs)
#include "test_threat_outputs.moc"
