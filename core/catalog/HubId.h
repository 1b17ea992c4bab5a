// A Hugging Face Hub model id as typed on the command line ("org/name" or "org/name@revision"),
// checked as huggingface_hub checks repo ids. Not the network client: see hub/HubClient.h.
#pragma once

#include <QString>
#include <optional>

namespace sinkscope {

struct HubId {
  QString repo;      // "Qwen/Qwen2.5-7B-Instruct"
  QString revision;  // "main" unless the argument named one
  bool explicitRevision = false;

  QString display() const;                              // "org/name@revision"
  QString modelPageUrl(const QString& endpoint) const;  // "{endpoint}/{repo}"
};

// The id when text is shaped like one: "org/name" with both parts of [A-Za-z0-9_.-], neither
// starting nor ending with '-' or '.', no "--" or "..", at most 96 characters, not ending in
// ".git"; then an optional "@revision" (no whitespace, at most 255 characters). A name ending
// in .json, .gguf or .safetensors is a file name, not an id. std::nullopt otherwise.
std::optional<HubId> parseHubId(const QString& text);

// True when text is not an id but has the "something/something" form a person would type for
// one (one slash, no file extension): the caller then says what a valid id looks like.
bool looksLikeHubIdAttempt(const QString& text);

}  // namespace sinkscope
