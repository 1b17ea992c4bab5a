#include "WindowErrors.h"

#include "inference/Tokenizer.h"

#include <QCoreApplication>

namespace sinkscope::ui {

QString windowErrorText(const Error& error) {
  if (error.remedyField() == kTokenIdsField)
    return error.remedyNaming(QCoreApplication::translate("WindowErrors", "with sinkscope measure --tokens"))
        .describe();
  return error.describe();
}

}  // namespace sinkscope::ui
