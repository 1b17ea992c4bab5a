// Until the modelled probe's sink curve lands in core/attention, reports carry no attention
// data and their "Where attention goes" section says the probe did not run. Replaced by ReportAttention.cpp.
#include "report/ReportSections.h"

namespace sinkscope {

bool addModelledAttention(Report&, const ReportCallbacks&) { return true; }

}  // namespace sinkscope
