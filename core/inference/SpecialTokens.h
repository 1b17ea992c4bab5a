// Finds the special tokens written in a text the way llama.cpp does before tokenizing
// (tokenizer_st_partition): user-defined tokens always, control tokens only when asked.
// Not a tokenizer: the text between the matches still has to be tokenized.
#pragma once

#include <QByteArray>
#include <QtGlobal>
#include <utility>
#include <vector>

namespace sinkscope {

// Each special token looked for scans the text once, so the work is tokens x text bytes; above
// this bound (about 4 s here) split() refuses before scanning (docs/limits.md, "Files").
inline constexpr qint64 kMaxSpecialTokenScanBytes = qint64(1) << 33;

struct TextFragment {
  int tokenId = -1;  // the special token found here, or -1 for text to tokenize
  qsizetype begin = 0;
  qsizetype end = 0;  // bytes of the UTF-8 text
};

class SpecialTokenMatcher {
 public:
  SpecialTokenMatcher() = default;
  // tokens: every token's UTF-8 text, by id; types: llama.cpp token types (2 unknown, 3 control,
  // 4 user-defined). Tokens llama.cpp treats as control by their text count as control.
  SpecialTokenMatcher(const std::vector<QByteArray>& tokens, const std::vector<int>& types);

  // The text cut at every special token, longest token first; control and unknown tokens only
  // when parseSpecial. Error(BadInput), field tokenizer.ggml.token_type and no source, when the
  // tokens to look for times the text's bytes exceed kMaxSpecialTokenScanBytes.
  std::vector<TextFragment> split(const QByteArray& text, bool parseSpecial) const;

  static bool isControlByName(const QByteArray& token);

 private:
  std::vector<std::pair<QByteArray, int>> userDefined_;  // text, id; longest first
  std::vector<std::pair<QByteArray, int>> control_;
};

}  // namespace sinkscope
