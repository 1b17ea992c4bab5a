// A catalogue model's own published quality series (references.json points with a "curve"),
// read as quality at a length with its band. Not the generic equations (MitigationModel.cpp).
#pragma once

#include "planner/ReferencePoints.h"

#include <QString>

namespace sinkscope {

enum class BandEdge { Central, Low, High };

// The series for one setting of one catalogue model: its own first, else one borrowed from its
// family. settingName is the mitigation as the point names it ("baseline", "llama3", "yarn", ...).
// windowHonoured: whether the runtime applies the model's sliding window (points marked
// runtime_window must match it); modelHasWindow: whether the model has one at all.
const ReferencePoint* publishedCurveFor(const ReferenceSet& references, const QString& modelId,
                                        const QString& settingName, bool modelHasWindow, bool windowHonoured);

struct CurveReading {
  Band quality;               // share of in-distribution quality at the length, per position
  bool extrapolated = false;  // past the last published length
  qint64 nearestContext = 0;  // the published length the reading rests on
  double nearestValue = 0;    // its published value
};

// Quality at `context`: for a cumulative perplexity series the per-position quality of the bin
// that holds `context` (from L_i·ln ppl_i − L_{i−1}·ln ppl_{i−1}); for a per-length score series
// log-linear interpolation in the length. The band is spanned by the neighbouring readings.
CurveReading readCurve(const ReferencePoint& curve, qint64 context);

}  // namespace sinkscope
