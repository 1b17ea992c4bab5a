#include "inference/MemoryBudget.h"

#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/EncodedProduct.h"
#include "inference/ForwardPass.h"
#include "inference/LlamaModel.h"

#include <unistd.h>
#include <QFile>
#include <algorithm>

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
  const qint64 count = std::max<qint64>(tokens, 0);
  const double n = double(count);
  const double chunk = std::min(double(std::max(chunkTokens, 1)), std::max(n, 1.0));
  const int threads = productThreadCount();
  const double e = h.embeddingLength, f = h.feedForwardLength, vocab = h.vocabSize;
  const double queryWidth = double(h.heads) * h.headDim;
  const double kvWidth = double(h.kvHeads) * h.headDim;
  const double perToken = 2.0 * e + 2.0 * queryWidth + 2.0 * kvWidth + 2.0;  // + nll, argmax
  const double scores = double(threads) * chunk * (n + 16.0);                // one head's block per thread
  const double feedForward = double(forwardWideChunkRows(2 * qint64(f), count)) * (2.0 * f + e);
  const double logits = double(forwardWideChunkRows(h.vocabSize, count)) * (vocab + e);
  const double largestMatrix = std::max({vocab * e, f * e, queryWidth * e});
  const double tile =
      std::min(std::max(double(kDecodedTileFloats), std::max({e, f, queryWidth})), largestMatrix);
  const double activationFloats =
      n * perToken + scores + std::max(feedForward, logits) + double(threads) * tile;
  constexpr double kMaxBytes = double(qint64(1) << 61);  // two saturated terms still add up
  MeasureMemoryEstimate estimate;
  estimate.weightBytes = qint64(file.fileSize());
  estimate.activationBytes = qint64(std::min(activationFloats * 4.0, kMaxBytes));
  estimate.threads = threads;
  return estimate;
}

void requireMemoryFor(const MeasureMemoryEstimate& estimate, const QString& source, qint64 availableBytes) {
  const qint64 available = availableBytes < 0 ? physicalMemoryBytes() : availableBytes;
  if (available <= 0 || estimate.totalBytes() <= available) return;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  throwBadInput(
      source, QStringLiteral("memory"),
      QStringLiteral(
          "measuring needs about %1 GiB (%2 GiB of weights mapped from the file, %3 GiB of activations), "
          "but this machine has %4 GiB; measure a shorter context or a smaller model")
          .arg(double(estimate.totalBytes()) / kGiB, 0, 'f', 1)
          .arg(double(estimate.weightBytes) / kGiB, 0, 'f', 1)
          .arg(double(estimate.activationBytes) / kGiB, 0, 'f', 1)
          .arg(double(available) / kGiB, 0, 'f', 1));
}

}  // namespace sinkscope
