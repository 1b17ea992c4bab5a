// How the window words a core error: core's description, with a remedy that names a value by
// core's field name worded as the window offers it. Not the command line's flags (app/cli).
#pragma once

#include "common/Error.h"

#include <QString>

namespace sinkscope::ui {

// Error::describe() with the remedy's field named the window's way (token_ids: the command line's
// token-id input, which the window does not offer).
QString windowErrorText(const Error& error);

}  // namespace sinkscope::ui
