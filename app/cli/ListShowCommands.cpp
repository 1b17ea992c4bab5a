#include "cli/CliSupport.h"
#include "cli/Commands.h"

namespace sinkscope::cli {

int runList(const QStringList&) {
  err() << "error: 'list' is not implemented yet" << Qt::endl;
  return 4;
}

int runShow(const QStringList&) {
  err() << "error: 'show' is not implemented yet" << Qt::endl;
  return 4;
}

}  // namespace sinkscope::cli
