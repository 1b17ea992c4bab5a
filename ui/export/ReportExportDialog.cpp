#include "export/ReportExportDialog.h"
#include "DialogFolders.h"
#include "WindowErrors.h"

#include "common/Cancelled.h"
#include "common/Error.h"
#include "export/ReportWriter.h"

#include <QApplication>
#include <QException>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QMessageBox>
#include <QProgressDialog>
#include <QtConcurrent>
#include <atomic>

namespace sinkscope::ui {

namespace {

// The built report, or what buildReport threw as itself (Cancelled, Error): QtConcurrent hands a
// worker's exception back wrapped in a QUnhandledException.
Report builtReport(const QFuture<Report>& future) {
  try {
    return future.result();
  } catch (const QUnhandledException& wrapped) {
    if (wrapped.exception()) std::rethrow_exception(wrapped.exception());
    throw;
  }
}

}  // namespace

ReportExportPrompts ReportExportPrompts::dialogs() {
  ReportExportPrompts prompts;
  prompts.choosePath = [](QWidget* parent) {
    // The replace question is ours (confirmReplace), asked once, after the extension is settled.
    const QString path = QFileDialog::getSaveFileName(
        parent, QObject::tr("Export report"),
        dialogStartPath(DialogPurpose::Export, QStringLiteral("sinkscope-report.pdf")),
        QObject::tr("PDF report (*.pdf);;HTML report (*.html)"), nullptr, QFileDialog::DontConfirmOverwrite);
    rememberDialogFolder(DialogPurpose::Export, path);
    return path;
  };
  prompts.confirmReplace = [](QWidget* parent, const QString& path) {
    return QMessageBox::question(
               parent, QObject::tr("Export report"),
               QObject::tr("%1 already exists. Replace it?").arg(QDir::toNativeSeparators(path)),
               QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
  };
  prompts.showError = [](QWidget* parent, const QString& message) {
    QMessageBox::critical(parent, QObject::tr("Export report"), message);
  };
  return prompts;
}

ReportExportOutcome exportReportInteractively(QWidget* parent, const ReportScenario& scenario,
                                              const ReportExportPrompts& prompts) {
  QString path = prompts.choosePath(parent);
  if (path.isEmpty()) return {};
  if (!reportFormatForPath(path)) path += QStringLiteral(".pdf");
  const bool replace = QFileInfo::exists(path);
  if (replace && !prompts.confirmReplace(parent, path)) return {};
  try {
    checkReportDestination(path, replace);  // fail before the work, not after
  } catch (const Error& error) {
    prompts.showError(parent, error.describe());
    return {};
  }
  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  QProgressDialog progress(QObject::tr("Building the report…"), QObject::tr("Cancel"), 0, 100, parent);
  progress.setWindowModality(Qt::WindowModal);
  progress.setMinimumDuration(0);
  QObject::connect(&progress, &QProgressDialog::canceled, [cancelled] { *cancelled = true; });
  QFutureWatcher<Report> watcher;
  QEventLoop loop;
  QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
  ReportCallbacks callbacks;
  callbacks.isCancelled = [cancelled] { return cancelled->load(); };
  callbacks.progress = [&progress](double fraction, const QString&) {  // from the worker thread
    const int value = int(fraction * 100);
    QMetaObject::invokeMethod(
        &progress, [&progress, value] { progress.setValue(std::min(value, 99)); }, Qt::QueuedConnection);
  };
  watcher.setFuture(QtConcurrent::run([scenario, callbacks] { return buildReport(scenario, callbacks); }));
  loop.exec();
  try {
    const Report report = builtReport(watcher.future());
    progress.setLabelText(QObject::tr("Writing %1…").arg(path));
    writeReport(report, path, replace);  // replaces only what the user agreed to replace
  } catch (const Cancelled&) {
    return {QString(), true};  // an outcome of its own: nothing written, nothing failed
  } catch (const Error& error) {
    prompts.showError(parent, windowErrorText(error));
    return {};
  } catch (const std::exception& error) {
    prompts.showError(parent, QObject::tr("%1: %2").arg(path, QString::fromLocal8Bit(error.what())));
    return {};
  }
  return {path, false};
}

}  // namespace sinkscope::ui
