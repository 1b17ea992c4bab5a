#include "catalog/HubId.h"

#include <QRegularExpression>

namespace sinkscope {

namespace {

// docs/catalog.md "Hub ids": huggingface_hub's validate_repo_id rules.
constexpr qsizetype kMaxRepoIdLength = 96;
constexpr qsizetype kMaxRevisionLength = 255;

bool validPart(const QString& part) {
  static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$"));
  return pattern.match(part).hasMatch();
}

bool fileName(const QString& text) {
  for (const char* suffix : {".json", ".gguf", ".safetensors"})
    if (text.endsWith(QLatin1String(suffix), Qt::CaseInsensitive)) return true;
  return false;
}

bool validRevision(const QString& revision) {
  if (revision.isEmpty() || revision.size() > kMaxRevisionLength) return false;
  for (const QChar c : revision)
    if (c.isSpace() || c.category() == QChar::Other_Control) return false;
  return true;
}

}  // namespace

QString HubId::display() const {
  return repo + QLatin1Char('@') + revision;
}

QString HubId::modelPageUrl(const QString& endpoint) const {
  return endpoint + QLatin1Char('/') + repo;
}

std::optional<HubId> parseHubId(const QString& text) {
  const qsizetype at = text.indexOf(QLatin1Char('@'));
  const QString repo = at < 0 ? text : text.left(at);
  const QStringList parts = repo.split(QLatin1Char('/'));
  if (parts.size() != 2 || repo.size() > kMaxRepoIdLength || fileName(repo)) return std::nullopt;
  if (!validPart(parts[0]) || !validPart(parts[1])) return std::nullopt;
  if (repo.contains(QLatin1String("--")) || repo.contains(QLatin1String("..")) ||
      repo.endsWith(QLatin1String(".git")))
    return std::nullopt;
  HubId id{repo, QStringLiteral("main"), false};
  if (at >= 0) {
    id.revision = text.mid(at + 1);
    id.explicitRevision = true;
    if (!validRevision(id.revision)) return std::nullopt;
  }
  return id;
}

bool looksLikeHubIdAttempt(const QString& text) {
  const QString repo = text.section(QLatin1Char('@'), 0, 0);
  return repo.count(QLatin1Char('/')) == 1 && !fileName(repo) && !text.startsWith(QLatin1Char('.')) &&
         !text.startsWith(QLatin1Char('/')) && !text.startsWith(QLatin1Char('~')) && !parseHubId(text);
}

}  // namespace sinkscope
