// Where and how SinkScope talks to the Hugging Face Hub, read from the environment variables
// huggingface_hub reads (HF_ENDPOINT, HF_TOKEN, HF_TOKEN_PATH, HF_HOME, HF_HUB_OFFLINE) plus
// SinkScope's own cache folder and timeout. Not the client: see HubFetch.h.
#pragma once

#include <QString>

namespace sinkscope::hub {

inline constexpr int kDefaultHubTimeoutMs = 10'000;  // no byte for this long: give up (docs/catalog.md)

struct HubSettings {
  QString endpoint;      // "https://huggingface.co", no trailing slash
  QString token;         // empty: anonymous requests
  bool offline = false;  // HF_HUB_OFFLINE: the cache only, no request
  int timeoutMs = kDefaultHubTimeoutMs;
  QString cacheRoot;  // ${XDG_CACHE_HOME:-~/.cache}/sinkscope/hub

  // Error(Usage) naming the variable when HF_ENDPOINT is not an http(s) URL or
  // SINKSCOPE_HUB_TIMEOUT_MS is not a whole number of milliseconds in [1, 600000].
  static HubSettings fromEnvironment();
};

// huggingface_hub's truth test for boolean variables: "1", "ON", "YES", "TRUE" in any case.
bool environmentFlagIsTrue(const QString& value);

}  // namespace sinkscope::hub
