// The memory a measured run needs, estimated from the GGUF's shapes before any weight is read,
// and the machine's physical memory to refuse it against. Not an allocator, not the forward pass.
#pragma once

#include <QString>

namespace sinkscope {

class GgufFile;

struct MeasureMemoryEstimate {
  qint64 weightBytes = 0;      // the file itself: weights stay encoded in its memory map
  qint64 activationBytes = 0;  // the forward pass's peak working set for `tokens` (float32)
  int threads = 1;             // threads assumed: each holds attention scores and a decoded tile
  qint64 totalBytes() const { return weightBytes + activationBytes; }
};

// Physical memory of this machine in bytes: /proc/meminfo MemTotal, else sysconf(_SC_PHYS_PAGES
// x _SC_PAGE_SIZE); 0 when neither is known.
qint64 physicalMemoryBytes();

// The mapped file plus the peak activations of a prefill over `tokens` tokens (ForwardPass.h):
// per token the residual stream, its normed copy, queries, keys, values and attention output;
// per thread one chunk of chunkTokens queries' attention scores and one decoded weight tile; the
// larger of the feed-forward chunk (gate, up and normed rows) and the logits chunk.
// Error(BadInput) naming the key or tensor when the hyperparameters cannot be read.
MeasureMemoryEstimate estimateMeasureMemory(const GgufFile& file, qint64 tokens, int chunkTokens = 64);

// Error(BadInput) "<source>: memory: needs about X GiB ..., this machine has Y GiB" when the
// estimate exceeds availableBytes (physicalMemoryBytes() by default; 0 means unknown: no check).
void requireMemoryFor(const MeasureMemoryEstimate& estimate, const QString& source,
                      qint64 availableBytes = -1);

}  // namespace sinkscope
