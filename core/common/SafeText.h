// Text from files made safe to print on a terminal and on one line (docs/limits.md, "Threat
// model"): the one escaping function of every error line and every text output. Not for JSON.
#pragma once

#include <QString>

namespace sinkscope {

// C0 controls (NUL, ESC, newline, ...), DEL and C1 controls become \xHH or \u{HHHH};
// keepLineBreaks leaves the '\n' and '\t' of multi-line output alone.
QString escapeControlCharacters(const QString& text, bool keepLineBreaks = false);

}  // namespace sinkscope
