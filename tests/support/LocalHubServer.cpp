#include "LocalHubServer.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QtEndian>

namespace sinkscope::test {

namespace {

QByteArray reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 302:
      return "Found";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    default:
      return "Status";
  }
}

QByteArray headerValue(const QByteArray& request, const QByteArray& name) {
  for (const QByteArray& line : request.split('\n')) {
    const qsizetype colon = line.indexOf(':');
    if (colon > 0 && line.left(colon).trimmed().toLower() == name.toLower())
      return line.mid(colon + 1).trimmed();
  }
  return QByteArray();
}

// One thread owning the QTcpServer; sockets answer as soon as their request head is complete.
class ServerThread : public QThread {
 public:
  ServerThread(LocalHubServer* owner, quint16* port, QSemaphore* ready)
      : owner_(owner), port_(port), ready_(ready) {}

 protected:
  void run() override {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0)) qFatal("LocalHubServer: cannot listen on 127.0.0.1");
    *port_ = server.serverPort();
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, this] {
      while (QTcpSocket* socket = server.nextPendingConnection()) {
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, this] {
          QByteArray& seen = buffers_[socket];
          seen += socket->readAll();
          if (!seen.contains("\r\n\r\n")) return;
          bool stall = false;
          const QByteArray response = owner_->answer(seen, &stall);
          seen.clear();
          if (stall) return;
          socket->write(response);
          socket->disconnectFromHost();
        });
      }
    });
    ready_->release();
    exec();
  }

 private:
  LocalHubServer* owner_;
  quint16* port_;
  QSemaphore* ready_;
  QMap<QTcpSocket*, QByteArray> buffers_;
};

}  // namespace

LocalHubServer::LocalHubServer() {
  QSemaphore ready;
  thread_ = new ServerThread(this, &port_, &ready);
  thread_->start();
  ready.acquire();
}

LocalHubServer::~LocalHubServer() {
  thread_->quit();
  thread_->wait();
  delete thread_;
}

void LocalHubServer::setResponse(const QString& path, const RecordedResponse& response) {
  QMutexLocker lock(&mutex_);
  responses_[path] = response;
}

QString LocalHubServer::endpoint() const {
  return QStringLiteral("http://127.0.0.1:%1").arg(port_);
}

QList<ReceivedRequest> LocalHubServer::requests() const {
  QMutexLocker lock(&mutex_);
  return requests_;
}

QByteArray LocalHubServer::answer(const QByteArray& request, bool* stall) {
  const QList<QByteArray> firstLine = request.left(request.indexOf('\r')).split(' ');
  const QString path = QString::fromUtf8(QByteArray::fromPercentEncoding(firstLine.value(1)));
  QMutexLocker lock(&mutex_);
  requests_.append(
      {path, firstLine.value(1), headerValue(request, "Range"), headerValue(request, "Authorization")});
  RecordedResponse response{404, "Entry not found", {{"X-Error-Code", "EntryNotFound"}}, false};
  if (responses_.contains(path)) response = responses_.value(path);
  *stall = response.stall;
  QByteArray body = response.body;
  int status = response.status;
  QList<QPair<QByteArray, QByteArray>> headers = response.headers;
  static const QRegularExpression rangePattern(QStringLiteral("^bytes=(\\d+)-(\\d+)$"));
  const auto range = rangePattern.match(QString::fromLatin1(headerValue(request, "Range")));
  if (status == 200 && range.hasMatch()) {
    const qint64 begin = range.captured(1).toLongLong();
    const qint64 end = std::min<qint64>(range.captured(2).toLongLong(), body.size() - 1);
    headers.append(
        {"Content-Range", QStringLiteral("bytes %1-%2/%3").arg(begin).arg(end).arg(body.size()).toLatin1()});
    body = body.mid(begin, end - begin + 1);
    status = 206;
  }
  QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
  out += "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  return out + "\r\n" + body;
}

QByteArray safetensorsPrefix(const QByteArray& headerJson) {
  QByteArray length(8, '\0');
  qToLittleEndian<quint64>(quint64(headerJson.size()), length.data());
  return length + headerJson;
}

}  // namespace sinkscope::test
