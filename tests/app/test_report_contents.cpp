// Tests of what `sinkscope report` puts in its PDF and HTML beyond the plan: the literature
// reference points (every point of resources/references.json, with its id and source) and the
// measured results of a real GGUF run (the same numbers as `sinkscope measure --json`).
#include "GeneratedLlama.h"
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <map>

using namespace sinkscope;

namespace {

const QStringList kScenario{QStringLiteral("--model"),    QStringLiteral("mistral-7b-v0.1"),
                            QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"),
                            QStringLiteral("--context"),  QStringLiteral("32768")};

QString readText(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

QString tool(const char* name) {
  return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

QString pdfText(const QString& path) {
  QProcess process;
  process.start(tool("pdftotext"), {QStringLiteral("-layout"), path, QStringLiteral("-")});
  process.waitForFinished(60000);
  return QString::fromUtf8(process.readAllStandardOutput());
}

// `sinkscope measure --json` for the run the report makes with --measure-context 1024 --trained-context 512.
QJsonObject measureJson(const QString& gguf, const QString& mitigation) {
  const test::CliResult result =
      test::runCli({QStringLiteral("measure"), QStringLiteral("--gguf"), gguf, QStringLiteral("--text"),
                    QStringLiteral(":/texts/simple-stories.txt"), QStringLiteral("--context"),
                    QStringLiteral("1024"), QStringLiteral("--trained-context"), QStringLiteral("512"),
                    QStringLiteral("--mitigation"), mitigation, QStringLiteral("--json")});
  return QJsonDocument::fromJson(result.standardOutput).object();
}

// The numbers a reader must find in the measured section, printed as the report prints them.
QStringList measuredNumbers(const QJsonObject& run) {
  const double inside = run.value(QStringLiteral("mean_nll_inside_trained")).toDouble();
  const double beyond = run.value(QStringLiteral("mean_nll_beyond_trained")).toDouble();
  QStringList numbers{
      QString::number(inside, 'f', 4),
      QString::number(std::exp(inside), 'f', 3),
      QString::number(beyond, 'f', 4),
      QString::number(std::exp(beyond), 'f', 3),
      test::groupedTokens(run.value(QStringLiteral("context_cap")).toInteger()),
      QString::number(
          run.value(QStringLiteral("sink")).toObject().value(QStringLiteral("sink_rate")).toDouble(), 'f',
          2)};
  // Per layer: the mean over its heads of sink_mass_1_mean and normalized_entropy_mean.
  std::map<int, std::pair<double, double>> layers;
  std::map<int, int> heads;
  for (const QJsonValue& value :
       run.value(QStringLiteral("sink")).toObject().value(QStringLiteral("per_layer_head")).toArray()) {
    const QJsonObject head = value.toObject();
    const int layer = head.value(QStringLiteral("layer")).toInt();
    layers[layer].first += head.value(QStringLiteral("sink_mass_1_mean")).toDouble();
    layers[layer].second += head.value(QStringLiteral("normalized_entropy_mean")).toDouble();
    ++heads[layer];
  }
  for (const auto& [layer, sums] : layers) {
    numbers << QString::number(sums.first / heads[layer], 'f', 4)
            << QString::number(sums.second / heads[layer], 'f', 4);
  }
  return numbers;
}

// The HTML between <section id="ID"> and its </section>.
QString sectionHtml(const QString& html, const QString& id) {
  const qsizetype start = html.indexOf(QStringLiteral("<section id=\"%1\">").arg(id));
  if (start < 0) return QString();
  return html.mid(start, html.indexOf(QStringLiteral("</section>"), start) - start);
}

}  // namespace

class TestReportContents : public QObject {
  Q_OBJECT

 private slots:
  // Every reference point of resources/references.json is a row of the report's table, with its
  // id and source; the table has exactly as many rows as the file has points.
  void htmlListsEveryReferencePoint() {
    const QJsonArray points =
        QJsonDocument::fromJson(
            readText(test::sourceDir() + QStringLiteral("/resources/references.json")).toUtf8())
            .object()
            .value(QStringLiteral("points"))
            .toArray();
    QVERIFY(points.size() > 20);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.html"));
    const test::CliResult result = test::runCli(
        QStringList{QStringLiteral("report")} + kScenario + QStringList{QStringLiteral("--out"), path},
        300000);
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QString section = sectionHtml(readText(path), QStringLiteral("references"));
    QVERIFY(!section.isEmpty());
    for (const QJsonValue& value : points) {
      const QJsonObject point = value.toObject();
      const QString id = point.value(QStringLiteral("id")).toString(),
                    source = point.value(QStringLiteral("source")).toString();
      QVERIFY2(section.contains(QStringLiteral("[%1]").arg(id)), qPrintable(id));
      QVERIFY2(section.contains(source.toHtmlEscaped()), qPrintable(source));
    }
    const qsizetype body = section.indexOf(QStringLiteral("<tbody>"));
    QVERIFY(body > 0);
    QCOMPARE(section.mid(body).count(QStringLiteral("<tr>")), points.size());
  }

  // With --gguf the PDF and HTML carry a "Measured results" section whose numbers are those of
  // `sinkscope measure --json` for the same run (each compared mitigation), labelled measured,
  // naming the checkpoint by its file name only.
  void measuredSectionHasTheMeasureCommandsNumbers() {
    SINKSCOPE_REQUIRE_SHARED_GGUF(gguf);
    if (tool("pdftotext").isEmpty()) QSKIP("pdftotext (poppler-utils) not installed");
    QTemporaryDir dir;
    const QStringList args{QStringLiteral("report"),
                           QStringLiteral("--model"),
                           QStringLiteral("mistral-7b-v0.1"),
                           QStringLiteral("--hardware"),
                           QStringLiteral("h100-sxm-80gb"),
                           QStringLiteral("--context"),
                           QStringLiteral("8192"),
                           QStringLiteral("--gguf"),
                           gguf,
                           QStringLiteral("--measure-context"),
                           QStringLiteral("1024"),
                           QStringLiteral("--trained-context"),
                           QStringLiteral("512"),
                           QStringLiteral("--out")};
    const QString pdf = dir.filePath(QStringLiteral("measured.pdf")),
                  html = dir.filePath(QStringLiteral("measured.html"));
    for (const QString& path : {pdf, html}) {
      const test::CliResult result = test::runCli(args + QStringList{path}, 300000);
      QVERIFY2(result.exitCode == 0, result.standardError.constData());
    }
    const QString pdfAll = pdfText(pdf);
    const qsizetype start = pdfAll.indexOf(QStringLiteral("Measured results"));
    QVERIFY2(start > 0, "no measured section in the PDF");
    const QString fromPdf = pdfAll.mid(start, pdfAll.indexOf(QStringLiteral("Method notes"), start) - start);
    const QString fromHtml = sectionHtml(readText(html), QStringLiteral("measured"));
    // With a measured run the report does not close saying that everything is modelled, and its
    // first page says what was measured.
    QVERIFY(!readText(html).contains(QStringLiteral("all figures are modelled, not measured")));
    QVERIFY(!pdfAll.contains(QStringLiteral("all figures are modelled, not measured")));
    QVERIFY(sectionHtml(readText(html), QStringLiteral("method"))
                .contains(QStringLiteral("measured on the CPU from stories260K.gguf")));
    QVERIFY(sectionHtml(readText(html), QStringLiteral("summary"))
                .contains(QStringLiteral("Measured on the CPU with stories260K.gguf")));
    QVERIFY(!fromHtml.isEmpty());
    for (const QString& text : {fromPdf, fromHtml}) {
      QVERIFY(text.contains(QStringLiteral("measured")));
      QVERIFY(text.contains(QStringLiteral("stories260K.gguf")));
      QVERIFY2(!text.contains(QFileInfo(gguf).absolutePath()), "the user's folders must not appear");
      QVERIFY(text.contains(QStringLiteral("1024")));
      for (const QString& mitigation : {QStringLiteral("baseline"), QStringLiteral("ntk")}) {
        const QJsonObject run = measureJson(gguf, mitigation);
        QCOMPARE(run.value(QStringLiteral("tokens")).toInteger(), qint64(1024));
        QCOMPARE(run.value(QStringLiteral("trained_context")).toInteger(), qint64(512));
        for (const QString& number : measuredNumbers(run))
          QVERIFY2(text.contains(number),
                   qPrintable(QStringLiteral("%1: %2 missing").arg(mitigation, number)));
      }
    }
    QVERIFY(fromHtml.contains(QStringLiteral("<figure id=\"chart-measured-loss\">")));
    QVERIFY(fromPdf.contains(QStringLiteral("Per-position loss")));
  }

  // Without --gguf the section says in one paragraph that nothing was measured and how to measure.
  void withoutAGgufTheSectionSaysHowToMeasure() {
    QTemporaryDir dir;
    const QString html = dir.filePath(QStringLiteral("report.html"));
    const test::CliResult result =
        test::runCli({QStringLiteral("report"), QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"),
                      QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"),
                      QStringLiteral("--context"), QStringLiteral("8192"), QStringLiteral("--out"), html},
                     300000);
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QString section = sectionHtml(readText(html), QStringLiteral("measured"));
    QVERIFY(section.contains(QStringLiteral("Nothing was measured")));
    // How to measure, in the report's own words (core names no command-line flag).
    QVERIFY(section.contains(QStringLiteral("Measured results need a GGUF checkpoint")));
    QVERIFY(!section.contains(QStringLiteral("--gguf")));
    QVERIFY(!section.contains(QStringLiteral("<table")));
  }

  // report --sliding-window N measures as measure --sliding-window N does: the same numbers and
  // the same "sliding_window" field, and the command that reproduces a run carries the flag; the
  // window changes the loss past it (the generated model attends to every key otherwise).
  void slidingWindowReachesTheMeasuredRuns() {
    QTemporaryDir dir;
    const QString gguf = dir.filePath(QStringLiteral("model.gguf"));  // byte tokens: any text tokenises
    test::writeGeneratedLlama(gguf, test::GeneratedLlamaShape{},
                              test::TensorTypePlan::allMatrices(GgmlType::F32));
    const QStringList measured{QStringLiteral("--gguf"), gguf, QStringLiteral("--trained-context"),
                               QStringLiteral("64")};
    auto reportRun = [&](const QStringList& extra) {
      const QString out = dir.filePath(QStringLiteral("report.json"));
      QFile::remove(out);
      const test::CliResult result =
          test::runCli(QStringList{QStringLiteral("report")} + kScenario + measured +
                           QStringList{QStringLiteral("--measure-context"), QStringLiteral("200"),
                                       QStringLiteral("--mitigations"), QStringLiteral("baseline"),
                                       QStringLiteral("--out"), out} +
                           extra,
                       300000);
      if (result.exitCode != 0) qWarning("%s", result.standardError.constData());
      QFile file(out);
      if (!file.open(QIODevice::ReadOnly)) return QJsonObject();
      const QJsonObject report = QJsonDocument::fromJson(file.readAll()).object();
      return report.value(QStringLiteral("measured"))
          .toObject()
          .value(QStringLiteral("runs"))
          .toArray()
          .at(0)
          .toObject();
    };
    const QJsonObject windowed = reportRun({QStringLiteral("--sliding-window"), QStringLiteral("16")});
    const QJsonObject full = reportRun({});
    const test::CliResult single = test::runCli(
        QStringList{QStringLiteral("measure")} + measured +
        QStringList{QStringLiteral("--text"), QStringLiteral(":/texts/simple-stories.txt"),
                    QStringLiteral("--context"), QStringLiteral("200"), QStringLiteral("--sliding-window"),
                    QStringLiteral("16"), QStringLiteral("--json")});
    QCOMPARE(single.exitCode, 0);
    const QJsonObject measure = QJsonDocument::fromJson(single.standardOutput).object();
    QVERIFY(!windowed.isEmpty());
    const QJsonObject window = windowed[QStringLiteral("sliding_window")].toObject();
    QCOMPARE(window, measure[QStringLiteral("sliding_window")].toObject());
    QCOMPARE(window[QStringLiteral("mode")].toString(), QStringLiteral("config"));
    QCOMPARE(window[QStringLiteral("config_window_tokens")].toInteger(), qint64(16));
    for (const char* key : {"mean_nll_inside_trained", "mean_nll_beyond_trained", "context_cap"})
      QCOMPARE(windowed[QLatin1String(key)].toDouble(), measure[QLatin1String(key)].toDouble());
    QVERIFY(windowed[QStringLiteral("command")].toString().contains(QStringLiteral(" --sliding-window 16 ")));
    QCOMPARE(full[QStringLiteral("sliding_window")][QStringLiteral("mode")].toString(),
             QStringLiteral("llama.cpp"));
    QVERIFY(!full[QStringLiteral("command")].toString().contains(QStringLiteral("--sliding-window")));
    QVERIFY(std::fabs(full[QStringLiteral("mean_nll_inside_trained")].toDouble() -
                      windowed[QStringLiteral("mean_nll_inside_trained")].toDouble()) > 1e-4);
  }

  // A bad --gguf exits 3 naming the file and leaves no report; --text without --gguf exits 2.
  void badGgufExits3AndLeavesNothing() {
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad.gguf"));
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("this is not a GGUF file at all");
    file.close();
    const QString missing = dir.filePath(QStringLiteral("missing.gguf"));
    for (const QString& model : {bad, missing})
      for (const char* name : {"report.pdf", "report.html"}) {
        const QString out = dir.filePath(QString::fromLatin1(name));
        const test::CliResult result =
            test::runCli(QStringList{QStringLiteral("report")} + kScenario +
                         QStringList{QStringLiteral("--gguf"), model, QStringLiteral("--out"), out});
        QCOMPARE(result.exitCode, 3);
        QVERIFY2(result.standardError.startsWith("error: "), result.standardError.constData());
        QVERIFY2(result.standardError.contains(model.toUtf8()), result.standardError.constData());
        QCOMPARE(result.standardError.count('\n'), 1);  // one line
        QVERIFY(!QFileInfo::exists(out));
      }
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("bad.gguf")});
    const test::CliResult textOnly =
        test::runCli(QStringList{QStringLiteral("report")} + kScenario +
                     QStringList{QStringLiteral("--text"), bad, QStringLiteral("--out"),
                                 dir.filePath(QStringLiteral("r.pdf"))});
    QCOMPARE(textOnly.exitCode, 2);
    QVERIFY(textOnly.standardError.contains("--gguf"));
  }
};

QTEST_GUILESS_MAIN(TestReportContents)
#include "test_report_contents.moc"
