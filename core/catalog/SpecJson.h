// The JSON forms of ModelSpec and HardwareSpec that `show --json`, `list --json` and reports
// print (snake_case, byte counts as integers). Not a reader: see HfConfigImport.h / Catalog.h.
#pragma once

#include "catalog/HardwareSpec.h"
#include "catalog/ModelSpec.h"

#include <QJsonObject>

namespace sinkscope {

QJsonObject modelSpecToJson(const ModelSpec& spec);
QJsonObject hardwareSpecToJson(const HardwareSpec& spec);
QString layerAttentionName(LayerAttention type);    // "full", "sliding", "recurrent"
QString ropePairLayoutName(RopePairLayout layout);  // "half_split", "adjacent"

}  // namespace sinkscope
