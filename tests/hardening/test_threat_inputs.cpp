// The threat model of docs/limits.md for what SinkScope reads: non-regular files (pipes, process
// substitution, /dev/stdin) never hang, and lookups and token files cost what their input costs.
// Not the rows of tests/data/bad_inputs (test_bad_inputs), not outputs (test_threat_outputs).
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

class TestThreatInputs : public QObject {
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
};

QTEST_GUILESS_MAIN(TestThreatInputs)
#include "test_threat_inputs.moc"
