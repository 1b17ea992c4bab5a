// Runs core computations off the GUI thread (QThreadPool) and hands results back on it. Each
// view uses its own channel: a newer request on a channel cancels and supersedes the older.
// Not the computations themselves, and never a place to block the GUI thread.
#pragma once

#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>
#include <QTimer>
#include <atomic>
#include <functional>
#include <map>
#include <memory>

namespace sinkscope::ui {

// A line of progress detail ("1234 tokens/s, 3 s left") a worker writes and the GUI reads.
class JobDetail {
 public:
  void set(const QString& text);
  QString get() const;

 private:
  mutable QMutex mutex_;
  QString text_;
};

// What a running job sees: its cancellation flag, a progress sink (0..1) and a detail line, all
// thread-safe.
class JobContext {
 public:
  JobContext(std::shared_ptr<std::atomic<bool>> cancelled, std::shared_ptr<std::atomic<int>> permille,
             std::shared_ptr<JobDetail> detail = std::make_shared<JobDetail>())
      : cancelled_(std::move(cancelled)), permille_(std::move(permille)), detail_(std::move(detail)) {}
  bool isCancelled() const { return cancelled_->load(std::memory_order_relaxed); }
  const std::atomic<bool>* cancelFlag() const { return cancelled_.get(); }
  void setProgress(double fraction) const;
  std::function<bool()> cancelFunction() const;
  std::function<void(double)> progressFunction() const;
  void setDetail(const QString& text) const { detail_->set(text); }  // shown beside the progress

 private:
  std::shared_ptr<std::atomic<bool>> cancelled_;
  std::shared_ptr<std::atomic<int>> permille_;
  std::shared_ptr<JobDetail> detail_;
};

class ComputeController : public QObject {
  Q_OBJECT
 public:
  explicit ComputeController(QObject* parent = nullptr);
  ~ComputeController() override;  // cancels everything and waits for the workers

  // Runs work(JobContext&) -> Result on a worker; onResult(const Result&) later runs on the GUI
  // thread, only if this is still the newest job of its channel and receiver still exists.
  // An Error or other exception from work becomes jobFailed(channel, message); Cancelled (the
  // job stopped on request) delivers nothing.
  template <typename Result, typename Work, typename OnResult>
  void submit(const QString& channel, const QString& label, QObject* receiver, Work work, OnResult onResult) {
    submitErased(channel, label, receiver,
                 [work = std::move(work), onResult = std::move(onResult)](const JobContext& context) mutable {
                   auto result = std::make_shared<Result>(work(context));
                   return std::function<void()>([onResult, result] { onResult(*result); });
                 });
  }

  bool isBusy() const { return !active_.empty(); }
  bool isBusy(const QString& channel) const { return active_.count(channel) > 0; }
  QString currentLabel() const;
  int progressPermille() const;  // of the oldest active job
  quint64 deliveredCount() const { return delivered_; }

 public slots:
  void cancelAll();
  void cancel(const QString& channel);

 signals:
  void busyChanged(bool busy);
  void progressChanged(int permille, const QString& label);
  // Every 100 ms for each running job that has a detail line (JobContext::setDetail).
  void jobProgress(const QString& channel, int permille, const QString& detail);
  void jobFinished(const QString& channel);
  void jobFailed(const QString& channel, const QString& message);
  void jobCancelled(const QString& channel);

 private:
  using ErasedWork = std::function<std::function<void()>(const JobContext&)>;
  struct Job {
    quint64 generation = 0;
    QString label;
    QPointer<QObject> receiver;
    std::shared_ptr<std::atomic<bool>> cancelled;
    std::shared_ptr<std::atomic<int>> permille;
    std::shared_ptr<JobDetail> detail;
  };
  void submitErased(const QString& channel, const QString& label, QObject* receiver, ErasedWork work);
  void deliver(const QString& channel, quint64 generation, std::function<void()> apply, const QString& error);
  void setBusy(bool wasBusy);

  QThreadPool pool_;
  QTimer progressTimer_;
  std::map<QString, Job> active_;
  quint64 nextGeneration_ = 1;
  quint64 delivered_ = 0;
};

}  // namespace sinkscope::ui
