// One asynchronous download of what SinkScope needs from a Hub repository: config.json and the
// safetensors headers (index + shard headers by HTTP range requests, or model.safetensors's).
// Not the cache and not the import into a ModelSpec: see HubImport.h. Needs a running event loop.
#pragma once

#include "HubSettings.h"
#include "catalog/HubId.h"
#include "catalog/ModelSpec.h"
#include "catalog/SafetensorsHeader.h"
#include "common/Error.h"

#include <QByteArray>
#include <QMap>
#include <QObject>
#include <QUrl>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace sinkscope::hub {

// Caps on what a response may hold (docs/catalog.md "Hub import"); larger is refused.
inline constexpr qint64 kMaxConfigBytes = 4ll << 20;
inline constexpr qint64 kMaxIndexBytes = 64ll << 20;
inline constexpr qint64 kHeaderProbeBytes = 64ll << 10;  // first range request of a header
inline constexpr int kMaxRedirects = 10;
inline constexpr int kParallelHeaderRequests = 4;

// What a repository gave.
struct HubFiles {
  QByteArray config;                         // config.json, as served
  std::optional<CheckpointWeights> weights;  // none: no safetensors in the repository
};

class HubFetch : public QObject {
  Q_OBJECT
 public:
  HubFetch(HubId id, HubSettings settings, QObject* parent = nullptr);
  ~HubFetch() override;

  void start();
  void cancel();  // finished() follows with error() "cancelled"
  bool done() const { return done_; }
  const std::optional<Error>& error() const { return error_; }  // set when it failed
  const HubFiles& files() const { return files_; }
  int requestsMade() const { return requestsMade_; }

 signals:
  void progress(const QString& stage, int step, int steps);
  void finished();

 private:
  struct Request {
    QString file;
    qint64 rangeBegin = -1;  // -1: the whole file
    qint64 rangeEnd = -1;    // inclusive
    qint64 limit = 0;        // bytes kept; more is cut off (truncated) and the transfer stops
    bool optional = false;   // a 404 calls absent instead of failing
    std::function<void(const QByteArray& body, int status, bool truncated)> done;
    std::function<void()> absent;
  };
  struct InFlight;

  void send(const Request& request, const QUrl& url, int hop);
  void onReadyRead(QNetworkReply* reply);
  void onFinished(QNetworkReply* reply);
  void handleStatus(QNetworkReply* reply, const InFlight& flight);
  [[noreturn]] void throwForStatus(QNetworkReply* reply, const Request& request, int status);
  void fail(const QString& field, const QString& message);
  void finish();

  void fetchConfig();
  void fetchIndex();
  void fetchSingleHeader();
  void fetchHeader(const QString& file, std::function<void(const QByteArray& header)> done);
  void pumpShardHeaders();
  void finishWeights(const QString& source);

  QUrl fileUrl(const QString& file) const;
  QString source() const { return id_.display(); }

  HubId id_;
  HubSettings settings_;
  QNetworkAccessManager* network_;
  std::optional<Error> error_;
  HubFiles files_;
  bool done_ = false;
  int requestsMade_ = 0;
  // The shard headers still to read and the summary so far.
  std::deque<QString> shardsToRead_;
  int shardsInFlight_ = 0;
  int shardsDone_ = 0;
  int shardCount_ = 0;
  qint64 indexTotalSize_ = 0;
  bool fromIndex_ = false;
  QByteArray firstProbe_;      // the first bytes of model.safetensors, read while probing for it
  SafetensorsSummary totals_;  // over the shards read so far
  std::map<QNetworkReply*, std::unique_ptr<InFlight>> inFlight_;
};

// Runs fetch to its end inside a local event loop (the command line); throws its error.
void runToCompletion(HubFetch& fetch);

}  // namespace sinkscope::hub
