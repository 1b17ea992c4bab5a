#include "HubSettings.h"

#include "common/Error.h"

#include <QDir>
#include <QFile>
#include <QUrl>

namespace sinkscope::hub {

namespace {

QString expandHome(const QString& path) {
  if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
    return QDir::homePath() + path.mid(1);
  return path;
}

QString xdgCacheHome() {
  const QString value = qEnvironmentVariable("XDG_CACHE_HOME");
  return value.isEmpty() ? QDir::homePath() + QStringLiteral("/.cache") : expandHome(value);
}

QString endpointFromEnvironment() {
  QString endpoint = qEnvironmentVariable("HF_ENDPOINT").trimmed();
  if (endpoint.isEmpty()) return QStringLiteral("https://huggingface.co");
  while (endpoint.endsWith(QLatin1Char('/'))) endpoint.chop(1);
  const QUrl url(endpoint);
  if (!url.isValid() || (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")) ||
      url.host().isEmpty())
    throwUsage(QStringLiteral("HF_ENDPOINT"), QStringLiteral("'%1' is not an http(s) URL").arg(endpoint));
  return endpoint;
}

// huggingface_hub's order: HF_TOKEN, then the token file (HF_TOKEN_PATH, else $HF_HOME/token with
// HF_HOME defaulting to ${XDG_CACHE_HOME:-~/.cache}/huggingface). Whitespace around it is dropped.
QString tokenFromEnvironment() {
  const QString variable = qEnvironmentVariable("HF_TOKEN").trimmed();
  if (!variable.isEmpty()) return variable;
  QString path = expandHome(qEnvironmentVariable("HF_TOKEN_PATH"));
  if (path.isEmpty()) {
    const QString home = qEnvironmentVariable("HF_HOME");
    path = (home.isEmpty() ? xdgCacheHome() + QStringLiteral("/huggingface") : expandHome(home)) +
           QStringLiteral("/token");
  }
  QFile file(path);
  if (file.size() > 4096 || !file.open(QIODevice::ReadOnly)) return QString();  // a token is ~40 bytes
  return QString::fromUtf8(file.readAll()).trimmed();
}

int timeoutFromEnvironment() {
  const QString text = qEnvironmentVariable("SINKSCOPE_HUB_TIMEOUT_MS").trimmed();
  if (text.isEmpty()) return kDefaultHubTimeoutMs;
  bool ok = false;
  const int value = text.toInt(&ok);
  if (!ok || value < 1 || value > 600'000)
    throwUsage(QStringLiteral("SINKSCOPE_HUB_TIMEOUT_MS"),
               QStringLiteral("'%1' is not in [1, 600000]").arg(text));
  return value;
}

}  // namespace

bool environmentFlagIsTrue(const QString& value) {
  const QString upper = value.trimmed().toUpper();
  return upper == QLatin1String("1") || upper == QLatin1String("ON") || upper == QLatin1String("YES") ||
         upper == QLatin1String("TRUE");
}

HubSettings HubSettings::fromEnvironment() {
  HubSettings settings;
  settings.endpoint = endpointFromEnvironment();
  settings.token = tokenFromEnvironment();
  settings.offline = environmentFlagIsTrue(qEnvironmentVariable("HF_HUB_OFFLINE"));
  settings.timeoutMs = timeoutFromEnvironment();
  settings.cacheRoot = xdgCacheHome() + QStringLiteral("/sinkscope/hub");
  return settings;
}

}  // namespace sinkscope::hub
