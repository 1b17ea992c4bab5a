#include "ColumnGlossary.h"

#include "GlossaryDialog.h"

#include <QRegularExpression>
#include <QStringList>
#include <QTableWidget>
#include <utility>
#include <vector>

namespace sinkscope::ui {

namespace {

// Header words and the glossary term they stand for, the more specific first (lower case).
const std::vector<std::pair<QString, QString>>& columnTerms() {
  static const std::vector<std::pair<QString, QString>> terms{
      {QStringLiteral("context_cap"), QStringLiteral("context_cap")},
      {QStringLiteral("verdict"), QStringLiteral("Verdict")},
      {QStringLiteral("source document"), QStringLiteral("Source document claim")},
      {QStringLiteral("agreement"), QStringLiteral("Source document claim")},
      {QStringLiteral("its quality"), QStringLiteral("Source document claim")},
      {QStringLiteral("its effective"), QStringLiteral("Source document claim")},
      {QStringLiteral("effective"), QStringLiteral("Effective context")},
      {QStringLiteral("training c"), QStringLiteral("Trained context")},
      {QStringLiteral("inference c"), QStringLiteral("Requested context")},
      {QStringLiteral("context (tokens)"), QStringLiteral("Requested context")},
      {QStringLiteral("quality"), QStringLiteral("Quality retention")},
      {QStringLiteral("confidence"), QStringLiteral("Confidence")},
      {QStringLiteral("reasons"), QStringLiteral("Confidence reasons")},
      {QStringLiteral("kv cache"), QStringLiteral("KV cache")},
      {QStringLiteral("weights"), QStringLiteral("Weights memory")},
      {QStringLiteral("activations"), QStringLiteral("Activations")},
      {QStringLiteral("overhead"), QStringLiteral("Runtime overhead")},
      {QStringLiteral("usable capacity"), QStringLiteral("Usable capacity")},
      {QStringLiteral("total"), QStringLiteral("Usable capacity")},
      {QStringLiteral("fits"), QStringLiteral("Usable capacity")},
      {QStringLiteral("tokens per second"), QStringLiteral("Throughput")},
      {QStringLiteral("phase"), QStringLiteral("Throughput")},
      {QStringLiteral("bound"), QStringLiteral("Bound")},
      {QStringLiteral("factor"), QStringLiteral("Scaling factor")},
      {QStringLiteral("mitigation"), QStringLiteral("Mitigation")},
      {QStringLiteral("kind"), QStringLiteral("Reference point")},
      {QStringLiteral("model"), QStringLiteral("Reference point")},
      {QStringLiteral("metric"), QStringLiteral("Reference point")},
      {QStringLiteral("source"), QStringLiteral("Source")},
      {QStringLiteral("s1"), QStringLiteral("Attention sink")},
      {QStringLiteral("s4"), QStringLiteral("Attention sink")},
      {QStringLiteral("normalised entropy"), QStringLiteral("Normalised entropy")},
      {QStringLiteral("previous-token"), QStringLiteral("Previous-token mass")},
      {QStringLiteral("control nll"), QStringLiteral("Window control")},
      {QStringLiteral("nll"), QStringLiteral("Per-token loss")},
      {QStringLiteral("argmax"), QStringLiteral("Argmax token")},
      {QStringLiteral("next token"), QStringLiteral("Per-token loss")},
      {QStringLiteral("query position"), QStringLiteral("Query position")},
      {QStringLiteral("key bin"), QStringLiteral("Key bin")},
      {QStringLiteral("attention mass"), QStringLiteral("Attention mass")},
      {QStringLiteral("position"), QStringLiteral("Token position")},
      {QStringLiteral("layer"), QStringLiteral("Layer and head")},
      {QStringLiteral("head"), QStringLiteral("Layer and head")},
  };
  return terms;
}

// Markdown emphasis and code marks dropped, lines joined.
QString plainText(QString text) {
  text.replace(QLatin1Char('\n'), QLatin1Char(' '));
  text.remove(QLatin1Char('*'));
  text.remove(QLatin1Char('`'));
  return text.simplified();
}

}  // namespace

QString glossaryDefinition(const QString& term) {
  static const QStringList paragraphs =
      GlossaryDialog::glossaryMarkdown().split(QRegularExpression(QStringLiteral("\\n\\s*\\n")));
  const QString opening = QStringLiteral("**%1**").arg(term);
  for (const QString& paragraph : paragraphs) {
    if (!paragraph.startsWith(opening)) continue;
    QString text = plainText(paragraph.mid(opening.size()));
    if (text.startsWith(QStringLiteral("— "))) text = text.mid(2);
    const qsizetype see = text.indexOf(QStringLiteral(" See docs/"));
    return see >= 0 ? text.left(see) : text;
  }
  return QString();
}

QString glossaryTermForColumn(const QString& header) {
  const QString lower = header.toLower();
  for (const auto& [words, term] : columnTerms())
    if (lower.contains(words)) return term;
  return QString();
}

QString columnToolTip(const QString& header) {
  const QString term = glossaryTermForColumn(header);
  const QString definition = term.isEmpty() ? QString() : glossaryDefinition(term);
  return definition.isEmpty() ? QString() : QStringLiteral("%1: %2").arg(term, definition);
}

void setColumnToolTips(QTableWidget& table) {
  for (int c = 0; c < table.columnCount(); ++c)
    if (QTableWidgetItem* item = table.horizontalHeaderItem(c)) item->setToolTip(columnToolTip(item->text()));
}

}  // namespace sinkscope::ui
