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

  // A way around the error that names a value by core's field name (remedyField, e.g.
  // "token_ids"): remedy is a phrase with %1 where that value is named. Core never names a
  // front end's flag or control; each front end names its own (remedyNaming).
  Error& withRemedy(QString remedy, QString remedyField);
  const QString& remedy() const { return remedy_; }
  const QString& remedyField() const { return remedyField_; }
  // The same error with the remedy's value called `name` (a flag, a control) instead of its field.
  Error remedyNaming(const QString& name) const;
  // The same error (kind, message, remedy) at another source and field: a caller that knows better
  // what the user calls the thing at fault (the file, the element) says so.
  Error at(const QString& source, const QString& field) const;

  // "<source>: <field>: <message>; <remedy>", leaving out empty parts.
  QString describe() const;

 private:
  ErrorKind kind_;
  QString source_;
  QString field_;
  QString message_;
  QString remedy_;
  QString remedyField_;
  QString remedyName_;  // what the remedy calls its value: remedyField_ unless a front end renamed it
};

[[noreturn]] void throwBadInput(const QString& source, const QString& field, const QString& message);
[[noreturn]] void throwUsage(const QString& flag, const QString& message);

}  // namespace sinkscope
