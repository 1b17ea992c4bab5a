// Tests of `sinkscope report` and `sinkscope chart` as a user runs them, headless: the PDF and
// HTML reports parse (pdfinfo/pdftotext from poppler-utils) and carry the sections and the very
// numbers of `plan --json`; SVG is well-formed XML with vector paths; PNG has the requested size;
// CSV columns match the chart data; failures exit 3 and leave no file behind.
#include "TestSupport.h"

#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

using namespace sinkscope;

namespace {

const QStringList kScenario{QStringLiteral("--model"),    QStringLiteral("mistral-7b-v0.1"),
                            QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"),
                            QStringLiteral("--context"),  QStringLiteral("32768")};

QString tool(const char* name) {
  return QStandardPaths::findExecutable(QString::fromLatin1(name));
}

QString runTool(const QString& program, const QStringList& args) {
  QProcess process;
  process.start(program, args);
  process.waitForFinished(60000);
  return QString::fromUtf8(process.readAllStandardOutput());
}

QJsonObject planJson() {
  // No --mitigation, as the report's plan command: made for what a person would run (docs/planner.md).
  const test::CliResult plan =
      test::runCli(QStringList{QStringLiteral("plan")} + kScenario + QStringList{QStringLiteral("--json")});
  return QJsonDocument::fromJson(plan.standardOutput).object();
}

// Numbers of plan --json a reader must find in the report, as plan --json prints them.
QStringList keyNumbers(const QJsonObject& plan) {
  const QJsonObject memory = plan.value(QStringLiteral("memory")).toObject();
  return {QString::number(memory.value(QStringLiteral("kv_bytes_per_token")).toInteger()),
          QString::number(memory.value(QStringLiteral("total_bytes")).toInteger()),
          QString::number(memory.value(QStringLiteral("weights_bytes")).toInteger()),
          QString::number(memory.value(QStringLiteral("kv_bytes")).toInteger()),
          test::printedConfidence(
              plan.value(QStringLiteral("confidence")).toObject().value(QStringLiteral("value")).toDouble()),
          test::groupedTokens(plan.value(QStringLiteral("context_cap")).toInteger())};
}

QStringList filesIn(const QString& dir) {
  return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System);
}

}  // namespace

class TestCliReportChart : public QObject {
  Q_OBJECT

 private slots:
  void pdfReportParsesWithSectionsAndPlanNumbers() {
    if (tool("pdftotext").isEmpty() || tool("pdfinfo").isEmpty())
      QSKIP("pdftotext/pdfinfo (poppler-utils) not installed");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.pdf"));
    const test::CliResult result = test::runCli(
        QStringList{QStringLiteral("report")} + kScenario + QStringList{QStringLiteral("--out"), path},
        300000);
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    QVERIFY(result.standardOutput.trimmed().endsWith("report.pdf"));
    const QString info = runTool(tool("pdfinfo"), {path});
    const QRegularExpressionMatch pages = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(info);
    QVERIFY2(pages.hasMatch(), qPrintable(info));
    QVERIFY2(pages.captured(1).toInt() >= 4, qPrintable(info));
    const QString text = runTool(tool("pdftotext"), {QStringLiteral("-layout"), path, QStringLiteral("-")});
    for (const char* heading : {"Summary", "Scenario", "Model and hardware", "Memory plan",
                                "Confidence and context cap", "Where attention goes", "Mitigations compared",
                                "Appendix: literature reference points", "Method notes", "Sources"})
      QVERIFY2(text.contains(QString::fromUtf8(heading)), heading);
    for (const QString& number : keyNumbers(planJson()))
      QVERIFY2(test::containsAnyOf(text, number), qPrintable(number));
    QVERIFY(text.contains(QStringLiteral("Page 1 of %1").arg(pages.captured(1))));
  }

  void htmlReportIsSelfContained() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.html"));
    const test::CliResult result = test::runCli(
        QStringList{QStringLiteral("report")} + kScenario + QStringList{QStringLiteral("--out"), path},
        300000);
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString html = QString::fromUtf8(file.readAll());
    for (const char* id : {"summary", "scenario", "specifications", "memory", "confidence", "attention",
                           "mitigations", "references", "method", "sources"})
      QVERIFY2(html.contains(QStringLiteral("<section id=\"%1\">").arg(QString::fromLatin1(id))), id);
    QVERIFY(html.contains(QStringLiteral("src=\"data:image/png;base64,")));
    QVERIFY(!html.contains(
        QRegularExpression(QStringLiteral("src=\"(https?:|file:|/)"))));  // nothing fetched from outside
    for (const QString& number : keyNumbers(planJson()))
      QVERIFY2(test::containsAnyOf(html, number), qPrintable(number));
  }

  void failuresExit3AndLeaveNothing() {
    QTemporaryDir dir;
    const QString unknown = dir.filePath(QStringLiteral("report.docx"));
    test::CliResult result = test::runCli(QStringList{QStringLiteral("report")} + kScenario +
                                          QStringList{QStringLiteral("--out"), unknown});
    QCOMPARE(result.exitCode, 3);
    QVERIFY2(result.standardError.startsWith("error: "), result.standardError.constData());
    QVERIFY(result.standardError.contains("extension"));
    const QString missingFolder = dir.filePath(QStringLiteral("no/such/folder/report.pdf"));
    result = test::runCli(QStringList{QStringLiteral("report")} + kScenario +
                          QStringList{QStringLiteral("--out"), missingFolder});
    QCOMPARE(result.exitCode, 3);
    result = test::runCli({QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("memory"),
                           QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"),
                           QStringLiteral("--context"), QStringLiteral("32768"), QStringLiteral("--out"),
                           dir.filePath(QStringLiteral("chart.bmp"))});
    QCOMPARE(result.exitCode, 3);
    result = test::runCli({QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("pie"),
                           QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"),
                           QStringLiteral("--context"), QStringLiteral("32768"), QStringLiteral("--out"),
                           dir.filePath(QStringLiteral("chart.png"))});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.standardError.contains("--chart"));
    QCOMPARE(filesIn(dir.path()), QStringList());  // no partial or temporary file
    // An existing file is replaced only with --force.
    const QString existing = dir.filePath(QStringLiteral("kept.html"));
    QFile keep(existing);
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.write("keep me");
    keep.close();
    result = test::runCli(QStringList{QStringLiteral("report")} + kScenario +
                          QStringList{QStringLiteral("--out"), existing});
    QCOMPARE(result.exitCode, 3);
    QVERIFY(result.standardError.contains("--force"));
    QFile check(existing);
    QVERIFY(check.open(QIODevice::ReadOnly));
    QCOMPARE(check.readAll(), QByteArray("keep me"));
    check.close();
    result = test::runCli(QStringList{QStringLiteral("report")} + kScenario +
                              QStringList{QStringLiteral("--out"), existing, QStringLiteral("--force")},
                          300000);
    QCOMPARE(result.exitCode, 0);
    QVERIFY(QFileInfo(existing).size() > 1000);
    QCOMPARE(filesIn(dir.path()), QStringList{QStringLiteral("kept.html")});
  }

  void chartSvgIsWellFormedVector() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("memory.svg"));
    const test::CliResult result =
        test::runCli({QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("memory"),
                      QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"),
                      QStringLiteral("--hardware"), QStringLiteral("h100-sxm-80gb"),
                      QStringLiteral("--context"), QStringLiteral("32768"), QStringLiteral("--out"), path});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    int paths = 0, texts = 0;  // vector shapes (path, polyline) and text elements
    while (!xml.atEnd()) {
      xml.readNext();
      if (xml.isStartElement() &&
          (xml.name() == QLatin1String("path") || xml.name() == QLatin1String("polyline")))
        ++paths;
      if (xml.isStartElement() && xml.name() == QLatin1String("text")) ++texts;
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(paths > 10);  // curves and axes as vector paths
    QVERIFY(texts > 5);   // tick labels as text
  }

  void chartPngHasTheRequestedSize() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("confidence.png"));
    const test::CliResult result = test::runCli(
        {QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("confidence"),
         QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"), QStringLiteral("--context"),
         QStringLiteral("32768"), QStringLiteral("--width"), QStringLiteral("640"),
         QStringLiteral("--height"), QStringLiteral("300"), QStringLiteral("--out"), path});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QImage image(path);
    QCOMPARE(image.size(), QSize(1280, 600));  // 2x the logical size
    const QString scaled = dir.filePath(QStringLiteral("scale1.png"));
    QCOMPARE(test::runCli({QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("mitigations"),
                           QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"),
                           QStringLiteral("--context"), QStringLiteral("32768"), QStringLiteral("--width"),
                           QStringLiteral("500"), QStringLiteral("--height"), QStringLiteral("400"),
                           QStringLiteral("--scale"), QStringLiteral("1"), QStringLiteral("--out"), scaled})
                 .exitCode,
             0);
    QCOMPARE(QImage(scaled).size(), QSize(500, 400));
  }

  void chartCsvColumnsMatchTheData() {
    QTemporaryDir dir;
    const QStringList common{QStringLiteral("chart"),           QStringLiteral("--chart"),
                             QStringLiteral("memory"),          QStringLiteral("--model"),
                             QStringLiteral("mistral-7b-v0.1"), QStringLiteral("--hardware"),
                             QStringLiteral("h100-sxm-80gb"),   QStringLiteral("--context"),
                             QStringLiteral("32768"),           QStringLiteral("--out")};
    const QString csvPath = dir.filePath(QStringLiteral("memory.csv")),
                  jsonPath = dir.filePath(QStringLiteral("memory.json"));
    QCOMPARE(test::runCli(common + QStringList{csvPath}).exitCode, 0);
    QCOMPARE(test::runCli(common + QStringList{jsonPath}).exitCode, 0);
    QFile csvFile(csvPath), jsonFile(jsonPath);
    QVERIFY(csvFile.open(QIODevice::ReadOnly) && jsonFile.open(QIODevice::ReadOnly));
    const QStringList lines =
        QString::fromUtf8(csvFile.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.first(),
             QStringLiteral("context (tokens),weights (bytes),KV cache (bytes),activations (bytes),"
                            "overhead (bytes),total (bytes),usable capacity (bytes),fits"));
    const QJsonObject json = QJsonDocument::fromJson(jsonFile.readAll()).object();
    const QJsonArray curve =
        json.value(QStringLiteral("data")).toObject().value(QStringLiteral("curve")).toArray();
    QCOMPARE(lines.size() - 1, curve.size());
    for (int i = 0; i < curve.size(); ++i) {
      const QStringList cells = lines[i + 1].split(QLatin1Char(','));
      const QJsonObject point = curve[i].toObject();
      QCOMPARE(cells[0].toLongLong(), point.value(QStringLiteral("context")).toInteger());
      QCOMPARE(cells[2].toLongLong(), point.value(QStringLiteral("kv_bytes")).toInteger());
      QCOMPARE(cells[5].toLongLong(), point.value(QStringLiteral("total_bytes")).toInteger());
    }
    // The plan's own numbers at the requested context.
    const QJsonObject atContext =
        json.value(QStringLiteral("data")).toObject().value(QStringLiteral("at_context")).toObject();
    QCOMPARE(atContext.value(QStringLiteral("total_bytes")).toInteger(),
             planJson()
                 .value(QStringLiteral("memory"))
                 .toObject()
                 .value(QStringLiteral("total_bytes"))
                 .toInteger());
  }

  void chartPdfIsOnePageOfTheRequestedSize() {
    if (tool("pdfinfo").isEmpty()) QSKIP("pdfinfo (poppler-utils) not installed");
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mitigations.pdf"));
    const test::CliResult result = test::runCli(
        {QStringLiteral("chart"), QStringLiteral("--chart"), QStringLiteral("mitigations"),
         QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"), QStringLiteral("--context"),
         QStringLiteral("32768"), QStringLiteral("--width"), QStringLiteral("600"),
         QStringLiteral("--height"), QStringLiteral("400"), QStringLiteral("--out"), path});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QString info = runTool(tool("pdfinfo"), {path});
    QVERIFY2(info.contains(QRegularExpression(QStringLiteral("Pages:\\s+1\\b"))), qPrintable(info));
    QVERIFY2(info.contains(QRegularExpression(QStringLiteral("Page size:\\s+600 x 400 pts"))),
             qPrintable(info));
  }
};

QTEST_GUILESS_MAIN(TestCliReportChart)
#include "test_cli_report_chart.moc"
