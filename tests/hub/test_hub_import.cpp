// Opening models by Hugging Face id against a LocalHubServer on 127.0.0.1 (never the internet):
// config.json, the sharded index and range-read headers, the cache, offline use, the Hub's
// error answers, a stalled connection, and the command line end to end.
#include "HubFetch.h"
#include "HubImport.h"
#include "HubSettings.h"
#include "LocalHubServer.h"
#include "TestSupport.h"
#include "catalog/Catalog.h"
#include "common/Error.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope;
using namespace sinkscope::hub;
using sinkscope::test::LocalHubServer;
using sinkscope::test::RecordedResponse;

namespace {

const QString kRepo = QStringLiteral("Qwen/Qwen2.5-7B-Instruct");

QByteArray recordedConfig() {  // the model's own config.json (tests/data/hf/README.md)
  QFile file(test::testDataPath(QStringLiteral("hf/qwen2.5-7b.config.json")));
  if (!file.open(QIODevice::ReadOnly)) qFatal("tests/data/hf/qwen2.5-7b.config.json is missing");
  return file.readAll();
}

QString resolvePath(const QString& file, const QString& revision = QStringLiteral("main")) {
  return QStringLiteral("/%1/resolve/%2/%3").arg(kRepo, revision, file);
}

// A shard: one BF16 matrix rows x cols, plus padding in __metadata__ so the header can be made
// longer than the first range request reads. The file is the header and zeroed data.
QByteArray shardFile(const QString& tensor, qint64 rows, qint64 cols, qint64 padding = 0) {
  const qint64 bytes = rows * cols * 2;
  const QByteArray header =
      QStringLiteral(
          R"({"__metadata__": {"format": "pt", "pad": "%1"}, "%2": {"dtype": "BF16", "shape": [%3, %4], "data_offsets": [0, %5]}})")
          .arg(QString(padding, QLatin1Char('x')), tensor)
          .arg(rows)
          .arg(cols)
          .arg(bytes)
          .toUtf8();
  return test::safetensorsPrefix(header) + QByteArray(64, '\0');  // the data itself is never read
}

HubSettings settingsFor(const LocalHubServer& server, const QTemporaryDir& cache) {
  HubSettings settings;
  settings.endpoint = server.endpoint();
  settings.cacheRoot = cache.path() + QStringLiteral("/sinkscope/hub");
  settings.timeoutMs = 2000;
  return settings;
}

HubId qwen() {
  return *parseHubId(kRepo);
}

QStringList filesUnder(const QString& root) {
  QStringList files;
  QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
  while (it.hasNext()) files << it.next().mid(root.size());
  files.sort();
  return files;
}

void expectBadInput(const std::function<void()>& body, const QStringList& fragments) {
  try {
    body();
  } catch (const Error& error) {
    QCOMPARE(error.kind(), ErrorKind::BadInput);
    for (const QString& fragment : fragments)
      QVERIFY2(error.describe().contains(fragment),
               qPrintable(error.describe() + QStringLiteral("  <- lacks: ") + fragment));
    QVERIFY2(!error.describe().contains(QLatin1Char('\n')), "one line");
    return;
  }
  QFAIL(qPrintable(QStringLiteral("no error; expected ") + fragments.join(QStringLiteral(", "))));
}

}  // namespace

class TestHubImport : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    qputenv("no_proxy", "127.0.0.1,localhost");
  }  // a proxy in the environment must not see the stand-in

  void shardedIndexGivesTheExactCountAndTheSecondOpenMakesNoRequest() {
    LocalHubServer server;
    server.setResponse(resolvePath(QStringLiteral("config.json")), {200, recordedConfig(), {}, false});
    server.setResponse(resolvePath(QStringLiteral("model.safetensors.index.json")),
                       {200,
                        R"({"metadata": {"total_size": 1344}, "weight_map": {
                                  "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})",
                        {},
                        false});
    server.setResponse(resolvePath(QStringLiteral("model-00001-of-00002.safetensors")),
                       {200, shardFile(QStringLiteral("a"), 16, 10), {}, false});
    // The second shard's header is longer than the first range request (64 KiB): two range reads.
    server.setResponse(resolvePath(QStringLiteral("model-00002-of-00002.safetensors")),
                       {200, shardFile(QStringLiteral("b"), 32, 16, 70'000), {}, false});
    QTemporaryDir cache;
    const HubSettings settings = settingsFor(server, cache);
    const ModelSpec spec = openHubModel(qwen(), settings);
    QCOMPARE(spec.id, kRepo);
    QCOMPARE(spec.hiddenSize,
             qint64(3584));  // the config's own figures (tests/data/hf/qwen2.5-7b.config.json)
    QCOMPARE(spec.layers, 28);
    QVERIFY2(spec.origin.contains(QStringLiteral("Qwen/Qwen2.5-7B-Instruct@main")), qPrintable(spec.origin));
    QVERIFY(spec.checkpointWeights);
    QCOMPARE(spec.checkpointWeights->parameters, qint64(16 * 10 + 32 * 16));  // the shapes served above
    QCOMPARE(spec.checkpointWeights->bytes, qint64(2 * (16 * 10 + 32 * 16)));
    QCOMPARE(spec.checkpointWeights->dtypes, QStringLiteral("BF16"));
    QCOMPARE(spec.publishedParameters, double(16 * 10 + 32 * 16));
    QVERIFY2(spec.checkpointWeights->source.contains(QStringLiteral("2 shards")),
             qPrintable(spec.checkpointWeights->source));
    int ranged = 0;
    for (const auto& request : server.requests()) ranged += request.range.isEmpty() ? 0 : 1;
    QCOMPARE(ranged, 3);  // one for the short header, two for the long one
    const qsizetype before = server.requests().size();
    const ModelSpec again = openHubModel(qwen(), settings);
    QCOMPARE(server.requests().size(), before);  // the cache answered
    QCOMPARE(again.checkpointWeights->parameters, spec.checkpointWeights->parameters);
    QVERIFY2(again.origin.contains(QStringLiteral("cached copy")), qPrintable(again.origin));
    QCOMPARE(filesUnder(settings.cacheRoot),
             (QStringList{QStringLiteral("/Qwen/Qwen2.5-7B-Instruct/main/checkpoint.json"),
                          QStringLiteral("/Qwen/Qwen2.5-7B-Instruct/main/config.json")}));
  }

  void singleFileHeaderByRangeRequest() {
    LocalHubServer server;
    server.setResponse(resolvePath(QStringLiteral("config.json")), {200, recordedConfig(), {}, false});
    server.setResponse(resolvePath(QStringLiteral("model.safetensors")),
                       {200, shardFile(QStringLiteral("w"), 8, 8), {}, false});
    QTemporaryDir cache;
    const ModelSpec spec = openHubModel(qwen(), settingsFor(server, cache));
    QVERIFY(spec.checkpointWeights);
    QCOMPARE(spec.checkpointWeights->parameters, qint64(64));
    QVERIFY(spec.checkpointWeights->source.contains(QStringLiteral("model.safetensors")));
    QCOMPARE(server.requests().last().range, QByteArray("bytes=0-65535"));
  }

  void withoutSafetensorsTheConfigCounts() {
    LocalHubServer server;
    server.setResponse(resolvePath(QStringLiteral("config.json")), {200, recordedConfig(), {}, false});
    QTemporaryDir cache;
    const HubSettings settings = settingsFor(server, cache);
    QVERIFY(!openHubModel(qwen(), settings).checkpointWeights);
    const qsizetype before = server.requests().size();
    QVERIFY(!openHubModel(qwen(), settings).checkpointWeights);  // "no safetensors" is cached too
    QCOMPARE(server.requests().size(), before);
  }

  void redirectsAreFollowedAndTheTokenStaysWithTheEndpoint() {
    LocalHubServer server;
    server.setResponse(resolvePath(QStringLiteral("config.json")),
                       {302, QByteArray(), {{"Location", "/cdn/config.json"}}, false});
    server.setResponse(QStringLiteral("/cdn/config.json"), {200, recordedConfig(), {}, false});
    QTemporaryDir cache;
    HubSettings settings = settingsFor(server, cache);
    settings.token = QStringLiteral("hf_test");
    QCOMPARE(openHubModel(qwen(), settings).layers, 28);
    QCOMPARE(server.requests().at(0).authorization, QByteArray("Bearer hf_test"));
    QCOMPARE(server.requests().at(1).path, QStringLiteral("/cdn/config.json"));
    // A loop is cut off.
    LocalHubServer looping;
    looping.setResponse(
        resolvePath(QStringLiteral("config.json")),
        {302, QByteArray(), {{"Location", resolvePath(QStringLiteral("config.json")).toUtf8()}}, false});
    QTemporaryDir other;
    expectBadInput([&] { openHubModel(qwen(), settingsFor(looping, other)); },
                   {QStringLiteral("more than 10 redirects")});
    QVERIFY(filesUnder(other.path()).isEmpty());
  }

  void revisionsArePercentEncodedAsHuggingfaceHubDoes() {
    LocalHubServer server;
    QTemporaryDir cache;
    server.setResponse(resolvePath(QStringLiteral("config.json"), QStringLiteral("refs/pr/1")),
                       {200, recordedConfig(), {}, false});
    const ModelSpec spec =
        openHubModel(*parseHubId(kRepo + QStringLiteral("@refs/pr/1")), settingsFor(server, cache));
    QCOMPARE(spec.id, kRepo + QStringLiteral("@refs/pr/1"));
    QCOMPARE(server.requests().at(0).target,
             QByteArray("/Qwen/Qwen2.5-7B-Instruct/resolve/refs%2Fpr%2F1/config.json"));
    QVERIFY(QFileInfo::exists(
        cache.path() + QStringLiteral("/sinkscope/hub/Qwen/Qwen2.5-7B-Instruct/refs%2Fpr%2F1/config.json")));
  }

  void gatedNotFoundAndNotAConfigAreOneLineErrorsThatLeaveNoCache() {
    struct Case {
      RecordedResponse response;
      QStringList fragments;
    };
    const QList<Case> cases{
        {{401, "Access to model is restricted", {{"X-Error-Code", "GatedRepo"}}, false},
         {QStringLiteral("gated"), QStringLiteral("accept the licence"), QStringLiteral("HF_TOKEN"),
          QStringLiteral("/Qwen/Qwen2.5-7B-Instruct")}},
        {{403, "Forbidden", {}, false}, {QStringLiteral("HTTP 403"), QStringLiteral("HF_TOKEN")}},
        {{404, "Not found", {}, false}, {QStringLiteral("no such model or revision")}},
        {{401, "Repository not found", {{"X-Error-Code", "RepoNotFound"}}, false},
         {QStringLiteral("no such model"), QStringLiteral("private")}},
        {{404, "Revision not found", {{"X-Error-Code", "RevisionNotFound"}}, false},
         {QStringLiteral("no such revision 'main'")}},
        {{200, "<html>not json</html>", {}, false},
         {QStringLiteral("Qwen/Qwen2.5-7B-Instruct@main: config.json")}},
        {{200, R"({"model_type": "llama"})", {}, false},
         {QStringLiteral("config.json"), QStringLiteral("missing")}},
    };
    for (const Case& c : cases) {
      LocalHubServer server;
      server.setResponse(resolvePath(QStringLiteral("config.json")), c.response);
      QTemporaryDir cache;
      expectBadInput([&] { openHubModel(qwen(), settingsFor(server, cache)); }, c.fragments);
      QVERIFY(filesUnder(cache.path()).isEmpty());
    }
  }

  void anOversizedConfigIsRefused() {
    LocalHubServer server;
    QByteArray big = recordedConfig();
    big.append(QByteArray(kMaxConfigBytes + 1 - big.size(), ' '));  // still valid JSON, one byte over the cap
    server.setResponse(resolvePath(QStringLiteral("config.json")), {200, big, {}, false});
    QTemporaryDir cache;
    expectBadInput([&] { openHubModel(qwen(), settingsFor(server, cache)); },
                   {QStringLiteral("config.json"), QStringLiteral("larger than 4194304 bytes")});
    QVERIFY(filesUnder(cache.path()).isEmpty());
  }

  void aStalledConnectionTimesOut() {
    LocalHubServer server;
    server.setResponse(resolvePath(QStringLiteral("config.json")), {200, QByteArray(), {}, true});
    QTemporaryDir cache;
    HubSettings settings = settingsFor(server, cache);
    settings.timeoutMs = 300;  // SINKSCOPE_HUB_TIMEOUT_MS on the command line
    expectBadInput([&] { openHubModel(qwen(), settings); },
                   {QStringLiteral("no answer"), QStringLiteral("0.3 s")});
    QVERIFY(filesUnder(cache.path()).isEmpty());
  }

  void anInterruptedDownloadLeavesTheOldCopyAsItWas() {
    // An older, incomplete copy (config.json only) is in the cache; the new download stalls on the
    // index after config.json came: the old file keeps its bytes and no temporary file is left.
    LocalHubServer server;
    server.setResponse(resolvePath(QStringLiteral("config.json")), {200, recordedConfig(), {}, false});
    server.setResponse(resolvePath(QStringLiteral("model.safetensors.index.json")),
                       {200, QByteArray(), {}, true});
    QTemporaryDir cache;
    HubSettings settings = settingsFor(server, cache);
    settings.timeoutMs = 300;
    const QString folder = cacheFolder(settings, qwen());
    QVERIFY(QDir().mkpath(folder));
    QFile old(folder + QStringLiteral("/config.json"));
    QVERIFY(old.open(QIODevice::WriteOnly));
    old.write("{\"old\": true}");
    old.close();
    expectBadInput([&] { openHubModel(qwen(), settings); },
                   {QStringLiteral("model.safetensors.index.json"), QStringLiteral("no answer")});
    QCOMPARE(filesUnder(settings.cacheRoot),
             QStringList{QStringLiteral("/Qwen/Qwen2.5-7B-Instruct/main/config.json")});
    QVERIFY(old.open(QIODevice::ReadOnly));
    QCOMPARE(old.readAll(), QByteArray("{\"old\": true}"));
  }

  void offlineUsesTheCacheAndSaysSo() {
    LocalHubServer server;
    server.setResponse(resolvePath(QStringLiteral("config.json")), {200, recordedConfig(), {}, false});
    QTemporaryDir cache;
    HubSettings settings = settingsFor(server, cache);
    settings.offline = true;
    expectBadInput([&] { openHubModel(qwen(), settings); },
                   {QStringLiteral("not in the cache"), QStringLiteral("HF_HUB_OFFLINE")});
    QCOMPARE(server.requests().size(), 0);
    settings.offline = false;
    openHubModel(qwen(), settings);
    const qsizetype before = server.requests().size();
    settings.offline = true;
    const ModelSpec spec = openHubModel(qwen(), settings);
    QCOMPARE(server.requests().size(), before);
    QVERIFY2(spec.origin.contains(QStringLiteral("offline")), qPrintable(spec.origin));
  }

  void settingsFollowHuggingfaceHubsVariables() {
    QTemporaryDir home;
    QFile tokenFile(home.path() + QStringLiteral("/token"));
    QVERIFY(tokenFile.open(QIODevice::WriteOnly));
    tokenFile.write("hf_from_file\n");
    tokenFile.close();
    qunsetenv("HF_TOKEN");
    qunsetenv("HF_TOKEN_PATH");
    qputenv("HF_HOME", home.path().toUtf8());
    qputenv("HF_ENDPOINT", "https://mirror.example/");
    qputenv("HF_HUB_OFFLINE", "yes");
    qputenv("XDG_CACHE_HOME", home.path().toUtf8());
    HubSettings settings = HubSettings::fromEnvironment();
    QCOMPARE(settings.token, QStringLiteral("hf_from_file"));
    QCOMPARE(settings.endpoint, QStringLiteral("https://mirror.example"));
    QVERIFY(settings.offline);
    QCOMPARE(settings.cacheRoot, home.path() + QStringLiteral("/sinkscope/hub"));
    QCOMPARE(settings.timeoutMs, 10000);
    QFile pathFile(home.path() + QStringLiteral("/elsewhere"));
    QVERIFY(pathFile.open(QIODevice::WriteOnly));
    pathFile.write("  hf_from_token_path  ");
    pathFile.close();
    qputenv("HF_TOKEN_PATH", pathFile.fileName().toUtf8());  // HF_TOKEN_PATH wins over $HF_HOME/token
    QCOMPARE(HubSettings::fromEnvironment().token, QStringLiteral("hf_from_token_path"));
    qputenv("HF_TOKEN", "hf_from_variable");  // the variable wins over the file
    QCOMPARE(HubSettings::fromEnvironment().token, QStringLiteral("hf_from_variable"));
    qputenv("HF_HUB_OFFLINE", "0");
    QVERIFY(!HubSettings::fromEnvironment().offline);
    qputenv("HF_ENDPOINT", "ftp://x");
    QVERIFY_THROWS_EXCEPTION(Error, HubSettings::fromEnvironment());
    for (const char* name :
         {"HF_TOKEN", "HF_TOKEN_PATH", "HF_HOME", "HF_ENDPOINT", "HF_HUB_OFFLINE", "XDG_CACHE_HOME"})
      qunsetenv(name);
  }

  void anExistingPathWinsOverAHubId() {
    QTemporaryDir work;
    QVERIFY(QDir(work.path()).mkpath(kRepo));
    QVERIFY(QFile::copy(test::testDataPath(QStringLiteral("hf/qwen2.5-7b.config.json")),
                        work.path() + QLatin1Char('/') + kRepo + QStringLiteral("/config.json")));
    int calls = 0;
    setHubModelResolver([&calls](const QString&) -> ModelSpec {
      ++calls;
      throw Error(ErrorKind::Internal, QString(), QString(), QStringLiteral("not expected"));
    });
    const QString previous = QDir::currentPath();
    QDir::setCurrent(work.path());
    const ModelSpec local = resolveModel(kRepo);
    QDir::setCurrent(previous);
    QCOMPARE(calls, 0);
    QVERIFY(local.origin.endsWith(QStringLiteral("config.json")));
    expectBadInput([] { resolveModel(QStringLiteral("org/na me")); },
                   {QStringLiteral("neither a file nor a valid Hugging Face id")});
    setHubModelResolver(nullptr);
    expectBadInput([] { resolveModel(QStringLiteral("org/name")); },
                   {QStringLiteral("without the Hub client")});
  }

  void theCommandLinePlansAHubModel() {
    LocalHubServer server;
    server.setResponse(resolvePath(QStringLiteral("config.json")), {200, recordedConfig(), {}, false});
    server.setResponse(resolvePath(QStringLiteral("model.safetensors")),
                       {200, shardFile(QStringLiteral("w"), 8, 8), {}, false});
    QTemporaryDir cache;
    const QMap<QString, QString> environment{
        {QStringLiteral("HF_ENDPOINT"), server.endpoint()},
        {QStringLiteral("XDG_CACHE_HOME"), cache.path()},
        {QStringLiteral("HF_HOME"), cache.path() + QStringLiteral("/hf")},
        {QStringLiteral("HF_TOKEN"), QString()},
        {QStringLiteral("HF_HUB_OFFLINE"), QString()},
        {QStringLiteral("no_proxy"), QStringLiteral("127.0.0.1,localhost")}};
    const QStringList args{
        QStringLiteral("plan"),       QStringLiteral("--model"),       kRepo,
        QStringLiteral("--hardware"), QStringLiteral("rtx-4090-24gb"), QStringLiteral("--context"),
        QStringLiteral("32768"),      QStringLiteral("--json")};
    const test::CliResult result = test::runCli(args, environment, 60000);
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QJsonObject plan = QJsonDocument::fromJson(result.standardOutput).object();
    QCOMPARE(plan.value(QStringLiteral("model")).toString(), kRepo);
    const QJsonObject count = plan.value(QStringLiteral("parameter_count")).toObject();
    QCOMPARE(count.value(QStringLiteral("source")).toString(), QStringLiteral("safetensors"));
    QCOMPARE(count.value(QStringLiteral("parameters")).toInteger(), qint64(64));
    // The planned weights follow the exact count: at bf16 (the default) 2 bytes × 64, whatever the
    // recorded config's architecture would have computed (docs/catalog.md "Hub import").
    QCOMPARE(count.value(QStringLiteral("weights_from")).toString(), QStringLiteral("safetensors"));
    QCOMPARE(plan.value(QStringLiteral("weights_dtype")).toString(), QStringLiteral("bf16"));
    QCOMPARE(
        plan.value(QStringLiteral("memory")).toObject().value(QStringLiteral("weights_bytes")).toInteger(),
        qint64(2 * 64));
    QVERIFY(plan.value(QStringLiteral("model_origin")).toString().contains(QStringLiteral("@main")));
    // The stalled server and a short timeout: exit 3, one line, nothing cached.
    LocalHubServer stalled;
    stalled.setResponse(resolvePath(QStringLiteral("config.json")), {200, QByteArray(), {}, true});
    QTemporaryDir empty;
    QMap<QString, QString> stalledEnvironment = environment;
    stalledEnvironment[QStringLiteral("HF_ENDPOINT")] = stalled.endpoint();
    stalledEnvironment[QStringLiteral("XDG_CACHE_HOME")] = empty.path();
    stalledEnvironment[QStringLiteral("SINKSCOPE_HUB_TIMEOUT_MS")] = QStringLiteral("300");
    const test::CliResult timedOut = test::runCli(args, stalledEnvironment, 60000);
    QCOMPARE(timedOut.exitCode, 3);
    QVERIFY2(
        timedOut.standardError.startsWith("error: Qwen/Qwen2.5-7B-Instruct@main: config.json: no answer"),
        timedOut.standardError.constData());
    QCOMPARE(timedOut.standardError.count('\n'), 1);
    QVERIFY(timedOut.standardOutput.isEmpty());
    QVERIFY(filesUnder(empty.path()).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestHubImport)
#include "test_hub_import.moc"
