#include "inference/MemoryBudget.h"

#include "common/Error.h"
#include "inference/GgufFile.h"
#include "inference/LlamaModel.h"

#include <QFile>
#include <algorithm>
#include <unistd.h>

namespace sinkscope {

qint64 physicalMemoryBytes() {
  QFile meminfo(QStringLiteral("/proc/meminfo"));
  if (meminfo.open(QIODevice::ReadOnly)) {
    for (QByteArray line = meminfo.readLine(); !line.isEmpty(); line = meminfo.readLine()) {
      if (!line.startsWith("MemTotal:")) continue;
      const QList<QByteArray> parts = line.simplified().split(' ');  // "MemTotal:", value, "kB"
      bool ok = false;
      const qint64 kibibytes = parts.value(1).toLongLong(&ok);
      if (ok && kibibytes > 0) return kibibytes * 1024;
    }
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long pageBytes = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && pageBytes > 0 ? qint64(pages) * pageBytes : 0;
}

MeasureMemoryEstimate estimateMeasureMemory(const GgufFile& file, qint64 tokens, int chunkTokens) {
  const LlamaHyperparameters h = LlamaModel::readHyperparameters(file);
  // Counted in double: a crafted file's shapes may multiply beyond 64 bits.
  double weightFloats = 0;
  for (const GgufTensorInfo& info : file.tensors()) weightFloats += double(info.elementCount());
  const double n = double(std::max<qint64>(tokens, 0));
  const double chunk = std::min(double(std::max(chunkTokens, 1)), std::max(n, 1.0));
  const double queryWidth = double(h.heads) * h.headDim;
  const double kvWidth = double(h.kvHeads) * h.headDim;
  const double perToken = 2.0 * h.embeddingLength + 2.0 * queryWidth + 2.0 * kvWidth + 2.0;  // + nll, argmax
  const double perChunk = 3.0 * h.feedForwardLength + double(h.vocabSize) + n;             // FFN, logits, scores
  const double activationFloats = n * perToken + chunk * perChunk;
  constexpr double kMaxBytes = double(qint64(1) << 61);  // two saturated terms still add up
  MeasureMemoryEstimate estimate;
  estimate.weightBytes = qint64(std::min(weightFloats * 4.0, kMaxBytes));
  estimate.activationBytes = qint64(std::min(activationFloats * 4.0, kMaxBytes));
  return estimate;
}

void requireMemoryFor(const MeasureMemoryEstimate& estimate, const QString& source, qint64 availableBytes) {
  const qint64 available = availableBytes < 0 ? physicalMemoryBytes() : availableBytes;
  if (available <= 0 || estimate.totalBytes() <= available) return;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  throwBadInput(source, QStringLiteral("memory"),
                QStringLiteral("measuring needs about %1 GiB (%2 GiB of float32 weights, %3 GiB of activations), "
                               "but this machine has %4 GiB; measure a shorter context or a smaller model")
                    .arg(double(estimate.totalBytes()) / kGiB, 0, 'f', 1)
                    .arg(double(estimate.weightBytes) / kGiB, 0, 'f', 1)
                    .arg(double(estimate.activationBytes) / kGiB, 0, 'f', 1)
                    .arg(double(available) / kGiB, 0, 'f', 1));
}

}  // namespace sinkscope
