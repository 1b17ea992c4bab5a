// Helpers for the catalogue tests: the KV-cache size per token by docs/references.md section 4's
// formulas (computed here, independently of the planner), and expected-error checks.
#pragma once

#include "catalog/ModelSpec.h"
#include "common/Error.h"

#include <QtTest>
#include <functional>

namespace sinkscope::test {

// 2 * L * H_kv * d * b for MHA/GQA/MQA; L * (kv_lora_rank + qk_rope_head_dim) * b for MLA.
inline qint64 kvBytesPerTokenByReference(const ModelSpec& spec, qint64 bytesPerElement) {
  if (spec.mla)
    return qint64(spec.layers) * (spec.mla->kvLoraRank + spec.mla->qkRopeHeadDim) * bytesPerElement;
  return 2ll * spec.layers * spec.kvHeads * spec.headDim * bytesPerElement;
}

// Runs body and checks that it throws Error(BadInput) whose message contains every fragment.
inline void expectBadInput(const std::function<void()>& body, const QStringList& fragments) {
  try {
    body();
  } catch (const Error& error) {
    QCOMPARE(error.kind(), ErrorKind::BadInput);
    for (const QString& fragment : fragments)
      QVERIFY2(error.describe().contains(fragment),
               qPrintable(error.describe() + QStringLiteral("  <- lacks: ") + fragment));
    return;
  }
  QFAIL(qPrintable(
      QStringLiteral("no error; expected one naming %1").arg(fragments.join(QStringLiteral(", ")))));
}

}  // namespace sinkscope::test
