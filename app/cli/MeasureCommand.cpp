#include "cli/CliSupport.h"
#include "cli/Commands.h"

namespace sinkscope::cli {

// Not built yet: says so honestly (exit 4) rather than pretending.
int runMeasure(const QStringList&) {
  err() << "error: 'measure' is not implemented yet" << Qt::endl;
  return 4;
}

}  // namespace sinkscope::cli
