#include "cli/CliSupport.h"
#include "cli/Commands.h"

namespace sinkscope::cli {

// Not built yet: says so honestly (exit 4) rather than pretending.
int runChart(const QStringList&) {
  err() << "error: 'chart' is not implemented yet" << Qt::endl;
  return 4;
}

}  // namespace sinkscope::cli
