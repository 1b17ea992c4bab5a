// The details panes of the Model and Hardware docks: every field SinkScope read, with units,
// defaulted fields marked and the source. Not editing.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"

#include <QString>

namespace sinkscope::ui {

QString modelDetailsHtml(const ModelSpec& model);
QString hardwareDetailsHtml(const HardwareSpec& hardware);
QString modelSummary(const ModelSpec& model);  // one line for tooltips
QString hardwareSummary(const HardwareSpec& hardware);

}  // namespace sinkscope::ui
