// Where a number comes from (measured, modelled or estimated): the one enum, and its one spelling
// in JSON, CSV, reports and chart badges. Not the explanations shown to people (ui/charts).
#pragma once

#include <QString>

namespace sinkscope {

enum class Provenance { Modelled, Measured, Estimated };

// "modelled", "measured", "estimated" (docs/design.md, Measured and modelled).
inline QString provenanceName(Provenance provenance) {
  switch (provenance) {
    case Provenance::Modelled:
      return QStringLiteral("modelled");
    case Provenance::Measured:
      return QStringLiteral("measured");
    case Provenance::Estimated:
      return QStringLiteral("estimated");
  }
  return QString();
}

}  // namespace sinkscope
