// Reading the files SinkScope is given (docs/limits.md, "Threat model"): the system's reason kept
// when a file cannot be opened, sizes bounded before any allocation, and pipes, FIFOs and devices
// read once, with a bound and an idle timeout, never waited on. Not a parser of what is read.
#pragma once

#include <sys/types.h>
#include <QByteArray>
#include <QString>

namespace sinkscope {

// A pipe, FIFO or device is never waited on (docs/limits.md, "Devices and pipes"): one that holds
// nothing when it is first read gets this long for its first bytes (a process substitution's
// producer starts alongside SinkScope), then it is refused; one without a writer is refused at once.
inline constexpr int kInputFirstBytesMs = 250;
// A stream that has started sending and then stays silent this long is refused.
inline constexpr int kInputIdleTimeoutMs = 5000;

// What stat() says about a path that exists; Error(BadInput) naming the path with the system's
// reason (no such file, permission denied, symlink loop, name too long, ...) when it does not.
struct InputStatus {
  bool regular = false;
  bool directory = false;
  qint64 size = 0;  // st_size; meaningless for pipes and devices
};
InputStatus statInput(const QString& path);
// 0 when stat() succeeds on path, else its errno (ENOENT: not there).
int inputStatError(const QString& path);
// The system's reason for errno value, in lower case ("no such file or directory").
QString systemReason(int errorNumber);
// Error(BadInput): "path: cannot open: <reason>".
[[noreturn]] void throwCannotOpen(const QString& path, int errorNumber);

// The whole file, at most maxBytes: a regular file larger than that is refused before it is
// read; a pipe, FIFO or device is read until end of file, refused at maxBytes + 1 bytes, when it
// ends without a byte (a FIFO without a writer), when its first bytes are not there within
// kInputFirstBytesMs or when it stays silent for kInputIdleTimeoutMs after that. Qt resource paths (":/...")
// are read from the binary. Errors name the path, and the field sizeField for a size above the limit.
QByteArray readInputBytes(const QString& path, qint64 maxBytes,
                          const QString& sizeField = QStringLiteral("size"));

// The first count bytes of path (fewer at end of file), to tell formats apart. A pipe, FIFO or
// device keeps what was read for the next readInputBytes of the same path: nothing is consumed.
QByteArray peekInput(const QString& path, qint64 count);

// Every file read through this unit is remembered (device and inode) so that an output never
// replaces one of the command's own inputs.
void rememberInput(dev_t device, ino_t inode);
bool isRememberedInput(dev_t device, ino_t inode);

}  // namespace sinkscope
