// A stand-in for the Hugging Face Hub in tests: an HTTP/1.1 server on 127.0.0.1 only, in its own
// thread, answering recorded responses by path (ranges honoured, stalls on request). Not a
// general web server and never reachable from outside the machine.
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QPair>
#include <QString>
#include <QStringList>
#include <memory>

class QThread;

namespace sinkscope::test {

struct RecordedResponse {
  int status = 200;
  QByteArray body;
  QList<QPair<QByteArray, QByteArray>> headers;  // extra headers, e.g. X-Error-Code, Location
  bool stall = false;                            // accept, read the request, never answer
};

struct ReceivedRequest {
  QString path;              // percent-decoded
  QByteArray target;         // as sent on the request line
  QByteArray range;          // the Range header, empty when none
  QByteArray authorization;  // the Authorization header, empty when none
};

class LocalHubServer {
 public:
  LocalHubServer();
  ~LocalHubServer();
  LocalHubServer(const LocalHubServer&) = delete;
  LocalHubServer& operator=(const LocalHubServer&) = delete;

  // Paths are the URL path, e.g. "/org/name/resolve/main/config.json"; anything else is 404
  // with X-Error-Code: EntryNotFound, as the Hub answers for a file a repository lacks.
  void setResponse(const QString& path, const RecordedResponse& response);
  QString endpoint() const;  // "http://127.0.0.1:<port>"
  QList<ReceivedRequest> requests() const;

  // What the thread calls; not for tests.
  QByteArray answer(const QByteArray& request, bool* stall);

 private:
  mutable QMutex mutex_;
  QMap<QString, RecordedResponse> responses_;
  QList<ReceivedRequest> requests_;
  quint16 port_ = 0;
  QThread* thread_ = nullptr;
};

// A safetensors file's first bytes: the 8-byte little-endian length and the JSON header.
QByteArray safetensorsPrefix(const QByteArray& headerJson);

}  // namespace sinkscope::test
