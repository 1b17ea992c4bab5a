#include "compute/ComputeController.h"
#include "WindowErrors.h"

#include "common/Cancelled.h"
#include "common/Error.h"

#include <algorithm>
#include <exception>

namespace sinkscope::ui {

void JobDetail::set(const QString& text) {
  const QMutexLocker lock(&mutex_);
  text_ = text;
}

QString JobDetail::get() const {
  const QMutexLocker lock(&mutex_);
  return text_;
}

void JobContext::setProgress(double fraction) const {
  permille_->store(int(std::clamp(fraction, 0.0, 1.0) * 1000.0), std::memory_order_relaxed);
}

std::function<bool()> JobContext::cancelFunction() const {
  auto flag = cancelled_;
  return [flag] { return flag->load(std::memory_order_relaxed); };
}

std::function<void(double)> JobContext::progressFunction() const {
  auto permille = permille_;
  return [permille](double fraction) {
    permille->store(int(std::clamp(fraction, 0.0, 1.0) * 1000.0), std::memory_order_relaxed);
  };
}

ComputeController::ComputeController(QObject* parent) : QObject(parent) {
  pool_.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
  progressTimer_.setInterval(100);
  connect(&progressTimer_, &QTimer::timeout, this, [this] {
    emit progressChanged(progressPermille(), currentLabel());
    for (const auto& [channel, job] : active_)
      if (const QString detail = job.detail->get(); !detail.isEmpty())
        emit jobProgress(channel, job.permille->load(std::memory_order_relaxed), detail);
  });
}

ComputeController::~ComputeController() {
  for (auto& [channel, job] : active_) job.cancelled->store(true);
  pool_.waitForDone();
}

QString ComputeController::currentLabel() const {
  if (active_.empty()) return QString();
  const auto oldest = std::min_element(active_.begin(), active_.end(), [](const auto& a, const auto& b) {
    return a.second.generation < b.second.generation;
  });
  return active_.size() > 1 ? tr("%1 (+%2 more)").arg(oldest->second.label).arg(active_.size() - 1)
                            : oldest->second.label;
}

int ComputeController::progressPermille() const {
  if (active_.empty()) return 0;
  int sum = 0;
  for (const auto& [channel, job] : active_) sum += job.permille->load(std::memory_order_relaxed);
  return sum / int(active_.size());
}

void ComputeController::submitErased(const QString& channel, const QString& label, QObject* receiver,
                                     ErasedWork work) {
  const bool wasBusy = isBusy();
  if (auto existing = active_.find(channel); existing != active_.end())
    existing->second.cancelled->store(true);
  Job job;
  job.generation = nextGeneration_++;
  job.label = label;
  job.receiver = receiver;
  job.cancelled = std::make_shared<std::atomic<bool>>(false);
  job.permille = std::make_shared<std::atomic<int>>(0);
  job.detail = std::make_shared<JobDetail>();
  active_[channel] = job;
  const JobContext context(job.cancelled, job.permille, job.detail);
  const quint64 generation = job.generation;
  pool_.start([this, channel, generation, context, work = std::move(work)]() mutable {
    if (context.isCancelled()) return;  // superseded before it started
    std::function<void()> apply;
    QString error;
    try {
      apply = work(context);
    } catch (const Cancelled&) {
      return;  // an outcome of its own: nothing to deliver, nothing failed
    } catch (const Error& e) {
      error = windowErrorText(e);
    } catch (const std::exception& e) {
      error = QString::fromLocal8Bit(e.what());
    }
    if (context.isCancelled()) return;
    QMetaObject::invokeMethod(
        this,
        [this, channel, generation, apply = std::move(apply), error] {
          deliver(channel, generation, apply, error);
        },
        Qt::QueuedConnection);
  });
  setBusy(wasBusy);
}

void ComputeController::deliver(const QString& channel, quint64 generation, std::function<void()> apply,
                                const QString& error) {
  const auto found = active_.find(channel);
  if (found == active_.end() || found->second.generation != generation) return;  // superseded
  const bool wasBusy = isBusy();
  const QPointer<QObject> receiver = found->second.receiver;
  active_.erase(found);
  if (!error.isEmpty()) {
    emit jobFailed(channel, error);
  } else if (receiver && apply) {
    apply();
    ++delivered_;
    emit jobFinished(channel);
  }
  setBusy(wasBusy);
}

void ComputeController::cancel(const QString& channel) {
  const auto found = active_.find(channel);
  if (found == active_.end()) return;
  const bool wasBusy = isBusy();
  found->second.cancelled->store(true);
  active_.erase(found);
  emit jobCancelled(channel);
  setBusy(wasBusy);
}

void ComputeController::cancelAll() {
  const bool wasBusy = isBusy();
  std::vector<QString> channels;
  for (auto& [channel, job] : active_) {
    job.cancelled->store(true);
    channels.push_back(channel);
  }
  active_.clear();
  for (const QString& channel : channels) emit jobCancelled(channel);
  setBusy(wasBusy);
}

void ComputeController::setBusy(bool wasBusy) {
  const bool busy = isBusy();
  if (busy == wasBusy) return;
  if (busy)
    progressTimer_.start();
  else
    progressTimer_.stop();
  emit busyChanged(busy);
  emit progressChanged(progressPermille(), currentLabel());
}

}  // namespace sinkscope::ui
