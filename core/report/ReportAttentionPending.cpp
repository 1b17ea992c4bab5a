#include "report/ReportSections.h"
namespace sinkscope {
bool addModelledAttention(Report&, const ReportCallbacks&) { return true; }
}
