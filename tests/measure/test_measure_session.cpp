// Tests of the one measured session (core/measure): its rules for the context, the trained
// context and the name, cancellation as an outcome of its own, core's field names for values at
// fault, and the progress arithmetic behind tokens/s and time left.
#include "GeneratedLlama.h"
#include "TestSupport.h"
#include "TinyModel.h"
#include "catalog/GgufImport.h"
#include "common/Cancelled.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/MeasureInput.h"
#include "inference/Measurement.h"
#include "measure/MeasureProgress.h"
#include "measure/MeasureSession.h"

#include <sys/types.h>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

using namespace sinkscope;

namespace {

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes) {
  const QString path = dir.filePath(name);
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write fixture");
  file.write(bytes);
  return path;
}

// 100 token ids of the tiny vocabulary, BOS first.
QByteArray hundredTokenIds() {
  QByteArray ids("1");
  for (int i = 0; i < 99; ++i) ids += ' ' + QByteArray::number(3 + (i * 37) % 250);
  return ids;
}

struct TinyInput {
  QTemporaryDir dir;
  MeasureInput input;
  TinyInput() {
    input.ggufPath = writeFile(dir, QStringLiteral("tiny.gguf"), test::tinyModelBytes());
    input.tokensPath = writeFile(dir, QStringLiteral("ids.txt"), hundredTokenIds());
  }
};

// Runs body, expecting Error(BadInput) with this source and field.
template <typename Body>
void expectBadInput(Body body, const QString& source, const QString& field) {
  try {
    body();
    QFAIL("no error");
  } catch (const Error& error) {
    QCOMPARE(error.kind(), ErrorKind::BadInput);
    QCOMPARE(error.source(), source);
    QCOMPARE(error.field(), field);
  }
}

}  // namespace

class TestMeasureSession : public QObject {
  Q_OBJECT

 private slots:
  // rate = fraction x total / elapsed; left = elapsed x (1 - f) / f. A quarter of 4000 token
  // passes in 10 s: 1000 / 10 = 100 tokens/s, and 10 x 0.75 / 0.25 = 30 s left.
  void progressGivesRateAndTimeLeft() {
    const MeasureProgress p = measureProgressAt(0.25, 10.0, 4000);
    QCOMPARE(p.tokensPerSecond, 100.0);
    QVERIFY(p.secondsLeft.has_value());
    QCOMPARE(*p.secondsLeft, 30.0);
    QCOMPARE(p.text(), QStringLiteral("25 %, 100 tokens/s, 30 s left"));
    // 0.1 of 600000 in 12 s: 5000 tokens/s, 108 s = 1 min 48 s left.
    QCOMPARE(measureProgressAt(0.1, 12.0, 600000).text(),
             QStringLiteral("10 %, 5000 tokens/s, 1 min 48 s left"));
  }

  void progressBeforeAnyWorkHasNoRate() {
    const MeasureProgress p = measureProgressAt(0.0, 3.0, 4000);
    QCOMPARE(p.tokensPerSecond, 0.0);
    QVERIFY(!p.secondsLeft.has_value());
    QCOMPARE(p.text(), QStringLiteral("0 %"));
  }

  // The session's progress runs from near 0 to exactly 1, never backwards, over every forward
  // pass (two runs and one shared control here: measureEachPasses says 3).
  void sessionProgressCoversEveryPass() {
    TinyInput tiny;
    tiny.input.trainedContext = 32;
    const MeasureSession session(tiny.input);
    MeasureSettings settings;
    QCOMPARE(measureEachPasses(settings, {Mitigation::Baseline, Mitigation::Ntk}, 100, 32), 3);
    std::vector<double> fractions;
    const MeasuredRuns runs =
        session.runEach({Mitigation::Baseline, Mitigation::Ntk}, settings,
                        [&fractions](const MeasureProgress& p) { fractions.push_back(p.fraction); });
    QCOMPARE(runs.runs.size(), size_t(2));
    QVERIFY(!fractions.empty());
    for (size_t i = 1; i < fractions.size(); ++i)
      QVERIFY2(fractions[i] >= fractions[i - 1],
               qPrintable(QStringLiteral("%1 after %2").arg(fractions[i]).arg(fractions[i - 1])));
    QCOMPARE(fractions.back(), 1.0);
  }

  // A Llama 3.x file carries its scaling in rope_freqs.weight, which every run applies once, as
  // llama.cpp does (llama.cpp has no run-time Llama-3 option: its converter writes rope_freqs and
  // the graph always divides by them; docs/measured-mode.md). `llama3` on top would scale twice:
  // a single run refuses it as a usage error naming the mitigation, and the report's and the
  // Measured tab's runs list it as not measured. On a file without rope_freqs it runs.
  void llama3OnAFileThatCarriesItIsRefused() {
    QTemporaryDir dir;
    test::GeneratedLlamaShape shape;
    shape.ropeFrequencyFactors = true;
    MeasureInput input;
    input.ggufPath = dir.filePath(QStringLiteral("llama31.gguf"));
    test::writeGeneratedLlama(input.ggufPath, shape, test::TensorTypePlan::allMatrices(GgmlType::F32));
    input.tokensPath = writeFile(dir, QStringLiteral("ids.txt"), hundredTokenIds());
    input.trainedContext = 32;
    MeasureSettings llama3;
    llama3.mitigation = Mitigation::Llama3;
    try {
      MeasureSession(input).run(llama3);
      QFAIL("no error");
    } catch (const Error& error) {
      QCOMPARE(error.kind(), ErrorKind::Usage);
      QCOMPARE(error.field(), kMitigationField);
      QVERIFY2(error.message().contains(QStringLiteral("rope_freqs.weight")), qPrintable(error.message()));
    }
    const MeasuredRuns runs =
        MeasureSession(input).runEach({Mitigation::Baseline, Mitigation::Llama3}, MeasureSettings{});
    QCOMPARE(runs.runs.size(), size_t(1));
    QCOMPARE(runs.runs.front()->mitigation, Mitigation::Baseline);
    QCOMPARE(runs.notMeasured.size(), 1);
    QVERIFY2(runs.notMeasured.front().startsWith(QStringLiteral("llama3: the file already carries Llama-3")),
             qPrintable(runs.notMeasured.front()));
    const test::CliResult cli = test::runCli({QStringLiteral("measure"), QStringLiteral("--gguf"),
                                              input.ggufPath, QStringLiteral("--tokens"), input.tokensPath,
                                              QStringLiteral("--mitigation"), QStringLiteral("llama3")});
    QCOMPARE(cli.exitCode, 2);
    QVERIFY2(cli.standardError.startsWith("error: --mitigation: the file already carries"),
             cli.standardError.constData());
    QVERIFY(cli.standardOutput.isEmpty());
    shape.ropeFrequencyFactors = false;
    input.ggufPath = dir.filePath(QStringLiteral("llama2.gguf"));
    test::writeGeneratedLlama(input.ggufPath, shape, test::TensorTypePlan::allMatrices(GgmlType::F32));
    const Measurement plain = MeasureSession(input).run(llama3);
    QCOMPARE(plain.mitigation, Mitigation::Llama3);
    QCOMPARE(plain.schedule.ropeType, QStringLiteral("llama3"));
  }

  // Cancellation is an outcome of its own: Cancelled, never an Error (which would be exit 4).
  void cancellingThrowsCancelledNotAnError() {
    TinyInput tiny;
    const MeasureSession session(tiny.input);
    MeasureSettings settings;
    settings.isCancelled = [] { return true; };
    bool cancelled = false;
    try {
      session.run(settings);
    } catch (const Cancelled&) {
      cancelled = true;
    } catch (const Error& error) {
      QFAIL(qPrintable(QStringLiteral("an error instead of Cancelled: ") + error.describe()));
    }
    QVERIFY(cancelled);
    QVERIFY_THROWS_EXCEPTION(Cancelled, session.runEach({Mitigation::Baseline, Mitigation::Ntk}, settings));
  }

  // Cancelling midway, from the progress callback as the window's Cancel does between blocks.
  void cancellingMidwayStopsTheRun() {
    TinyInput tiny;
    tiny.input.trainedContext = 32;
    const MeasureSession session(tiny.input);
    bool stop = false;
    MeasureSettings settings;
    settings.isCancelled = [&stop] { return stop; };
    double lastFraction = 0;
    QVERIFY_THROWS_EXCEPTION(Cancelled, session.runEach({Mitigation::Baseline, Mitigation::Ntk}, settings,
                                                        [&](const MeasureProgress& p) {
                                                          lastFraction = p.fraction;
                                                          if (p.fraction > 0.3) stop = true;
                                                        }));
    QVERIFY2(lastFraction < 1.0, qPrintable(QString::number(lastFraction)));
  }

  // The trained context: the one given, else the catalogue's for a checkpoint it knows by file
  // name, else the GGUF's context_length (TinyModel.h writes 64).
  void trainedContextFollowsOneRule() {
    TinyInput tiny;
    const MeasureSession fromGguf(tiny.input);
    QCOMPARE(fromGguf.trainedContext(), qint64(64));
    QCOMPARE(fromGguf.trainedContextSource(), QStringLiteral("llama.context_length"));
    tiny.input.trainedContext = 32;
    tiny.input.trainedContextSource = QStringLiteral("--trained-context");
    const MeasureSession given(tiny.input);
    QCOMPARE(given.trainedContext(), qint64(32));
    QCOMPARE(given.run(MeasureSettings{}).trainedContextSource, QStringLiteral("--trained-context"));
  }

  // The catalogue model chosen for the file (the window's scenario) gives the trained context only
  // when the file has its architecture and shape; a model of another shape is ignored.
  void chosenCatalogueModelGivesTheTrainedContextOnlyForItsShape() {
    TinyInput tiny;
    ModelSpec chosen = importGgufMetadata(tiny.input.ggufPath);  // the file's own shape
    chosen.id = QStringLiteral("tiny-catalogue");
    chosen.trainedContext = 32;  // the file says 64
    tiny.input.catalogueModel = chosen;
    const MeasureSession same(tiny.input);
    QCOMPARE(same.trainedContext(), qint64(32));
    QCOMPARE(same.trainedContextSource(), QStringLiteral("the catalogue's tiny-catalogue"));
    chosen.layers += 1;
    tiny.input.catalogueModel = chosen;
    const MeasureSession other(tiny.input);
    QCOMPARE(other.trainedContext(), qint64(64));
    QCOMPARE(other.trainedContextSource(), QStringLiteral("llama.context_length"));
  }

  // stories260K's GGUF says 2048, the catalogue 512 (docs/references.md section 8): the session
  // takes the catalogue's, whichever surface asks, and names the checkpoint by general.name.
  void knownCheckpointTakesTheCataloguesTrainedContext() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(path);
    MeasureInput input;
    input.ggufPath = path;
    input.contextTokens = 600;
    const MeasureSession session(input);
    QCOMPARE(session.trainedContext(), qint64(512));
    QCOMPARE(session.trainedContextSource(), QStringLiteral("the catalogue's stories260k"));
    QCOMPARE(qint64(session.tokens().size()), qint64(600));
    QCOMPARE(session.inputPath(), kSampleTextPath);
  }

  // Exactly: fewer tokens than asked is bad input naming the file; AtMost: the tokens there are.
  void contextRequestsCutOrRefuse() {
    TinyInput tiny;
    tiny.input.contextTokens = 40;
    QCOMPARE(qint64(MeasureSession(tiny.input).tokens().size()), qint64(40));
    tiny.input.contextTokens = 500;
    expectBadInput([&] { MeasureSession session(tiny.input); }, tiny.input.tokensPath,
                   QStringLiteral("tokens"));
    tiny.input.contextRequest = ContextRequest::AtMost;
    QCOMPARE(qint64(MeasureSession(tiny.input).tokens().size()), qint64(100));
  }

  // Values at fault are named in core's terms, with no source: the command line maps the field
  // to its flag (`--context`, `--window`).
  void valuesAtFaultCarryCoreFieldNames() {
    TinyInput tiny;
    tiny.input.contextTokens = 1;
    expectBadInput([&] { MeasureSession session(tiny.input); }, QString(), measure_field::kContext);
    tiny.input.contextTokens.reset();
    tiny.input.trainedContext = 16;
    const MeasureSession session(tiny.input);
    MeasureSettings settings;
    settings.mitigation = Mitigation::Streaming;
    settings.sinkTokens = 16;  // the default window, trained - sinks, holds nothing: the sinks are at fault
    try {
      session.run(settings);
      QFAIL("no error");
    } catch (const Error& error) {
      QCOMPARE(error.kind(), ErrorKind::Usage);
      QCOMPARE(error.source(), QString());
      QCOMPARE(error.field(), measure_field::kSinks);
    }
  }

  // `sinkscope measure` shows tokens/s and time left (on a terminal, or with SINKSCOPE_PROGRESS
  // set as here); Ctrl-C then cancels: exit 130 and "sinkscope: cancelled" on stderr, not an
  // "error:" line and not exit 4; nothing on stdout. How long it took to stop is printed (a
  // figure, not an assertion).
  void interruptedMeasureEndsCancelled() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SINKSCOPE_PROGRESS"), QStringLiteral("1"));
    process.setProcessEnvironment(environment);
    process.start(
        qEnvironmentVariable("SINKSCOPE_CLI"),
        {QStringLiteral("measure"), QStringLiteral("--gguf"), gguf, QStringLiteral("--text"), kSampleTextPath,
         QStringLiteral("--context"), QStringLiteral("8000"), QStringLiteral("--json")});
    QVERIFY(process.waitForStarted());
    QByteArray progress;
    QTRY_VERIFY_WITH_TIMEOUT((progress += process.readAllStandardError()).contains(" left"), 60000);
    QVERIFY2(progress.contains("tokens/s"), progress.constData());
    QVERIFY2(process.state() == QProcess::Running, "finished before it could be interrupted");
    QElapsedTimer stopping;
    stopping.start();
    if (process.processId() > 0)
      ::kill(pid_t(process.processId()), SIGINT);  // pid 0 would signal this test's own group
    QVERIFY(process.waitForFinished(30000));
    qInfo("stopped %lld ms after Ctrl-C", stopping.elapsed());
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 130);
    const QString error = QString::fromUtf8(process.readAllStandardError());  // after the progress lines
    QVERIFY2(
        error.contains(QStringLiteral("sinkscope: cancelled")) && !error.contains(QStringLiteral("error:")),
        qPrintable(error));
    QVERIFY(process.readAllStandardOutput().isEmpty());
  }

  // More than kMaxMeasuredTokens is refused, naming the input file, whatever the surface.
  void tooManyTokensAreRefused() {
    QTemporaryDir dir;
    QByteArray many;
    for (qint64 i = 0; i <= kMaxMeasuredTokens; ++i) many += "5 ";
    MeasureInput input;
    input.ggufPath = writeFile(dir, QStringLiteral("tiny.gguf"), test::tinyModelBytes());
    input.tokensPath = writeFile(dir, QStringLiteral("many.txt"), many);
    expectBadInput([&] { MeasureSession session(input); }, input.tokensPath, QStringLiteral("tokens"));
    input.contextTokens = 2 * kMaxMeasuredTokens;
    input.contextRequest = ContextRequest::AtMost;
    expectBadInput([&] { MeasureSession session(input); }, input.tokensPath, QStringLiteral("tokens"));
  }
};

QTEST_GUILESS_MAIN(TestMeasureSession)
#include "test_measure_session.moc"
