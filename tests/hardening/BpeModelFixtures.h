// Tiny loadable llama checkpoints with a byte-level BPE vocabulary, whole or broken in one place
// (a merge naming no token, a duplicate or empty token, a BOS outside the vocabulary, an unknown
// pre-tokenizer or tokenizer model), for the bad-input catalogue. Not a real model's vocabulary.
#pragma once

#include <QByteArray>
#include <QString>

namespace sinkscope::test {

// The bytes of the named fixture ("bpe_valid", "bpe_duplicate_token", ...); null when unknown.
QByteArray bpeModelFixture(const QString& name);

}  // namespace sinkscope::test
