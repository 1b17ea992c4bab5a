// The bad-input catalogue (tests/data/bad_inputs/catalogue.json): every row is a malformed
// input to a command or an import path, with the exit status and message fragments it must
// produce; no row may crash, print a partial result or leave a file behind. A row may create
// FIFOs and symbolic links, send stdout to a file (/dev/full) and set environment variables.
// Not the parsers' own unit tests, which check each rule's details.
#include "BadGguf.h"
#include "BpeModelFixtures.h"
#include "LocalHubServer.h"
#include "TestSupport.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>
#include <vector>

using namespace sinkscope;

namespace {

QJsonObject loadCatalogue() {
  QFile file(test::testDataPath(QStringLiteral("bad_inputs/catalogue.json")));
  if (!file.open(QIODevice::ReadOnly)) qFatal("cannot open tests/data/bad_inputs/catalogue.json");
  QJsonParseError error;
  const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
  if (error.error != QJsonParseError::NoError) qFatal("catalogue.json: %s", qPrintable(error.errorString()));
  return document.object();
}

// "json" content: a base object from the catalogue's "bases", with "set" keys replaced and
// "remove" keys removed; or the literal "json" value itself.
QByteArray jsonContent(const QJsonObject& spec, const QJsonObject& bases) {
  if (spec.contains(QStringLiteral("json"))) {
    const QJsonValue value = spec.value(QStringLiteral("json"));
    return value.isArray() ? QJsonDocument(value.toArray()).toJson()
                           : QJsonDocument(value.toObject()).toJson();
  }
  QJsonObject object = bases.value(spec.value(QStringLiteral("base")).toString()).toObject();
  if (object.isEmpty())
    qFatal("catalogue.json: unknown base '%s'", qPrintable(spec.value(QStringLiteral("base")).toString()));
  const QJsonObject set = spec.value(QStringLiteral("set")).toObject();
  for (auto it = set.begin(); it != set.end(); ++it) object.insert(it.key(), it.value());
  for (const QJsonValue key : spec.value(QStringLiteral("remove")).toArray()) object.remove(key.toString());
  return QJsonDocument(object).toJson();
}

// Descriptors the runner holds for a row: the writing ends of its silent FIFOs.
class HeldDescriptors {
 public:
  HeldDescriptors() = default;
  ~HeldDescriptors() {
    for (int fd : fds_) ::close(fd);
  }
  HeldDescriptors(const HeldDescriptors&) = delete;
  HeldDescriptors& operator=(const HeldDescriptors&) = delete;
  void hold(int fd) { fds_.push_back(fd); }

 private:
  std::vector<int> fds_;
};

// Creates one file (or directory) of a row inside dir; returns false with a reason on failure.
void createEntry(const QDir& dir, const QString& name, const QJsonObject& spec, const QJsonObject& bases,
                 HeldDescriptors& held) {
  const QString path = dir.filePath(name);
  if (spec.value(QStringLiteral("dir")).toBool()) {
    QVERIFY(QDir().mkpath(path));
    if (spec.value(QStringLiteral("mode")).toString() == QLatin1String("000"))
      QVERIFY(QFile::setPermissions(path, QFileDevice::Permissions()));
    return;
  }
  const QJsonValue fifo = spec.value(QStringLiteral("fifo"));
  if (fifo.toBool() || fifo == QLatin1String("silent")) {  // a named pipe nobody writes to
    QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    if (fifo ==
        QLatin1String("silent")) {  // ... or one whose writer (this runner) holds it open and sends nothing
      const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
      QVERIFY(fd >= 0);
      held.hold(fd);
    }
    return;
  }
  if (spec.contains(QStringLiteral("symlink"))) {  // a symbolic link to the given target (may dangle or loop)
    QVERIFY(QFile::link(
        spec.value(QStringLiteral("symlink")).toString().replace(QStringLiteral("{dir}"), dir.path()), path));
    return;
  }
  QByteArray bytes;
  if (spec.contains(QStringLiteral("text"))) {
    bytes = spec.value(QStringLiteral("text")).toString().toUtf8();
  } else if (spec.contains(QStringLiteral("hex"))) {
    bytes = QByteArray::fromHex(spec.value(QStringLiteral("hex")).toString().toLatin1());
  } else if (spec.contains(QStringLiteral("gguf"))) {
    bytes = test::badGgufFixture(spec.value(QStringLiteral("gguf")).toString());
    QVERIFY2(!bytes.isNull(), qPrintable(QStringLiteral("unknown gguf fixture ") +
                                         spec.value(QStringLiteral("gguf")).toString()));
  } else if (spec.contains(QStringLiteral("bpe_gguf"))) {
    bytes = test::bpeModelFixture(spec.value(QStringLiteral("bpe_gguf")).toString());
    QVERIFY2(!bytes.isNull(), qPrintable(QStringLiteral("unknown bpe_gguf fixture ") +
                                         spec.value(QStringLiteral("bpe_gguf")).toString()));
  } else if (spec.contains(QStringLiteral("copy"))) {  // a file of the repository
    QFile source(test::sourceDir() + QLatin1Char('/') + spec.value(QStringLiteral("copy")).toString());
    QVERIFY2(source.open(QIODevice::ReadOnly), qPrintable(source.fileName()));
    bytes = source.readAll();
  } else if (spec.contains(QStringLiteral("json")) || spec.contains(QStringLiteral("base"))) {
    bytes = jsonContent(spec, bases);
  }
  if (spec.contains(QStringLiteral("truncate_to")))
    bytes.truncate(spec.value(QStringLiteral("truncate_to")).toInt());
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  QCOMPARE(file.write(bytes), qint64(bytes.size()));
  if (spec.contains(QStringLiteral("sparse_size")))
    QVERIFY(file.resize(qint64(spec.value(QStringLiteral("sparse_size")).toDouble())));
  file.close();
  if (spec.value(QStringLiteral("mode")).toString() == QLatin1String("000"))
    QVERIFY(QFile::setPermissions(path, QFileDevice::Permissions()));
}

QStringList substitute(const QJsonArray& values, const QString& dir) {
  QStringList out;
  for (const QJsonValue value : values) out << value.toString().replace(QStringLiteral("{dir}"), dir);
  return out;
}

// In-process runs of an import path, reported like the command line would: exit status and
// "error: ..." on stderr.
test::CliResult runInProcess(const QString& channel, const QStringList& args) {
  test::CliResult result;
  try {
    if (channel == QLatin1String("gguf_reader")) {
      const GgufFile mapped(args.value(0));
      QFile file(args.value(0));
      if (file.open(QIODevice::ReadOnly)) {  // the in-memory entry point must agree with the mapped one
        const GgufFile inMemory(file.readAll(), args.value(0));
        if (inMemory.tensors().size() != mapped.tensors().size())
          qFatal("in-memory and mapped GGUF parses differ");
      }
    } else {
      qFatal("unknown channel %s", qPrintable(channel));
    }
    result.exitCode = 0;
  } catch (const Error& error) {
    result.exitCode = error.exitCode();
    result.standardError = "error: " + error.describe().toUtf8() + '\n';
  }
  return result;
}

// C0 controls other than line break and tab, DEL, and C1 controls (UTF-8 C2 80 to C2 9F).
bool hasControlCharacters(const QByteArray& bytes) {
  for (qsizetype i = 0; i < bytes.size(); ++i) {
    const auto byte = quint8(bytes[i]);
    if ((byte < 0x20 && byte != '\n' && byte != '\t') || byte == 0x7f) return true;
    if (byte == 0xc2 && i + 1 < bytes.size() && quint8(bytes[i + 1]) >= 0x80 && quint8(bytes[i + 1]) < 0xa0)
      return true;
  }
  return false;
}

// A row's "hub": recorded answers by URL path for a LocalHubServer (status, then "json", "text" or
// "safetensors_header" as the body, "headers", "stall"); the command then runs with HF_ENDPOINT
// pointing at it, its caches inside {dir}, no token, no proxy for 127.0.0.1, and a 300 ms timeout. "env" adds
// or (null) removes variables; "{hub}" in a value is the server's address.
std::unique_ptr<test::LocalHubServer> startHub(const QJsonObject& row) {
  if (!row.contains(QStringLiteral("hub"))) return nullptr;
  auto server = std::make_unique<test::LocalHubServer>();
  const QJsonObject answers = row.value(QStringLiteral("hub")).toObject();
  for (auto it = answers.begin(); it != answers.end(); ++it) {
    const QJsonObject spec = it.value().toObject();
    test::RecordedResponse response;
    response.status = spec.value(QStringLiteral("status")).toInt(200);
    response.stall = spec.value(QStringLiteral("stall")).toBool();
    if (spec.contains(QStringLiteral("json")))
      response.body = QJsonDocument(spec.value(QStringLiteral("json")).toObject()).toJson();
    if (spec.contains(QStringLiteral("text")))
      response.body = spec.value(QStringLiteral("text")).toString().toUtf8();
    if (spec.contains(QStringLiteral("safetensors_header")))
      response.body = test::safetensorsPrefix(
          QJsonDocument(spec.value(QStringLiteral("safetensors_header")).toObject()).toJson());
    const QJsonObject headers = spec.value(QStringLiteral("headers")).toObject();
    for (auto header = headers.begin(); header != headers.end(); ++header)
      response.headers.append({header.key().toLatin1(), header.value().toString().toLatin1()});
    server->setResponse(it.key(), response);
  }
  return server;
}

QMap<QString, QString> hubEnvironment(const QJsonObject& row, const QString& dir,
                                      const test::LocalHubServer* server) {
  QMap<QString, QString> environment;
  if (server || row.contains(QStringLiteral("env"))) {
    environment = {{QStringLiteral("XDG_CACHE_HOME"), dir},
                   {QStringLiteral("HF_HOME"), dir + QStringLiteral("/hf-home")},
                   {QStringLiteral("HF_TOKEN"), QString()},
                   {QStringLiteral("HF_TOKEN_PATH"), QString()},
                   {QStringLiteral("HF_HUB_OFFLINE"), QString()},
                   {QStringLiteral("SINKSCOPE_HUB_TIMEOUT_MS"), QStringLiteral("300")},
                   {QStringLiteral("no_proxy"), QStringLiteral("127.0.0.1,localhost")}};
    if (server) environment.insert(QStringLiteral("HF_ENDPOINT"), server->endpoint());
  }
  const QJsonObject extra = row.value(QStringLiteral("env")).toObject();
  for (auto it = extra.begin(); it != extra.end(); ++it)
    environment.insert(it.key(), it.value().isNull()
                                     ? QString()
                                     : it.value().toString().replace(
                                           QStringLiteral("{hub}"), server ? server->endpoint() : QString()));
  return environment;
}

QStringList listing(const QString& path) {
  return QDir(path).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                              QDir::Name);
}

}  // namespace

class TestBadInputs : public QObject {
  Q_OBJECT

 private slots:
  void catalogueCoversEnough() {
    const QJsonArray cases = loadCatalogue().value(QStringLiteral("cases")).toArray();
    QVERIFY2(cases.size() >= 40, qPrintable(QStringLiteral("%1 rows").arg(cases.size())));
    QSet<QString> names;
    for (const QJsonValue row : cases) {
      const QString name = row.toObject().value(QStringLiteral("name")).toString();
      QVERIFY2(!names.contains(name), qPrintable(QStringLiteral("duplicate row name ") + name));
      names.insert(name);
    }
  }

  void row_data() {
    QTest::addColumn<QJsonObject>("row");
    for (const QJsonValue row : loadCatalogue().value(QStringLiteral("cases")).toArray())
      QTest::newRow(qPrintable(row.toObject().value(QStringLiteral("name")).toString())) << row.toObject();
  }

  void row() {
    QFETCH(QJsonObject, row);
    const QJsonObject bases = loadCatalogue().value(QStringLiteral("bases")).toObject();
    if (row.value(QStringLiteral("skip_as_root")).toBool() && ::geteuid() == 0)
      QSKIP("running as root, which reads a chmod 000 file anyway: an unreadable file cannot be made");
    QTemporaryDir temporary;
    QVERIFY(temporary.isValid());
    const QDir dir(temporary.path());
    const QJsonObject files = row.value(QStringLiteral("files")).toObject();
    HeldDescriptors held;
    for (auto it = files.begin(); it != files.end(); ++it) {
      createEntry(dir, it.key(), it.value().toObject(), bases, held);
      if (QTest::currentTestFailed()) return;
    }
    const QStringList before = listing(dir.path());
    const QStringList args = substitute(row.value(QStringLiteral("args")).toArray(), dir.path());
    const QString channel = row.value(QStringLiteral("run")).toString(QStringLiteral("cli"));
    // "stdout": where the command's stdout goes (/dev/full: every write fails).
    const QString standardOutput = row.value(QStringLiteral("stdout")).toString();
    const auto hub = startHub(row);
    const test::CliResult result =
        channel == QLatin1String("cli")
            ? test::runCliWith(args, standardOutput, hubEnvironment(row, dir.path(), hub.get()), 60000)
            : runInProcess(channel, args);
    const QString standardError = QString::fromUtf8(result.standardError);
    const QString context = QStringLiteral("args: %1\nexit: %2\nstderr: %3\nstdout: %4")
                                .arg(args.join(QLatin1Char(' ')))
                                .arg(result.exitCode)
                                .arg(standardError, QString::fromUtf8(result.standardOutput.left(400)));

    QVERIFY2(result.exitCode >= 0, qPrintable(QStringLiteral("crashed or hung\n") + context));
    const int expected = row.value(QStringLiteral("exit")).toInt(-1);
    QVERIFY2(result.exitCode == expected,
             qPrintable(QStringLiteral("expected exit %1\n").arg(expected) + context));
    if (expected != 0) {
      QVERIFY2(standardError.startsWith(QStringLiteral("error: ")), qPrintable(context));
      QVERIFY2(standardError.trimmed().count(QLatin1Char('\n')) == 0,
               qPrintable(QStringLiteral("one line expected\n") + context));
      QVERIFY2(result.standardOutput.isEmpty(),
               qPrintable(QStringLiteral("no partial output expected\n") + context));
    }
    for (const QString& fragment : substitute(row.value(QStringLiteral("stderr")).toArray(), dir.path()))
      QVERIFY2(standardError.contains(fragment),
               qPrintable(QStringLiteral("lacks '%1'\n").arg(fragment) + context));
    for (const QString& fragment : substitute(row.value(QStringLiteral("stdout_has")).toArray(), dir.path()))
      QVERIFY2(QString::fromUtf8(result.standardOutput).contains(fragment),
               qPrintable(QStringLiteral("stdout lacks '%1'\n").arg(fragment) + context));
    // Terminal safety (docs/limits.md): no control character reaches the terminal, whatever a
    // file held; only the line breaks and tabs of the output itself.
    QVERIFY2(!hasControlCharacters(result.standardError),
             qPrintable(QStringLiteral("control character on stderr\n") + context));
    QVERIFY2(!hasControlCharacters(result.standardOutput),
             qPrintable(QStringLiteral("control character on stdout\n") + context));
    // Nothing written on failure: the folder holds exactly what the row created.
    QCOMPARE(listing(dir.path()), before);
    // A folder made unreadable for the row is made readable again so that it can be removed.
    for (auto it = files.begin(); it != files.end(); ++it)
      if (it.value().toObject().value(QStringLiteral("dir")).toBool())
        QFile::setPermissions(dir.filePath(it.key()),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    for (const QString& out : substitute(row.value(QStringLiteral("no_file")).toArray(), dir.path()))
      QVERIFY2(!QFileInfo::exists(out), qPrintable(out + QStringLiteral(" was left behind\n") + context));
  }
};

QTEST_GUILESS_MAIN(TestBadInputs)
#include "test_bad_inputs.moc"
