// Tests of what `sinkscope report` puts in its PDF and HTML beyond the plan: the literature
// reference points (every point of resources/references.json, with its id and source) and the
// measured results of a real GGUF run (the same numbers as `sinkscope measure --json`).
#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope;

namespace {

const QStringList kScenario{QStringLiteral("--model"), QStringLiteral("mistral-7b-v0.1"), QStringLiteral("--hardware"),
                            QStringLiteral("h100-sxm-80gb"), QStringLiteral("--context"), QStringLiteral("32768")};

QString readText(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
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
    const QJsonArray points = QJsonDocument::fromJson(readText(test::sourceDir() + QStringLiteral("/resources/references.json")).toUtf8())
                                  .object().value(QStringLiteral("points")).toArray();
    QVERIFY(points.size() > 20);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.html"));
    const test::CliResult result =
        test::runCli(QStringList{QStringLiteral("report")} + kScenario + QStringList{QStringLiteral("--out"), path}, 300000);
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QString section = sectionHtml(readText(path), QStringLiteral("references"));
    QVERIFY(!section.isEmpty());
    for (const QJsonValue& value : points) {
      const QJsonObject point = value.toObject();
      const QString id = point.value(QStringLiteral("id")).toString(), source = point.value(QStringLiteral("source")).toString();
      QVERIFY2(section.contains(QStringLiteral("[%1]").arg(id)), qPrintable(id));
      QVERIFY2(section.contains(source.toHtmlEscaped()), qPrintable(source));
    }
    const qsizetype body = section.indexOf(QStringLiteral("<tbody>"));
    QVERIFY(body > 0);
    QCOMPARE(section.mid(body).count(QStringLiteral("<tr>")), points.size());
  }
};

QTEST_GUILESS_MAIN(TestReportContents)
#include "tst_report_contents.moc"
