// The one error type SinkScope throws for bad input, bad usage or internal failure, with the
// file and field at fault. Not for control flow: callers catch it at the command or dialog level.
#pragma once

#include <QString>
#include <stdexcept>

namespace sinkscope {

enum class ErrorKind {
  Usage = 2,     // a bad command-line flag or value
  BadInput = 3,  // a missing, malformed or impossible file or value
  Internal = 4,  // a bug or an unexpected failure of ours
};

class Error : public std::runtime_error {
 public:
  // source: the file (or flag) at fault, may be empty; field: the key or element at fault.
  Error(ErrorKind kind, QString source, QString field, QString message);

  ErrorKind kind() const { return kind_; }
  int exitCode() const { return static_cast<int>(kind_); }
  const QString& source() const { return source_; }
  const QString& field() const { return field_; }
  const QString& message() const { return message_; }
  // "<source>: <field>: <message>", leaving out empty parts.
  QString describe() const;

 private:
  ErrorKind kind_;
  QString source_;
  QString field_;
  QString message_;
};

[[noreturn]] void throwBadInput(const QString& source, const QString& field, const QString& message);
[[noreturn]] void throwUsage(const QString& flag, const QString& message);

}  // namespace sinkscope
