#include "export/ReportExportDialog.h"

#include "common/Error.h"
#include "export/ReportWriter.h"

#include <QApplication>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QMessageBox>
#include <QProgressDialog>
#include <QtConcurrent>
#include <atomic>

namespace sinkscope::ui {

QString exportReportInteractively(QWidget* parent, const ReportScenario& scenario) {
  QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export report"), QStringLiteral("sinkscope-report.pdf"),
                                              QObject::tr("PDF report (*.pdf);;HTML report (*.html)"));
  if (path.isEmpty()) return QString();
  if (!reportFormatForPath(path)) path += QStringLiteral(".pdf");
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  QProgressDialog progress(QObject::tr("Building the report…"), QObject::tr("Cancel"), 0, 100, parent);
  progress.setWindowModality(Qt::WindowModal);
  progress.setMinimumDuration(0);
  QObject::connect(&progress, &QProgressDialog::canceled, [cancelled] { *cancelled = true; });
  QFutureWatcher<std::optional<Report>> watcher;
  QEventLoop loop;
  QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
  ReportCallbacks callbacks;
  callbacks.isCancelled = [cancelled] { return cancelled->load(); };
  watcher.setFuture(QtConcurrent::run([scenario, callbacks] { return buildReport(scenario, callbacks); }));
  loop.exec();
  try {
    const std::optional<Report> report = watcher.result();  // rethrows a build error
    if (!report) return QString();
    progress.setLabelText(QObject::tr("Writing %1…").arg(path));
    writeReport(*report, path, true);  // the file dialog already confirmed replacing
  } catch (const Error& error) {
    QMessageBox::critical(parent, QObject::tr("Export report"), error.describe());
    return QString();
  } catch (const std::exception& error) {
    QMessageBox::critical(parent, QObject::tr("Export report"), QString::fromLocal8Bit(error.what()));
    return QString();
  }
  return path;
}

}  // namespace sinkscope::ui
