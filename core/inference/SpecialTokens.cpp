#include "inference/SpecialTokens.h"

#include "common/Error.h"
#include "inference/Tokenizer.h"

#include <QByteArrayView>
#include <QSet>
#include <algorithm>

namespace sinkscope {

namespace {

constexpr int kUnknown = 2, kControl = 3, kUserDefined = 4;

using Candidates = std::vector<std::pair<QByteArray, int>>;

// Longest text first, then lowest id: the order llama.cpp tries special tokens in.
void sortLongestFirst(Candidates& candidates) {
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    return a.first.size() != b.first.size() ? a.first.size() > b.first.size() : a.second < b.second;
  });
}

// Every occurrence of one token cut out of the fragments still unmatched.
std::vector<TextFragment> cutOut(const QByteArray& text, const std::vector<TextFragment>& fragments,
                                 const QByteArray& needle, int id) {
  std::vector<TextFragment> next;
  next.reserve(fragments.size());
  for (const TextFragment& fragment : fragments) {
    if (fragment.tokenId >= 0) {
      next.push_back(fragment);
      continue;
    }
    const QByteArrayView haystack =
        QByteArrayView(text).sliced(fragment.begin, fragment.end - fragment.begin);
    qsizetype from = 0;
    for (qsizetype at; (at = haystack.indexOf(needle, from)) >= 0; from = at + needle.size()) {
      if (at > from) next.push_back({-1, fragment.begin + from, fragment.begin + at});
      next.push_back({id, fragment.begin + at, fragment.begin + at + needle.size()});
    }
    if (fragment.begin + from < fragment.end) next.push_back({-1, fragment.begin + from, fragment.end});
  }
  return next;
}

}  // namespace

// End-of-generation and fill-in-the-middle markers llama.cpp recognises by their text and makes
// control whatever their stored type (llama_vocab::impl::load).
bool SpecialTokenMatcher::isControlByName(const QByteArray& token) {
  static const QSet<QByteArray> names{
      "<|eot_id|>",      "<|im_end|>",    "<|end|>",        "<end_of_turn>",  "<|endoftext|>",
      "<|end_of_text|>", "<EOT>",         "_<EOT>",         "[EOT]",          "<end_of_utterance>",
      "<|eom_id|>",      "</s>",          "<|return|>",     "<|call|>",       "<|fim_prefix|>",
      "<fim-prefix>",    "<fim_prefix>",  "<PRE>",          "<|fim_suffix|>", "<fim-suffix>",
      "<fim_suffix>",    "<SUF>",         "<|fim_middle|>", "<fim-middle>",   "<fim_middle>",
      "<MID>",           "<|fim_pad|>",   "<fim-pad>",      "<fim_pad>",      "<PAD>",
      "<|fim_repo|>",    "<|repo_name|>", "<fim-repo>",     "<REPO>",         "<reponame>",
      "<|file_sep|>"};
  return names.contains(token);
}

SpecialTokenMatcher::SpecialTokenMatcher(const std::vector<QByteArray>& tokens,
                                         const std::vector<int>& types) {
  for (size_t id = 0; id < tokens.size() && id < types.size(); ++id) {
    if (tokens[id].isEmpty()) continue;
    const int type = isControlByName(tokens[id]) ? kControl : types[id];
    if (type == kUserDefined) userDefined_.push_back({tokens[id], int(id)});
    if (type == kControl || type == kUnknown) control_.push_back({tokens[id], int(id)});
  }
  sortLongestFirst(userDefined_);
  sortLongestFirst(control_);
}

std::vector<TextFragment> SpecialTokenMatcher::split(const QByteArray& text, bool parseSpecial) const {
  std::vector<TextFragment> fragments;
  if (!text.isEmpty()) fragments.push_back({-1, 0, text.size()});
  const qint64 tokensToFind = qint64(userDefined_.size()) + (parseSpecial ? qint64(control_.size()) : 0);
  if (tokensToFind > 0 && qint64(text.size()) > kMaxSpecialTokenScanBytes / tokensToFind)
    throw Error(
        ErrorKind::BadInput, QString(), QStringLiteral("tokenizer.ggml.token_type"),
        QStringLiteral("looking for %1 special tokens in a text of %2 bytes is above SinkScope's limit "
                       "of %3 token x byte comparisons (docs/limits.md)")
            .arg(tokensToFind)
            .arg(text.size())
            .arg(kMaxSpecialTokenScanBytes))
        .withRemedy(QStringLiteral("measure a shorter text or pre-tokenised ids (%1)"), kTokenIdsField);
  Candidates candidates = userDefined_;
  if (parseSpecial) {
    candidates.insert(candidates.end(), control_.begin(), control_.end());
    sortLongestFirst(candidates);
  }
  for (const auto& [needle, id] : candidates) fragments = cutOut(text, fragments, needle, id);
  return fragments;
}

}  // namespace sinkscope
