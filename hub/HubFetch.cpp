#include "HubFetch.h"

#include "catalog/SafetensorsHeader.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <cmath>

namespace sinkscope::hub {

struct HubFetch::InFlight {
  Request request;
  QByteArray body;
  bool truncated = false;
  bool timedOut = false;
  int hop = 0;
  QTimer* timer = nullptr;
};

namespace {

QString dtypeShares(const QMap<QString, qint64>& bytesByDtype, qint64 total) {
  QStringList parts;
  if (bytesByDtype.size() == 1) return bytesByDtype.firstKey();
  for (auto it = bytesByDtype.begin(); it != bytesByDtype.end(); ++it)
    parts << QStringLiteral("%1 %2%").arg(it.key()).arg(
        total > 0 ? std::round(100.0 * double(it.value()) / double(total)) : 0.0);
  return parts.join(QStringLiteral(", "));
}

bool redirectStatus(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

HubFetch::HubFetch(HubId id, HubSettings settings, QObject* parent)
    : QObject(parent),
      id_(std::move(id)),
      settings_(std::move(settings)),
      network_(new QNetworkAccessManager(this)) {
  // https_proxy / http_proxy / no_proxy apply, as they do for huggingface_hub (through requests).
  QNetworkProxyFactory::setUseSystemConfiguration(true);
}

HubFetch::~HubFetch() {
  for (auto& [reply, flight] : inFlight_) {
    flight->timer->stop();
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
  }
}

void HubFetch::start() {
  if (settings_.offline) {
    fail(QString(), QStringLiteral("not in the cache and HF_HUB_OFFLINE is set (unset it to download)"));
    return;
  }
  fetchConfig();
}

void HubFetch::cancel() {
  if (!done_) fail(QString(), QStringLiteral("cancelled"));
}

QUrl HubFetch::fileUrl(const QString& file) const {
  // huggingface_hub's hf_hub_url: {endpoint}/{repo_id}/resolve/{quote(revision, safe="")}/{quote(filename)}
  const QString revision = QString::fromLatin1(QUrl::toPercentEncoding(id_.revision));
  const QString name = QString::fromLatin1(QUrl::toPercentEncoding(file, "/"));
  return QUrl(settings_.endpoint + QLatin1Char('/') + id_.repo + QStringLiteral("/resolve/") + revision +
                  QLatin1Char('/') + name,
              QUrl::StrictMode);
}

void HubFetch::send(const Request& request, const QUrl& url, int hop) {
  QNetworkRequest networkRequest(url);
  networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                              QNetworkRequest::ManualRedirectPolicy);
  networkRequest.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("sinkscope"));
  // The token goes only to the endpoint's own host, as huggingface_hub drops it on a redirect elsewhere.
  if (!settings_.token.isEmpty() && url.host() == QUrl(settings_.endpoint).host())
    networkRequest.setRawHeader("Authorization", "Bearer " + settings_.token.toUtf8());
  if (request.rangeBegin >= 0)
    networkRequest.setRawHeader(
        "Range", QStringLiteral("bytes=%1-%2").arg(request.rangeBegin).arg(request.rangeEnd).toLatin1());
  QNetworkReply* reply = network_->get(networkRequest);
  reply->setReadBufferSize(
      std::max<qint64>(request.limit, 64 << 10));  // a server ignoring Range is not read to its end
  ++requestsMade_;
  auto flight = std::make_unique<InFlight>();
  flight->request = request;
  flight->hop = hop;
  flight->timer = new QTimer(reply);
  flight->timer->setSingleShot(true);
  flight->timer->setInterval(settings_.timeoutMs);
  connect(flight->timer, &QTimer::timeout, this, [this, reply] {
    const auto it = inFlight_.find(reply);
    if (it == inFlight_.end()) return;
    it->second->timedOut = true;
    reply->abort();
  });
  flight->timer->start();
  inFlight_[reply] = std::move(flight);
  connect(reply, &QNetworkReply::readyRead, this, [this, reply] { onReadyRead(reply); });
  connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
}

void HubFetch::onReadyRead(QNetworkReply* reply) {
  InFlight& flight = *inFlight_.at(reply);
  flight.timer->start();  // the timeout counts silence, not the whole transfer
  const qint64 room = flight.request.limit - flight.body.size();
  flight.body += reply->read(std::max<qint64>(room, 0));
  if (reply->bytesAvailable() > 0 || (flight.body.size() >= flight.request.limit && !reply->isFinished())) {
    flight.truncated = reply->bytesAvailable() > 0 ||
                       reply->header(QNetworkRequest::ContentLengthHeader).toLongLong() > flight.body.size();
    if (flight.truncated) reply->abort();
  }
}

void HubFetch::onFinished(QNetworkReply* reply) {
  const auto node = inFlight_.extract(reply);
  reply->deleteLater();
  if (node.empty() || done_) return;
  const InFlight& flight = *node.mapped();
  flight.timer->stop();
  try {
    if (flight.timedOut)
      fail(flight.request.file,
           QStringLiteral("no answer from %1 within %2 s (no network? set HF_HUB_OFFLINE=1 to use the cache)")
               .arg(settings_.endpoint)
               .arg(settings_.timeoutMs / 1000.0));
    else
      handleStatus(reply, flight);
  } catch (const Error& error) {
    if (!done_) {
      error_ = error;
      finish();
    }
  }
}

void HubFetch::handleStatus(QNetworkReply* reply, const InFlight& flight) {
  const Request& request = flight.request;
  const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
  if (!statusAttribute.isValid()) {  // no HTTP answer at all
    fail(request.file,
         QStringLiteral("cannot reach %1: %2 (no network? set HF_HUB_OFFLINE=1 to use the cache)")
             .arg(settings_.endpoint, reply->errorString()));
    return;
  }
  const int status = statusAttribute.toInt();
  if (redirectStatus(status)) {
    const QUrl target = reply->url().resolved(QUrl(QString::fromUtf8(reply->rawHeader("Location"))));
    if (flight.hop >= kMaxRedirects)
      fail(request.file, QStringLiteral("more than %1 redirects").arg(kMaxRedirects));
    else if (!target.isValid() ||
             (target.scheme() != QLatin1String("https") && target.scheme() != QLatin1String("http")))
      fail(request.file, QStringLiteral("redirected to an unusable address"));
    else
      send(request, target, flight.hop + 1);
    return;
  }
  if (status == 404 && request.optional && reply->rawHeader("X-Error-Code") != "RevisionNotFound" &&
      reply->rawHeader("X-Error-Code") != "RepoNotFound") {
    request.absent();
    return;
  }
  if (status != 200 && status != 206) throwForStatus(reply, request, status);
  if (reply->error() != QNetworkReply::NoError && !flight.truncated) {
    fail(request.file,
         QStringLiteral("transfer from %1 broke off: %2").arg(settings_.endpoint, reply->errorString()));
    return;
  }
  request.done(flight.body, status, flight.truncated);
}

void HubFetch::throwForStatus(QNetworkReply* reply, const Request& request, int status) {
  // The Hub's X-Error-Code header tells a missing repository from a gated one (huggingface_hub's
  // hf_raise_for_status reads it the same way).
  const QByteArray code = reply->rawHeader("X-Error-Code");
  const QString page = id_.modelPageUrl(settings_.endpoint);
  if (code == "RepoNotFound")
    throwBadInput(source(), request.file,
                  QStringLiteral("no such model on %1 (HTTP %2); if it is private, set HF_TOKEN")
                      .arg(settings_.endpoint)
                      .arg(status));
  if (code == "RevisionNotFound")
    throwBadInput(source(), request.file,
                  QStringLiteral("no such revision '%1' (HTTP 404)").arg(id_.revision));
  if (status == 401 || status == 403)
    throwBadInput(source(), request.file,
                  QStringLiteral("gated or private model (HTTP %1): accept the licence on %2 and set "
                                 "HF_TOKEN (or log in with the Hugging Face tools)")
                      .arg(status)
                      .arg(page));
  if (status == 404 && code == "EntryNotFound")
    throwBadInput(
        source(), request.file,
        QStringLiteral("the repository has no %1 (HTTP 404)%2")
            .arg(request.file,
                 request.file == QLatin1String("config.json")
                     ? QStringLiteral("; for a GGUF-only repository, download the .gguf and pass its path")
                     : QString()));
  if (status == 404)
    throwBadInput(source(), request.file,
                  QStringLiteral("no such model or revision on %1 (HTTP 404)").arg(settings_.endpoint));
  throwBadInput(source(), request.file,
                QStringLiteral("%1 answered HTTP %2").arg(settings_.endpoint).arg(status));
}

void HubFetch::fail(const QString& field, const QString& message) {
  if (done_) return;
  error_ = Error(ErrorKind::BadInput, source(), field, message);
  finish();
}

void HubFetch::finish() {
  if (done_) return;
  done_ = true;
  for (auto& [reply, flight] : inFlight_) {
    flight->timer->stop();
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
  }
  inFlight_.clear();
  emit finished();
}

void HubFetch::fetchConfig() {
  emit progress(QStringLiteral("config.json"), 0, 3);
  Request request;
  request.file = QStringLiteral("config.json");
  request.limit = kMaxConfigBytes + 1;
  request.done = [this](const QByteArray& body, int, bool truncated) {
    if (truncated || body.size() > kMaxConfigBytes)
      return fail(QStringLiteral("config.json"),
                  QStringLiteral("larger than %1 bytes; not a config.json").arg(kMaxConfigBytes));
    files_.config = body;
    fetchIndex();
  };
  send(request, fileUrl(request.file), 0);
}

void HubFetch::fetchIndex() {
  emit progress(QStringLiteral("model.safetensors.index.json"), 1, 3);
  Request request;
  request.file = QStringLiteral("model.safetensors.index.json");
  request.optional = true;
  request.limit = kMaxIndexBytes + 1;
  request.absent = [this] { fetchSingleHeader(); };
  request.done = [this, file = request.file](const QByteArray& body, int, bool truncated) {
    if (truncated || body.size() > kMaxIndexBytes)
      return fail(file, QStringLiteral("larger than %1 bytes").arg(kMaxIndexBytes));
    const SafetensorsIndex index = parseSafetensorsIndex(body, source() + QStringLiteral(": ") + file);
    indexTotalSize_ = index.totalSizeBytes;
    fromIndex_ = true;
    shardCount_ = int(index.shardFiles.size());
    shardsToRead_.assign(index.shardFiles.begin(), index.shardFiles.end());
    pumpShardHeaders();
  };
  send(request, fileUrl(request.file), 0);
}

void HubFetch::fetchSingleHeader() {
  emit progress(QStringLiteral("model.safetensors header"), 2, 3);
  Request probe;
  probe.file = QStringLiteral("model.safetensors");
  probe.optional = true;
  probe.absent = [this] { finish(); };  // no safetensors: the figures come from the config
  probe.rangeBegin = 0;
  probe.rangeEnd = kHeaderProbeBytes - 1;
  probe.limit = kHeaderProbeBytes;
  // The probe's answer goes through the same path as a shard's header.
  shardCount_ = 1;
  shardsToRead_.clear();
  Request first = probe;
  first.done = [this](const QByteArray& body, int status, bool truncated) {
    Q_UNUSED(status);
    Q_UNUSED(truncated);
    shardsToRead_.push_back(QStringLiteral("model.safetensors"));
    firstProbe_ = body;
    pumpShardHeaders();
  };
  send(first, fileUrl(first.file), 0);
}

void HubFetch::fetchHeader(const QString& file, std::function<void(const QByteArray& header)> done) {
  const QString where = source() + QStringLiteral(": ") + file;
  auto withPrefix = [this, file, where, done](const QByteArray& prefix) {
    const qint64 length = safetensorsHeaderLength(prefix, where);
    if (prefix.size() >= 8 + length) return done(prefix.mid(8, length));
    Request rest;
    rest.file = file;
    rest.rangeBegin = prefix.size();
    rest.rangeEnd = 8 + length - 1;
    rest.limit = 8 + length;
    rest.done = [prefix, length, done, where](const QByteArray& body, int status, bool) {
      const QByteArray whole = status == 206 ? prefix + body : body;  // 200: the server ignored Range
      if (whole.size() < 8 + length)
        throwBadInput(where, QStringLiteral("header"), QStringLiteral("shorter than its stated length"));
      done(whole.mid(8, length));
    };
    send(rest, fileUrl(file), 0);
  };
  if (file == QLatin1String("model.safetensors") && !firstProbe_.isNull()) {
    const QByteArray prefix = firstProbe_;
    firstProbe_.clear();
    return withPrefix(prefix);
  }
  Request probe;
  probe.file = file;
  probe.rangeBegin = 0;
  probe.rangeEnd = kHeaderProbeBytes - 1;
  probe.limit = kHeaderProbeBytes;
  probe.done = [withPrefix](const QByteArray& body, int, bool) { withPrefix(body); };
  send(probe, fileUrl(file), 0);
}

void HubFetch::pumpShardHeaders() {
  while (!done_ && shardsInFlight_ < kParallelHeaderRequests && !shardsToRead_.empty()) {
    const QString file = shardsToRead_.front();
    shardsToRead_.pop_front();
    ++shardsInFlight_;
    fetchHeader(file, [this, file](const QByteArray& header) {
      const QString shard = source() + QStringLiteral(": ") + file;
      totals_.add(parseSafetensorsHeader(header, shard), shard);
      --shardsInFlight_;
      ++shardsDone_;
      emit progress(QStringLiteral("safetensors headers"), shardsDone_, shardCount_);
      pumpShardHeaders();
    });
  }
  if (!done_ && shardsInFlight_ == 0 && shardsToRead_.empty()) {
    QString sourceText =
        fromIndex_
            ? QStringLiteral("the safetensors headers of %1 shards named by model.safetensors.index.json")
                  .arg(shardCount_)
            : QStringLiteral("the safetensors header of model.safetensors");
    if (fromIndex_ && indexTotalSize_ != totals_.bytes)
      sourceText += QStringLiteral(" (the index's total_size says %1 bytes)").arg(indexTotalSize_);
    finishWeights(sourceText);
  }
}

void HubFetch::finishWeights(const QString& sourceText) {
  CheckpointWeights weights;
  weights.parameters = totals_.parameters;
  weights.bytes = totals_.bytes;
  weights.dtypes = dtypeShares(totals_.bytesByDtype, totals_.bytes);
  weights.source = sourceText;
  files_.weights = weights;
  finish();
}

void runToCompletion(HubFetch& fetch) {
  QEventLoop loop;
  QObject::connect(&fetch, &HubFetch::finished, &loop, &QEventLoop::quit);
  fetch.start();
  if (!fetch.done()) loop.exec();
  if (fetch.error()) throw *fetch.error();
}

}  // namespace sinkscope::hub
