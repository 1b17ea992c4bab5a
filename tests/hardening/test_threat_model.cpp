// The threat model of docs/limits.md, class by class, with what a catalogue row cannot express:
// process substitution and /dev/stdin, concurrent writers, signals during a write, a checkpoint
// holding NaN, defaults per model. Not the rows of tests/data/bad_inputs (test_bad_inputs).
#include "BadGguf.h"
#include "TestSupport.h"
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

namespace {

constexpr int kCancelled = 130;  // 128 + SIGINT: docs/design.md, "One way to fail"

QString tinyGgufPath() {
  return test::sourceDir() + QStringLiteral("/tests/fuzz/corpus/gguf/tiny_llama.gguf");
}

void writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  QCOMPARE(file.write(bytes), qint64(bytes.size()));
}

QByteArray llama2Config() {
  QFile file(test::testDataPath(QStringLiteral("bad_inputs/catalogue.json")));
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QJsonObject base =
      QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("bases")).toObject();
  return QJsonDocument(base.value(QStringLiteral("llama2")).toObject()).toJson();
}

// Runs a bash command line (for process substitution) with the sinkscope binary as $S.
test::CliResult runShell(const QString& script, int timeoutMs = 60000) {
  QProcess process;
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  environment.insert(QStringLiteral("S"), test::cliPath());
  process.setProcessEnvironment(environment);
  process.start(QStringLiteral("/bin/bash"), {QStringLiteral("-c"), script});
  return test::finishProcess(process, timeoutMs, test::StandardInput::LeftOpen);
}

QStringList hiddenOrTemporary(const QString& folder) {
  return QDir(folder).entryList({QStringLiteral(".*")}, QDir::Files | QDir::Hidden | QDir::System);
}

// Overwrites the first float of the fixture's first F32 tensor (a norm weight) with value.
void poisonFirstFloatTensor(const QString& path, float value) {
  qint64 offset = -1;
  {
    const GgufFile gguf(path);
    for (const GgufTensorInfo& info : gguf.tensors())
      if (info.type == GgmlType::F32 && offset < 0) offset = qint64(info.fileOffset);
    QVERIFY2(offset >= 0, "the fixture has no F32 tensor");
  }
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadWrite));
  QVERIFY(file.seek(offset));
  QCOMPARE(file.write(reinterpret_cast<const char*>(&value), sizeof value), qint64(sizeof value));
}

}  // namespace

class TestThreatModel : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (!QFileInfo::exists(QStringLiteral("/bin/bash"))) QSKIP("needs /bin/bash for process substitution");
  }

  // ---- Hangs on non-regular files ----

  // A pipe is read once: the GGUF sniff keeps its bytes for the parser.
  void pipesAreSniffedWithoutConsumingThem() {
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("config.json")), llama2Config());
    writeFile(dir.filePath(QStringLiteral("model.gguf")),
              test::badGgufFixture(QStringLiteral("llama_valid")));
    writeFile(dir.filePath(QStringLiteral("ids.txt")), "0 1 2 3");
    const QString d = dir.path();
    const QStringList scripts{
        QStringLiteral("$S show --model <(cat %1/config.json) --json").arg(d),
        QStringLiteral("$S show --model <(cat %1/model.gguf) --json").arg(d),
        QStringLiteral("$S show --model /dev/stdin --json < %1/model.gguf").arg(d),
        QStringLiteral(
            "cat %1/config.json | $S plan --model /dev/stdin --hardware h100-sxm-80gb --context 4096 --json")
            .arg(d),
        QStringLiteral("$S measure --gguf <(cat %2) --tokens <(cat %1/ids.txt) --json")
            .arg(d, tinyGgufPath()),
        QStringLiteral("$S measure --gguf %2 --tokens /dev/stdin --json < %1/ids.txt").arg(d, tinyGgufPath()),
    };
    for (const QString& script : scripts) {
      const test::CliResult result = runShell(script);
      QVERIFY2(result.exitCode == 0,
               qPrintable(script + QStringLiteral("\n") + QString::fromUtf8(result.standardError)));
      QVERIFY2(QJsonDocument::fromJson(result.standardOutput).isObject(), qPrintable(script));
    }
  }

  // A pipe whose writer stays open and sends nothing is refused at once, not waited on: by every
  // reader (JSON, GGUF sniff, token and text files); the catalogue's "silent" FIFO rows try each
  // command's file flags. One that sent its first bytes and then stalls gets the idle timeout.
  void silentPipeIsRefused() {
    const QString tiny = tinyGgufPath();
    const QStringList silent{
        QStringLiteral("$S show --model <(sleep 30)"),
        QStringLiteral("$S show --hardware <(sleep 30) --json"),
        QStringLiteral("$S measure --gguf <(sleep 30) --tokens <(echo 0 1 2)"),
        QStringLiteral("$S measure --gguf %1 --tokens <(sleep 30)").arg(tiny),
        QStringLiteral("$S measure --gguf %1 --text <(sleep 30)").arg(tiny),
        QStringLiteral("$S show --model /dev/stdin < <(sleep 30)"),
    };
    for (const QString& script : silent) {
      const test::CliResult result = runShell(script, 25000);
      QVERIFY2(result.exitCode == 3,
               qPrintable(script + QStringLiteral("\n") + QString::fromUtf8(result.standardError)));
      QVERIFY2(result.standardError.contains(
                   ": nothing to read: a pipe, FIFO or device whose writer sent nothing within 250 ms"),
               result.standardError.constData());
    }
    const test::CliResult stalled =
        runShell(QStringLiteral("$S show --model <(printf GGUF; sleep 30)"), 25000);
    QCOMPARE(stalled.exitCode, 3);
    QVERIFY2(stalled.standardError.contains("sent nothing for 5 s after its first bytes"),
             stalled.standardError.constData());
  }

  // The same rule in process, for a named FIFO and an anonymous pipe whose writers send nothing:
  // the sniff and the read both refuse at once, and a later read opens the path afresh.
  void silentStreamsAreRefusedInProcess() {
    QTemporaryDir dir;
    const QString fifo = dir.filePath(QStringLiteral("p.json"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const int fifoWriter = ::open(QFile::encodeName(fifo).constData(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    QVERIFY(fifoWriter >= 0);
    int fds[2];
    QCOMPARE(::pipe(fds), 0);
    const QString pipe = QStringLiteral("/dev/fd/%1").arg(fds[0]);
    for (const QString& path : {fifo, pipe}) {
      for (const bool peek : {true, false}) {
        try {
          peek ? (void)peekInput(path, 4) : (void)readInputBytes(path, 1 << 20);
          QFAIL("a silent stream was read");
        } catch (const Error& error) {
          QCOMPARE(error.exitCode(), 3);
          QVERIFY2(error.describe().startsWith(path + QStringLiteral(": nothing to read")),
                   qPrintable(error.describe()));
        }
      }
    }
    QCOMPARE(::write(fifoWriter, "{}", 2), ssize_t(2));  // sent after the refusal: a new read sees it
    QCOMPARE(peekInput(fifo, 2), QByteArray("{}"));
    ::close(fifoWriter);
    ::close(fds[0]);
    ::close(fds[1]);
  }

  void peekThenReadSeesEveryByte() {
    int fds[2];
    QCOMPARE(::pipe(fds), 0);
    const QByteArray bytes = QByteArray("GGUF") + QByteArray(100000, 'x');
    const QString path = QStringLiteral("/dev/fd/%1").arg(fds[0]);
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(fds[0]);
      qint64 done = 0;
      while (done < bytes.size()) {
        const ssize_t written = ::write(fds[1], bytes.constData() + done, size_t(bytes.size() - done));
        if (written <= 0) ::_exit(1);
        done += written;
      }
      ::_exit(0);
    }
    ::close(fds[1]);
    QCOMPARE(peekInput(path, 4), QByteArray("GGUF"));
    QCOMPARE(readInputBytes(path, 1 << 20), bytes);
    QCOMPARE(readInputBytes(path, 1 << 20), bytes);  // read once, kept
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(fds[0]);
    QVERIFY_THROWS_EXCEPTION(Error, readInputBytes(path, 1000));  // above a smaller limit
  }

  // ---- Amplification: hashed lookups ----

  void everyTensorIsFoundByName() {
    // 20000 one-element tensors: lookups through the index, each finds its own.
    QByteArray file("GGUF");
    const auto raw64 = [](quint64 v) { return QByteArray(reinterpret_cast<const char*>(&v), 8); };
    const auto raw32 = [](quint32 v) { return QByteArray(reinterpret_cast<const char*>(&v), 4); };
    constexpr int kTensors = 20000;
    file += raw32(3) + raw64(kTensors) + raw64(0);
    for (int i = 0; i < kTensors; ++i) {
      const QByteArray name = "t" + QByteArray::number(i);
      file += raw64(quint64(name.size())) + name + raw32(1) + raw64(8) + raw32(0) + raw64(quint64(i) * 32);
    }
    while (file.size() % 32 != 0) file += '\0';
    file += QByteArray(kTensors * 32, '\0');
    const GgufFile gguf(file, QStringLiteral("many.gguf"));
    for (int i = 0; i < kTensors; i += 997) {
      const GgufTensorInfo* info = gguf.findTensor(QStringLiteral("t%1").arg(i));
      QVERIFY(info);
      QCOMPARE(info->name, QStringLiteral("t%1").arg(i));
    }
    QVERIFY(!gguf.findTensor(QStringLiteral("t%1").arg(kTensors)));
  }

  // Special tokens are found by scanning the text once per token (llama.cpp's order), so the work
  // is tokens x text bytes: above 2^33 it is refused before any scan (docs/limits.md, "Files").
  // 20,000 user-defined tokens over a 1 MiB text took 34 s before this bound.
  void specialTokenSearchIsBounded() {
    std::vector<QByteArray> tokens;
    std::vector<int> types;
    for (int i = 0; i < 1024; ++i) {
      tokens.push_back("<u" + QByteArray::number(i) + ">");
      types.push_back(4);  // user-defined: looked for in every text
    }
    const SpecialTokenMatcher matcher(tokens, types);
    const std::vector<TextFragment> fragments = matcher.split("a<u7>b", false);
    QCOMPARE(fragments.size(), size_t(3));
    QCOMPARE(fragments[1].tokenId, 7);
    for (const qsizetype bytes : {kMaxSpecialTokenScanBytes / 1024 + 1, qsizetype(64) << 20}) {
      try {
        matcher.split(QByteArray(bytes, 'x'), false);
        QFAIL("a search above the bound ran");
      } catch (const Error& error) {
        QCOMPARE(error.exitCode(), 3);
        QCOMPARE(error.field(), QStringLiteral("tokenizer.ggml.token_type"));
        QCOMPARE(error.remedyField(), kTokenIdsField);  // core's name; the command line says --tokens
      }
    }
    QCOMPARE(matcher.split(QByteArray(kMaxSpecialTokenScanBytes / 1024 / 1024, 'x'), false).size(),
             size_t(1));
  }

  // A token file is read in place. 16 MiB of "0 " (8 M ids) is refused for its count within a
  // 450 MB address space, where splitting it into a list of parts (544 MB resident) ran out of
  // memory (exit 4). The separators are those of before: ASCII white space and commas.
  void tokenFileCostsItsIds() {
    QCOMPARE(parseTokenIds("1,2\t3\n\n 4,,5\r\x0b"
                           "6\x0c"
                           "7 ",
                           QStringLiteral("t"), 8),
             (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
    for (const QByteArray& bad : {QByteArray(" ,\n"), QByteArray("1 x"), QByteArray("1 8"), QByteArray("-1")})
      QVERIFY_THROWS_EXCEPTION(Error, parseTokenIds(bad, QStringLiteral("t"), 8));
    QTemporaryDir dir;
    QByteArray ids;
    ids.reserve(16 << 20);
    while (ids.size() < (16 << 20) - 2) ids += "0 ";
    writeFile(dir.filePath(QStringLiteral("ids.txt")), ids);
    const QString limit = QStringLiteral("ulimit -v 450000; ");
    const test::CliResult control = runShell(
        limit + QStringLiteral("$S measure --gguf %1 --tokens <(echo 0 1 2 3) --json").arg(tinyGgufPath()));
    if (control.exitCode != 0) QSKIP("a measurement needs more than 450 MB of address space on this machine");
    const test::CliResult result = runShell(
        limit + QStringLiteral("$S measure --gguf %1 --tokens %2/ids.txt").arg(tinyGgufPath(), dir.path()));
    QVERIFY2(result.exitCode == 3, result.standardError.constData());
    QVERIFY2(result.standardError.contains("8388607 tokens exceed the limit of 32768"),
             result.standardError.constData());
  }

  // Element names are made only for an error, and still name the element, nested too.
  void arrayErrorsNameTheElement() {
    const auto raw64 = [](quint64 v) { return QByteArray(reinterpret_cast<const char*>(&v), 8); };
    const auto raw32 = [](quint32 v) { return QByteArray(reinterpret_cast<const char*>(&v), 4); };
    const auto header = [&](const QByteArray& key, const QByteArray& value) {
      return QByteArray("GGUF") + raw32(3) + raw64(0) + raw64(1) + raw64(quint64(key.size())) + key +
             raw32(9) + value;
    };
    // Strings: the third declares more bytes than the file has.
    const QByteArray strings =
        header("s", raw32(8) + raw64(3) + raw64(1) + "x" + raw64(1) + "y" + raw64(1000) + "z");
    // Arrays of bools: the second inner array's third value is 2.
    const QByteArray bools = header("b", raw32(9) + raw64(2) + raw32(7) + raw64(1) + QByteArray(1, '\1') +
                                             raw32(7) + raw64(3) + QByteArray("\0\1\2", 3));
    const std::pair<QByteArray, QString> cases[] = {{strings, QStringLiteral("s[2]")},
                                                    {bools, QStringLiteral("b[1][2]")}};
    for (const auto& [bytes, field] : cases) {
      try {
        const GgufFile gguf(bytes, QStringLiteral("a.gguf"));
        QFAIL("a malformed array was read");
      } catch (const Error& error) {
        QVERIFY2(error.field().startsWith(field), qPrintable(error.describe()));
      }
    }
  }

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

QTEST_GUILESS_MAIN(TestThreatModel)
#include "test_threat_model.moc"
