#include "panels/SpecDetails.h"

#include "Units.h"
#include "common/NumberFormat.h"

#include <QLocale>

namespace sinkscope::ui {

namespace {

QString row(const QString& name, const QString& value, bool defaulted = false) {
  return QStringLiteral("<tr><td style='padding-right:8px'>%1</td><td><b>%2</b>%3</td></tr>")
      .arg(name.toHtmlEscaped(), value.toHtmlEscaped(),
           defaulted ? QStringLiteral(" <i>(defaulted)</i>") : QString());
}

bool isDefaulted(const QStringList& defaulted, const char* field) {
  return defaulted.contains(QLatin1String(field), Qt::CaseInsensitive);
}

QString ropeText(const ModelSpec& model) {
  if (!model.usesRope) return QObject::tr("none (ALiBi or no positional encoding)");
  QString text = QObject::tr("θ = %1").arg(QLocale().toString(model.ropeTheta, 'g', 10));
  if (model.partialRotaryFactor < 1.0) text += QObject::tr(", partial %1").arg(model.partialRotaryFactor);
  if (model.ropeScaling)
    text += QObject::tr(", scaling %1 × %2").arg(model.ropeScaling->type).arg(model.ropeScaling->factor);
  return text;
}

}  // namespace

QString modelSummary(const ModelSpec& model) {
  return QObject::tr("%1: %2 layers, %3 heads / %4 KV heads, trained at %5")
      .arg(model.displayName)
      .arg(model.layers)
      .arg(model.heads)
      .arg(model.kvHeads)
      .arg(formatTokens(model.trainedContext));
}

QString hardwareSummary(const HardwareSpec& hardware) {
  return QObject::tr("%1: %2, %3")
      .arg(hardware.displayName, formatGiB(double(hardware.memoryBytes), 0),
           formatBandwidth(hardware.memoryBandwidthBytesPerSecond));
}

QString modelDetailsHtml(const ModelSpec& m) {
  const QStringList& d = m.defaultedFields;
  QString html = QStringLiteral("<h3>%1</h3><table>").arg(m.displayName.toHtmlEscaped());
  html += row(QObject::tr("Origin"), m.origin);
  html += row(QObject::tr("Architecture"), m.architecture.isEmpty() ? m.family : m.architecture);
  if (m.publishedParameters > 0)
    html += row(QObject::tr("Parameters"), formatParameters(m.publishedParameters));
  if (m.checkpointWeights)  // a Hub model whose safetensors headers were read (docs/catalog.md "Hub import")
    html += row(QObject::tr("Checkpoint"),
                QObject::tr("%1 exact, %2 as %3")
                    .arg(formatParameters(double(m.checkpointWeights->parameters)),
                         formatGiB(double(m.checkpointWeights->bytes), 2), m.checkpointWeights->dtypes));
  html += row(QObject::tr("Attention"), attentionKindName(m.attentionKind));
  html += row(QObject::tr("Layers"), QString::number(m.layers), isDefaulted(d, "layers"));
  html += row(QObject::tr("Hidden size"), QString::number(m.hiddenSize), isDefaulted(d, "hidden_size"));
  html += row(QObject::tr("Heads / KV heads"), QStringLiteral("%1 / %2").arg(m.heads).arg(m.kvHeads),
              isDefaulted(d, "num_key_value_heads"));
  html += row(QObject::tr("Head dim"), QString::number(m.headDim), isDefaulted(d, "head_dim"));
  if (m.slidingWindow > 0) html += row(QObject::tr("Sliding window"), formatTokens(m.slidingWindow));
  html += row(QObject::tr("Positions"), ropeText(m), isDefaulted(d, "rope_theta"));
  html +=
      row(QObject::tr("Trained context"), formatTokens(m.trainedContext), isDefaulted(d, "trained_context"));
  html += row(QObject::tr("Max positions"), formatTokens(m.maxPositionEmbeddings),
              isDefaulted(d, "max_position_embeddings"));
  html += row(QObject::tr("Vocabulary"), tokensFull(m.vocabSize));
  if (m.mla)
    html += row(QObject::tr("MLA"),
                QObject::tr("KV latent %1, rope dim %2").arg(m.mla->kvLoraRank).arg(m.mla->qkRopeHeadDim));
  if (m.moe.isMoe())
    html += row(QObject::tr("Experts"),
                QObject::tr("%1 routed, %2 per token").arg(m.moe.experts).arg(m.moe.expertsPerToken));
  html += QStringLiteral("</table>");
  if (!d.isEmpty())
    html += QObject::tr("<p><i>Defaulted fields (lower confidence): %1</i></p>")
                .arg(d.join(QStringLiteral(", ")).toHtmlEscaped());
  if (!m.source.isEmpty())
    html += QObject::tr("<p><small>Source: %1</small></p>").arg(m.source.toHtmlEscaped());
  if (!m.notes.isEmpty()) html += QStringLiteral("<p><small>%1</small></p>").arg(m.notes.toHtmlEscaped());
  return html;
}

QString hardwareDetailsHtml(const HardwareSpec& h) {
  QString html = QStringLiteral("<h3>%1</h3><table>").arg(h.displayName.toHtmlEscaped());
  html += row(QObject::tr("Origin"), h.origin);
  html += row(QObject::tr("Vendor"), h.vendor);
  html += row(QObject::tr("Category"), h.category);
  html += row(QObject::tr("Memory"), formatGiB(double(h.memoryBytes)),
              isDefaulted(h.defaultedFields, "memory_bytes"));
  html += row(QObject::tr("Bandwidth"), formatBandwidth(h.memoryBandwidthBytesPerSecond));
  for (const auto& [dtype, flops] : h.peakFlopsPerSecond)
    html += row(QObject::tr("Peak %1").arg(dtype), formatFlops(flops));
  html += QStringLiteral("</table>");
  if (!h.defaultedFields.isEmpty())
    html += QObject::tr("<p><i>Defaulted fields: %1</i></p>")
                .arg(h.defaultedFields.join(QStringLiteral(", ")).toHtmlEscaped());
  if (!h.source.isEmpty())
    html += QObject::tr("<p><small>Source: %1</small></p>").arg(h.source.toHtmlEscaped());
  return html;
}

}  // namespace sinkscope::ui
