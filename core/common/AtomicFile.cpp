#include "common/AtomicFile.h"

#include "common/Cancelled.h"
#include "common/Error.h"
#include "common/InputFile.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QMutexLocker>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <utility>

namespace sinkscope {

namespace {

// The temporary file being written, for the signal handler (async-signal-safe: a fixed buffer).
char gTemporaryPath[4096] = {};
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction gPreviousActions[std::size(kCleanupSignals)];

// Set when a cleanup signal arrived during the write and its previous handling let the process
// go on (a command that turns Ctrl+C into a cancellation): the write then ends as Cancelled.
volatile std::sig_atomic_t gSignalledDuringWrite = 0;

extern "C" void removeTemporaryAndReraise(int signalNumber) {
  if (gTemporaryPath[0] != '\0') ::unlink(gTemporaryPath);
  gSignalledDuringWrite = 1;
  for (size_t i = 0; i < std::size(kCleanupSignals); ++i)
    if (kCleanupSignals[i] == signalNumber) ::sigaction(signalNumber, &gPreviousActions[i], nullptr);
  ::raise(signalNumber);  // the previous handling: by default, the process ends by this signal
}

// Installs the cleanup handlers for the lifetime of one write, restoring the previous ones after.
class InterruptCleanup {
 public:
  InterruptCleanup() {
    gTemporaryPath[0] = '\0';
    gSignalledDuringWrite = 0;
    struct sigaction action {};
    action.sa_handler = removeTemporaryAndReraise;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < std::size(kCleanupSignals); ++i)
      ::sigaction(kCleanupSignals[i], &action, &gPreviousActions[i]);
  }
  ~InterruptCleanup() {
    for (size_t i = 0; i < std::size(kCleanupSignals); ++i)
      ::sigaction(kCleanupSignals[i], &gPreviousActions[i], nullptr);
    gTemporaryPath[0] = '\0';
  }
  InterruptCleanup(const InterruptCleanup&) = delete;
  InterruptCleanup& operator=(const InterruptCleanup&) = delete;
};

QMutex& writerMutex() {
  static QMutex mutex;
  return mutex;
}

[[noreturn]] void throwCannotWrite(const QString& path, int errorNumber) {
  throwBadInput(path, QString(), QStringLiteral("cannot be written: %1").arg(systemReason(errorNumber)));
}

mode_t defaultFileMode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

// Checks what is at path now; returns where to write (a symbolic link's target) and its mode.
QString checkedTarget(const QString& path, ExistingFile existing, mode_t* mode) {
  struct stat status {};
  *mode = defaultFileMode();
  if (::stat(QFile::encodeName(path).constData(), &status) != 0) {
    if (errno != ENOENT) throwCannotWrite(path, errno);
    if (!QFileInfo(QFileInfo(path).absolutePath()).isDir())
      throwBadInput(path, QString(),
                    QStringLiteral("folder '%1' does not exist").arg(QFileInfo(path).absolutePath()));
    return path;
  }
  if (S_ISDIR(status.st_mode)) throwBadInput(path, QString(), QStringLiteral("is a directory"));
  if (existing == ExistingFile::Refuse)
    throwBadInput(path, kExistingFileField, QStringLiteral("already exists"));
  if (!S_ISREG(status.st_mode))
    throwBadInput(path, QString(),
                  QStringLiteral("is not a regular file (a device, FIFO or socket): never replaced"));
  if (isRememberedInput(status.st_dev, status.st_ino))
    throwBadInput(path, QString(),
                  QStringLiteral("is one of this command's inputs; an output never replaces an input"));
  *mode = status.st_mode & 07777;
  return QFileInfo(path).isSymLink() ? QFileInfo(path).canonicalFilePath() : path;
}

void writeAll(int fd, const QByteArray& bytes, const QString& path) {
  qint64 done = 0;
  while (done < bytes.size()) {
    const ssize_t written = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) throwCannotWrite(path, written < 0 ? errno : ENOSPC);
    done += written;
  }
  if (::fsync(fd) != 0 && errno != EINVAL) throwCannotWrite(path, errno);
}

// Moves temporary to target; with Refuse, fails (EEXIST) instead of replacing a file that
// appeared meanwhile: renameat2(RENAME_NOREPLACE), or link() where the file system lacks it.
void moveIntoPlace(const QByteArray& temporary, const QByteArray& target, ExistingFile existing,
                   const QString& path) {
  if (existing == ExistingFile::Replace) {
    if (::rename(temporary.constData(), target.constData()) != 0) throwCannotWrite(path, errno);
    return;
  }
  if (::renameat2(AT_FDCWD, temporary.constData(), AT_FDCWD, target.constData(), RENAME_NOREPLACE) == 0)
    return;
  int reason = errno;
  if (reason == EINVAL || reason == ENOSYS) {
    reason = ::link(temporary.constData(), target.constData()) == 0 ? 0 : errno;
    ::unlink(temporary.constData());
    if (reason == 0) return;
  }
  if (reason == EEXIST) throwBadInput(path, kExistingFileField, QStringLiteral("already exists"));
  throwCannotWrite(path, reason);
}

// mkstemp with the cleanup signals blocked until the handler knows the file's name.
int createTemporary(QByteArray& nameTemplate) {
  sigset_t blocked, previous;
  sigemptyset(&blocked);
  for (int signalNumber : kCleanupSignals) sigaddset(&blocked, signalNumber);
  ::pthread_sigmask(SIG_BLOCK, &blocked, &previous);
  const int fd = ::mkstemp(nameTemplate.data());
  const int reason = errno;
  if (fd >= 0) std::snprintf(gTemporaryPath, sizeof gTemporaryPath, "%s", nameTemplate.constData());
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = reason;
  return fd;
}

}  // namespace

void writeFileAtomically(const QString& path, const QByteArray& bytes, ExistingFile existing) {
  if (bytes.isEmpty())
    throw Error(ErrorKind::Internal, path, QString(),
                QStringLiteral("nothing to write: the output came out empty"));
  const QMutexLocker lock(&writerMutex());
  mode_t mode = 0;
  const QString target = checkedTarget(path, existing, &mode);
  const QFileInfo targetInfo(target);
  const QByteArray targetName = QFile::encodeName(target);
  QByteArray temporary = QFile::encodeName(
      QDir(targetInfo.absolutePath()).filePath(QStringLiteral(".%1.XXXXXX").arg(targetInfo.fileName())));
  const InterruptCleanup cleanup;
  int fd = createTemporary(temporary);
  if (fd < 0) throwCannotWrite(path, errno);
  try {
    if (::fchmod(fd, mode) != 0) throwCannotWrite(path, errno);
    writeAll(fd, bytes, path);
    const int closed = ::close(std::exchange(fd, -1));
    if (closed != 0) throwCannotWrite(path, errno);
    if (gSignalledDuringWrite) throw Cancelled();  // the temporary file is gone already
    moveIntoPlace(temporary, targetName, existing, path);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(temporary.constData());
    if (gSignalledDuringWrite) throw Cancelled();  // whatever failed, the signal removed the file first
    throw;
  }
}

}  // namespace sinkscope
