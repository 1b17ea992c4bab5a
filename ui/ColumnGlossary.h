// What a table column means, in the words of docs/glossary.md (the shipped resource): the tooltip
// of every column header in the window. Not the glossary window (GlossaryDialog) nor the tables.
#pragma once

#include <QString>

class QTableWidget;

namespace sinkscope::ui {

// The glossary's definition of `term` ("Effective context"), plain text without the trailing
// "See docs/…" pointer; empty when the glossary has no such entry.
QString glossaryDefinition(const QString& term);
// The glossary term a column header stands for ("effective low (tokens)" -> "Effective context"),
// empty when none does.
QString glossaryTermForColumn(const QString& header);
// "Effective context: the longest context …" for a header, empty when no term matches.
QString columnToolTip(const QString& header);
// Sets every horizontal header item's tooltip of `table` from its text.
void setColumnToolTips(QTableWidget& table);

}  // namespace sinkscope::ui
