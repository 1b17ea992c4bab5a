// Opens a Hub model id as a ModelSpec: from SinkScope's cache when it holds the id and revision,
// else by a HubFetch, imported as a config.json file is and then cached. Not the transfer itself
// (HubFetch.h) and not a general download cache: only config.json and a weights summary are kept.
#pragma once

#include "HubFetch.h"
#include "HubSettings.h"
#include "catalog/HubId.h"
#include "catalog/ModelSpec.h"

#include <QString>
#include <optional>

namespace sinkscope::hub {

// {cacheRoot}/{org}/{name}/{percent-encoded revision}: config.json and checkpoint.json.
QString cacheFolder(const HubSettings& settings, const HubId& id);

// The cached copy, or none when the folder lacks either file (a corrupt copy is an error).
std::optional<HubFiles> readCachedFiles(const HubSettings& settings, const HubId& id);
// Writes both files atomically (temp file + rename); a failure leaves the older copy as it was.
void writeCachedFiles(const HubSettings& settings, const HubId& id, const HubFiles& files);

enum class HubOrigin { Downloaded, Cached };
// The spec a config.json from the Hub gives, with the id, revision and where it came from in
// origin, and the checkpoint's own parameter count in publishedParameters when it was read.
// Error(BadInput) "<org/name@revision>: config.json: ..." when the config is not one.
ModelSpec hubModelSpec(const HubId& id, const HubSettings& settings, const HubFiles& files, HubOrigin origin);

// The cached copy with the environment's settings, or none; never a request (the window's way
// of bringing back a model named by its settings or a scenario file).
std::optional<ModelSpec> cachedHubModel(const HubId& id);

// The command line's way: cache, else a blocking fetch (a local event loop), then the cache.
ModelSpec openHubModel(const HubId& id, const HubSettings& settings);

// Makes resolveModel (core/catalog/Catalog.h) open Hub ids with openHubModel and the settings
// of the environment at the time of each call.
void installHubModelResolver();

}  // namespace sinkscope::hub
