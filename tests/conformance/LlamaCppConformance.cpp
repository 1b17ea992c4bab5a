// The two runs and their comparison; tolerances and their reasons: docs/conformance.md.
#include "LlamaCppConformance.h"

#include "TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <cmath>

namespace sinkscope::test {

namespace {

// Where scripts/setup.sh installs node-llama-cpp.
QString referenceInstallDir() {
  QString cache = qEnvironmentVariable("XDG_CACHE_HOME");
  if (cache.isEmpty()) cache = QDir::homePath() + QStringLiteral("/.cache");
  return cache + QStringLiteral("/sinkscope/llamacpp");
}

QString nodeExecutable() {
  return QStandardPaths::findExecutable(QStringLiteral("node"));
}

QString writeTokens(const QString& dir, const std::vector<int>& tokens) {
  QStringList ids;
  for (int id : tokens) ids << QString::number(id);
  const QString path = dir + QStringLiteral("/tokens.txt");
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return {};
  file.write(ids.join(QLatin1Char(' ')).toLatin1());
  return path;
}

// The JSON objects of per_position, read into nll/argmax over the first n - 1 positions.
QString readPerPosition(const QJsonArray& rows, int positions, PerPosition* out) {
  out->nll.assign(size_t(positions), NAN);
  out->argmax.assign(size_t(positions), -1);
  for (const QJsonValue value : rows) {
    const QJsonObject row = value.toObject();
    const int pos = row.value(QStringLiteral("pos")).toInt(-1);
    if (pos < 0 || pos >= positions) continue;
    out->nll[size_t(pos)] = row.value(QStringLiteral("nll")).toDouble(NAN);
    out->argmax[size_t(pos)] = row.value(QStringLiteral("argmax")).toInt(-1);
  }
  for (int p = 0; p < positions; ++p)
    if (!std::isfinite(out->nll[size_t(p)]) || out->argmax[size_t(p)] < 0)
      return QStringLiteral("position %1 has no finite nll or argmax").arg(p);
  return {};
}

QString runSinkScope(const QString& gguf, const QString& tokenFile, int positions, PerPosition* out) {
  const CliResult result = runCli({QStringLiteral("measure"), QStringLiteral("--gguf"), gguf,
                                   QStringLiteral("--tokens"), tokenFile, QStringLiteral("--json")},
                                  600000);
  if (result.exitCode != 0)
    return QStringLiteral("sinkscope measure exited %1: %2")
        .arg(result.exitCode)
        .arg(QString::fromUtf8(result.standardError).trimmed());
  const QJsonObject json = QJsonDocument::fromJson(result.standardOutput).object();
  const QString error = readPerPosition(json.value(QStringLiteral("per_position")).toArray(), positions, out);
  return error.isEmpty() ? error : QStringLiteral("sinkscope: ") + error;
}

// nll.mjs runs from a scratch folder whose node_modules links to the installed package, so the
// repository's copy of the script is the one that runs.
QString runLlamaCpp(const QString& gguf, const QString& tokenFile, const QString& scratch, int positions,
                    PerPosition* out) {
  const QString script = scratch + QStringLiteral("/nll.mjs");
  if (!QFile::copy(sourceDir() + QStringLiteral("/tests/conformance/llamacpp/nll.mjs"), script))
    return QStringLiteral("cannot copy nll.mjs to %1").arg(scratch);
  if (!QFile::link(referenceInstallDir() + QStringLiteral("/node_modules"),
                   scratch + QStringLiteral("/node_modules")))
    return QStringLiteral("cannot link node_modules in %1").arg(scratch);
  QProcess node;
  node.start(nodeExecutable(), {script, gguf, tokenFile});
  if (!node.waitForFinished(600000)) {
    node.kill();
    node.waitForFinished();
    return QStringLiteral("llama.cpp (nll.mjs) did not finish within 10 minutes");
  }
  if (node.exitStatus() != QProcess::NormalExit || node.exitCode() != 0)
    return QStringLiteral("llama.cpp (nll.mjs) exited %1: %2")
        .arg(node.exitCode())
        .arg(QString::fromUtf8(node.readAllStandardError().right(600)));
  const QJsonObject json = QJsonDocument::fromJson(node.readAllStandardOutput()).object();
  const QString error = readPerPosition(json.value(QStringLiteral("per_position")).toArray(), positions, out);
  return error.isEmpty() ? error : QStringLiteral("llama.cpp: ") + error;
}

Agreement agreementOf(const PerPosition& ours, const PerPosition& theirs) {
  Agreement a;
  a.positions = int(ours.nll.size());
  int sameArgmax = 0;
  for (size_t p = 0; p < ours.nll.size(); ++p) {
    const double delta = std::fabs(ours.nll[p] - theirs.nll[p]);
    a.meanAbsNllDelta += delta / a.positions;
    a.maxAbsNllDelta = std::max(a.maxAbsNllDelta, delta);
    a.meanNll += ours.nll[p] / a.positions;
    sameArgmax += ours.argmax[p] == theirs.argmax[p] ? 1 : 0;
  }
  a.argmaxAgreement = a.positions > 0 ? double(sameArgmax) / a.positions : 0;
  return a;
}

}  // namespace

QString llamaCppUnavailableReason(bool* nodeMissing) {
  *nodeMissing = nodeExecutable().isEmpty();
  if (*nodeMissing)
    return QStringLiteral("node is not on the PATH, so llama.cpp (node-llama-cpp) cannot run");
  const QString package = referenceInstallDir() + QStringLiteral("/node_modules/node-llama-cpp/package.json");
  if (!QFile::exists(package))
    return QStringLiteral(
               "node-llama-cpp is not installed at %1 (scripts/setup.sh installs it when node and npm exist)")
        .arg(referenceInstallDir());
  return {};
}

QString Agreement::describe() const {
  return QStringLiteral("%1 positions: mean |dNLL| %2 nats (max %3), argmax equal at %4 %, mean NLL %5")
      .arg(positions)
      .arg(meanAbsNllDelta, 0, 'f', 4)
      .arg(maxAbsNllDelta, 0, 'f', 4)
      .arg(100 * argmaxAgreement, 0, 'f', 1)
      .arg(meanNll, 0, 'f', 3);
}

Comparison compareWithLlamaCpp(const QString& gguf, const std::vector<int>& tokens) {
  Comparison comparison;
  QTemporaryDir scratch;
  const QString tokenFile = scratch.isValid() ? writeTokens(scratch.path(), tokens) : QString();
  if (tokenFile.isEmpty()) {
    comparison.error = QStringLiteral("cannot write the token file");
    return comparison;
  }
  const int positions = int(tokens.size()) - 1;
  comparison.error = runSinkScope(gguf, tokenFile, positions, &comparison.sinkscope);
  if (comparison.error.isEmpty())
    comparison.error = runLlamaCpp(gguf, tokenFile, scratch.path(), positions, &comparison.llamaCpp);
  if (comparison.error.isEmpty())
    comparison.agreement = agreementOf(comparison.sinkscope, comparison.llamaCpp);
  return comparison;
}

std::vector<int> randomTokens(int count, int vocab, quint32 seed) {
  QRandomGenerator random(seed);
  std::vector<int> tokens{1};
  while (int(tokens.size()) < count) tokens.push_back(3 + int(random.bounded(quint32(vocab - 3))));
  return tokens;
}

}  // namespace sinkscope::test
