#include "common/InputFile.h"

#include "common/Error.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QFile>
#include <QMutex>
#include <QMutexLocker>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <utility>

namespace sinkscope {

namespace {

QMutex& inputsMutex() {
  static QMutex mutex;
  return mutex;
}

std::set<std::pair<dev_t, ino_t>>& inputs() {
  static std::set<std::pair<dev_t, ino_t>> set;
  return set;
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(Descriptor&& other) noexcept : fd_(other.release()) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

[[noreturn]] void throwTooLarge(const QString& path, const QString& field, qint64 maxBytes) {
  throwBadInput(path, field, QStringLiteral("more than %1 bytes, above the limit").arg(maxBytes));
}

QByteArray readResource(const QString& path, qint64 maxBytes, const QString& sizeField) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    throwBadInput(path, QString(), QStringLiteral("cannot open: no such resource"));
  if (file.size() > maxBytes) throwTooLarge(path, sizeField, maxBytes);
  return file.readAll();
}

// Waits at most timeoutMs until fd has bytes or end of file; false when it stayed silent.
bool waitReadable(int fd, int timeoutMs) {
  pollfd entry{fd, POLLIN, 0};
  for (;;) {
    const int ready = ::poll(&entry, 1, timeoutMs);
    if (ready >= 0) return ready > 0;
    if (errno != EINTR) return false;
  }
}

// A pipe, FIFO or device, read once: what was read so far and, until end of file, the open
// descriptor, so that a later reader (a sniff, then the parser) continues where the last stopped.
struct Stream {
  QByteArray bytes;
  int fd = -1;       // -1 once end of file was reached
  dev_t device = 0;  // what path named when it was opened (an inode number is reused at once:
  ino_t inode = 0;   // the kind of file tells a folder made where the FIFO was from the FIFO)
  mode_t kind = 0;   // st_mode & S_IFMT
};

QMutex& streamsMutex() {
  static QMutex mutex;
  return mutex;
}

std::map<QString, Stream>& streams() {
  static std::map<QString, Stream> map;
  return map;
}

// The one rule for streams (docs/limits.md, "Devices and pipes"): a stream is never waited on. It
// gets kInputFirstBytesMs for its first bytes and kInputIdleTimeoutMs between later ones.
[[noreturn]] void throwSilentStream(const QString& path, bool started) {
  if (started)
    throwBadInput(
        path, QString(),
        QStringLiteral("sent nothing for %1 s after its first bytes (a pipe or device that stalled)")
            .arg(kInputIdleTimeoutMs / 1000));
  throwBadInput(path, QString(),
                QStringLiteral("nothing to read: a pipe, FIFO or device whose writer sent nothing within "
                               "%1 ms is not waited on (save the data to a file first)")
                    .arg(kInputFirstBytesMs));
}

// Reads stream until end of file or until it holds more than wanted bytes.
void readStreamUpTo(Stream& stream, const QString& path, qint64 wanted) {
  char chunk[65536];
  while (stream.fd >= 0 && stream.bytes.size() <= wanted) {
    const qint64 room = std::min<qint64>(qint64(sizeof chunk), wanted + 1 - stream.bytes.size());
    const ssize_t got = ::read(stream.fd, chunk, size_t(room));
    if (got > 0) {
      stream.bytes.append(chunk, qsizetype(got));
    } else if (got == 0) {
      ::close(stream.fd);
      stream.fd = -1;  // empty (a FIFO without a writer): the parser refuses it as it refuses an empty file
    } else if (errno != EINTR) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) throwCannotOpen(path, errno);
      const bool started = !stream.bytes.isEmpty();
      if (!waitReadable(stream.fd, started ? kInputIdleTimeoutMs : kInputFirstBytesMs))
        throwSilentStream(path, started);
    }
  }
}

// The stream path was read as, while path still names the same file; a stale one (the path now
// names another file, or nothing) is forgotten and end() returned.
std::map<QString, Stream>::iterator knownStream(const QString& path) {
  auto cached = streams().find(path);
  if (cached == streams().end()) return cached;
  struct stat status {};
  if (::stat(QFile::encodeName(path).constData(), &status) == 0 && status.st_dev == cached->second.device &&
      status.st_ino == cached->second.inode && (status.st_mode & S_IFMT) == cached->second.kind)
    return cached;
  if (cached->second.fd >= 0) ::close(cached->second.fd);
  streams().erase(cached);
  return streams().end();
}

// A stream of path, opened as fd; status is what fstat said of it.
std::map<QString, Stream>::iterator addStream(const QString& path, Descriptor fd, const struct stat& status) {
  const auto added = streams().try_emplace(path).first;
  added->second.fd = fd.release();
  added->second.device = status.st_dev;
  added->second.inode = status.st_ino;
  added->second.kind = status.st_mode & S_IFMT;
  return added;
}

// readStreamUpTo, forgetting the stream when it fails: a later attempt opens the path afresh.
void readKnownStreamUpTo(std::map<QString, Stream>::iterator stream, const QString& path, qint64 wanted) {
  try {
    readStreamUpTo(stream->second, path, wanted);
  } catch (...) {
    if (stream->second.fd >= 0) ::close(stream->second.fd);
    streams().erase(stream);
    throw;
  }
}

QByteArray readRegular(int fd, const QString& path, qint64 size, qint64 maxBytes, const QString& sizeField) {
  if (size > maxBytes)
    throwBadInput(path, sizeField,
                  QStringLiteral("%1 bytes, above the %2-byte limit").arg(size).arg(maxBytes));
  QByteArray bytes(qsizetype(size), Qt::Uninitialized);
  qint64 done = 0;
  while (done < size) {
    const ssize_t got = ::read(fd, bytes.data() + done, size_t(size - done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throwCannotOpen(path, errno);
    if (got == 0) break;  // the file shrank while it was read
    done += got;
  }
  bytes.truncate(qsizetype(done));
  return bytes;
}

}  // namespace

QString systemReason(int errorNumber) {
  QString reason = QString::fromLocal8Bit(std::strerror(errorNumber));
  if (!reason.isEmpty()) reason[0] = reason[0].toLower();
  if (errorNumber == ELOOP) reason += QStringLiteral(" (a symbolic link loop)");
  return reason;
}

void throwCannotOpen(const QString& path, int errorNumber) {
  throwBadInput(path, QString(), QStringLiteral("cannot open: %1").arg(systemReason(errorNumber)));
}

int inputStatError(const QString& path) {
  struct stat status {};
  return ::stat(QFile::encodeName(path).constData(), &status) == 0 ? 0 : errno;
}

// Opens path for reading without blocking (O_NONBLOCK: a FIFO without a writer returns at once
// instead of waiting for one) and fills status; a folder or an open failure throws naming path.
static Descriptor openInput(const QString& path, struct stat& status) {
  Descriptor fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) throwCannotOpen(path, errno);
  if (::fstat(fd.get(), &status) != 0) throwCannotOpen(path, errno);
  if (S_ISDIR(status.st_mode)) throwCannotOpen(path, EISDIR);
  return fd;
}

InputStatus statInput(const QString& path) {
  struct stat status {};
  if (::stat(QFile::encodeName(path).constData(), &status) != 0) throwCannotOpen(path, errno);
  return InputStatus{S_ISREG(status.st_mode), S_ISDIR(status.st_mode), qint64(status.st_size)};
}

QByteArray readInputBytes(const QString& path, qint64 maxBytes, const QString& sizeField) {
  if (path.startsWith(QLatin1Char(':'))) return readResource(path, maxBytes, sizeField);
  const QMutexLocker lock(&streamsMutex());
  auto cached = knownStream(path);
  if (cached == streams().end()) {
    struct stat status {};
    Descriptor fd = openInput(path, status);
    rememberInput(status.st_dev, status.st_ino);
    if (S_ISREG(status.st_mode))
      return readRegular(fd.get(), path, qint64(status.st_size), maxBytes, sizeField);
    cached = addStream(path, std::move(fd), status);
  }
  readKnownStreamUpTo(cached, path, maxBytes);
  if (cached->second.bytes.size() > maxBytes) throwTooLarge(path, sizeField, maxBytes);
  return cached->second.bytes;
}

QByteArray peekInput(const QString& path, qint64 count) {
  if (path.startsWith(QLatin1Char(':'))) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.read(count) : QByteArray();
  }
  const QMutexLocker lock(&streamsMutex());
  auto cached = knownStream(path);
  if (cached == streams().end()) {
    struct stat status {};
    Descriptor fd = openInput(path, status);
    if (S_ISREG(status.st_mode)) {
      QByteArray bytes(qsizetype(count), Qt::Uninitialized);
      const ssize_t got = ::read(fd.get(), bytes.data(), size_t(count));
      bytes.truncate(got > 0 ? qsizetype(got) : 0);
      return bytes;
    }
    cached = addStream(path, std::move(fd), status);
  }
  readKnownStreamUpTo(cached, path, count - 1);
  return cached->second.bytes.left(qsizetype(count));
}

void rememberInput(dev_t device, ino_t inode) {
  const QMutexLocker lock(&inputsMutex());
  inputs().insert({device, inode});
}

bool isRememberedInput(dev_t device, ino_t inode) {
  const QMutexLocker lock(&inputsMutex());
  return inputs().count({device, inode}) > 0;
}

}  // namespace sinkscope
