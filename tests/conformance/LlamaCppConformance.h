// Runs one GGUF and one token sequence through both SinkScope (`sinkscope measure --json`) and
// llama.cpp (llamacpp/nll.mjs under node-llama-cpp) and compares per-position NLL and argmax.
// Not a test by itself: the conformance tests (architectures, tokenizers, tensor types) call it.
#pragma once

#include <QString>
#include <vector>

namespace sinkscope::test {

// Why llama.cpp cannot be run on this machine: empty when it can, else the reason. `nodeMissing`
// tells a machine without Node (where a test may skip) from a broken set-up (where it must fail).
QString llamaCppUnavailableReason(bool* nodeMissing);

struct PerPosition {
  std::vector<double> nll;  // nll[p] = -log P(token p + 1 | tokens 0..p), nats
  std::vector<int> argmax;  // the most likely next token after position p
};

struct Agreement {
  int positions = 0;
  double meanAbsNllDelta = 0;  // nats
  double maxAbsNllDelta = 0;   // nats
  double argmaxAgreement = 0;  // fraction of positions whose argmax is the same
  double meanNll = 0;          // SinkScope's mean NLL, for context in messages
  QString describe() const;    // one line for test logs
};

// Each side's per-position results; an empty `error` means success.
struct Comparison {
  QString error;
  PerPosition sinkscope;
  PerPosition llamaCpp;
  Agreement agreement;
};

// Runs both on `gguf` over `tokens` (ids; at least a few dozen) and compares them.
Comparison compareWithLlamaCpp(const QString& gguf, const std::vector<int>& tokens);

// Seeded token ids: BOS (1), then ids drawn uniformly from [3, vocab).
std::vector<int> randomTokens(int count, int vocab, quint32 seed);

}  // namespace sinkscope::test
