#include "inference/BpePreTokenizer.h"

#include <QChar>

namespace sinkscope {

namespace {

// What llama.cpp's splitters ask of a code point (its unicode_cpt_flags): \p{L}, \p{N}, \p{P},
// and its own whitespace set (docs/measured-mode.md, "Tokenizers"). inRange is false past the
// end of the chunk being split, where llama.cpp's lookahead sees no flags at all.
struct CodePointClass {
  bool inRange = false;
  bool letter = false;
  bool number = false;
  bool punctuation = false;
  bool whitespace = false;
};

bool isLlamaCppWhitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

CodePointClass classify(char32_t c) {
  CodePointClass k;
  k.inRange = true;
  k.whitespace = isLlamaCppWhitespace(c);
  switch (QChar::category(c)) {
    case QChar::Letter_Uppercase:
    case QChar::Letter_Lowercase:
    case QChar::Letter_Titlecase:
    case QChar::Letter_Modifier:
    case QChar::Letter_Other:
      k.letter = true;
      break;
    case QChar::Number_DecimalDigit:
    case QChar::Number_Letter:
    case QChar::Number_Other:
      k.number = true;
      break;
    case QChar::Punctuation_Connector:
    case QChar::Punctuation_Dash:
    case QChar::Punctuation_Open:
    case QChar::Punctuation_Close:
    case QChar::Punctuation_InitialQuote:
    case QChar::Punctuation_FinalQuote:
    case QChar::Punctuation_Other:
      k.punctuation = true;
      break;
    default:
      break;
  }
  return k;
}

constexpr char32_t kOutOfRange = 0xFFFFFFFF;

struct Span {
  int begin = 0;
  int end = 0;
};

// One chunk of the text as llama.cpp's custom splitters see it: reads past either end give
// kOutOfRange and an empty class.
class Chunk {
 public:
  Chunk(const std::vector<char32_t>& text, const std::vector<CodePointClass>& classes, Span span)
      : text_(text), classes_(classes), span_(span) {}
  bool contains(int pos) const { return pos >= span_.begin && pos < span_.end; }
  char32_t at(int pos) const { return contains(pos) ? text_[size_t(pos)] : kOutOfRange; }
  CodePointClass classAt(int pos) const { return contains(pos) ? classes_[size_t(pos)] : CodePointClass{}; }
  Span span() const { return span_; }

 private:
  const std::vector<char32_t>& text_;
  const std::vector<CodePointClass>& classes_;
  Span span_;
};

// Collects words: each endWordAt(end) closes the word that began at the previous end.
class WordSink {
 public:
  WordSink(std::vector<Span>& out, int begin) : out_(out), start_(begin) {}
  void endWordAt(int end) {
    if (end > start_) out_.push_back({start_, end});
    start_ = end;
  }

 private:
  std::vector<Span>& out_;
  int start_;
};

char32_t asciiLower(char32_t c) {
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

// 's 't 're 've 'm 'll 'd at pos (an apostrophe): the match length, or 0.
int contractionLength(const Chunk& chunk, int pos, bool caseInsensitive) {
  const auto fold = [&](char32_t c) { return caseInsensitive ? asciiLower(c) : c; };
  if (!chunk.contains(pos + 1)) return 0;
  const char32_t next = fold(chunk.at(pos + 1));
  if (next == 's' || next == 't' || next == 'm' || next == 'd') return 2;
  if (!chunk.contains(pos + 2)) return 0;
  const char32_t after = fold(chunk.at(pos + 2));
  if ((next == 'r' && after == 'e') || (next == 'v' && after == 'e') || (next == 'l' && after == 'l'))
    return 3;
  return 0;
}

bool isOther(const CodePointClass& k) {
  return k.inRange && !k.whitespace && !k.letter && !k.number;
}
bool isNewline(char32_t c) {
  return c == '\r' || c == '\n';
}

// After the pattern-specific rules: \s*[\r\n]+ (when newlines), \s+(?!\S), \s+, else one code
// point. Returns the new position.
int splitWhitespace(const Chunk& chunk, int pos, bool newlineRule, WordSink& sink) {
  int count = 0;
  int afterLastNewline = -1;
  while (chunk.classAt(pos + count).whitespace) {
    if (newlineRule && isNewline(chunk.at(pos + count))) afterLastNewline = pos + count + 1;
    ++count;
  }
  if (afterLastNewline >= 0) {
    sink.endWordAt(afterLastNewline);
    return afterLastNewline;
  }
  if (count > 1 && chunk.at(pos + count) != kOutOfRange) {  // leave one space for the next word
    sink.endWordAt(pos + count - 1);
    return pos + count - 1;
  }
  const int end = pos + (count > 0 ? count : 1);
  sink.endWordAt(end);
  return end;
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*|
// \s*[\r\n]+|\s+(?!\S)|\s+ : llama-bpe with maxDigits 3 (llama.cpp's own splitter), qwen2 with 1.
void splitLlama3Style(const Chunk& chunk, int maxDigits, std::vector<Span>& out) {
  WordSink sink(out, chunk.span().begin);
  for (int pos = chunk.span().begin; pos < chunk.span().end;) {
    const char32_t c = chunk.at(pos);
    const CodePointClass k = chunk.classAt(pos);
    if (c == '\'') {
      if (const int length = contractionLength(chunk, pos, true)) {
        sink.endWordAt(pos += length);
        continue;
      }
    }
    if (!isNewline(c) && !k.number && (k.letter || chunk.classAt(pos + 1).letter)) {
      for (++pos; chunk.classAt(pos).letter;) ++pos;
      sink.endWordAt(pos);
      continue;
    }
    if (k.number) {
      for (int run = 0; chunk.classAt(pos).number;) {
        ++pos;
        if (++run == maxDigits) {
          sink.endWordAt(pos);
          run = 0;
        }
      }
      sink.endWordAt(pos);
      continue;
    }
    const CodePointClass next = c == ' ' ? chunk.classAt(pos + 1) : k;
    if (!next.whitespace && !next.letter && !next.number) {
      pos += c == ' ';
      while (isOther(chunk.classAt(pos))) ++pos;
      while (isNewline(chunk.at(pos))) ++pos;
      sink.endWordAt(pos);
      continue;
    }
    pos = splitWhitespace(chunk, pos, true, sink);
  }
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ (GPT-2's own).
void splitGpt2Style(const Chunk& chunk, std::vector<Span>& out) {
  WordSink sink(out, chunk.span().begin);
  for (int pos = chunk.span().begin; pos < chunk.span().end;) {
    const char32_t c = chunk.at(pos);
    if (c == '\'') {
      if (const int length = contractionLength(chunk, pos, false)) {
        sink.endWordAt(pos += length);
        continue;
      }
    }
    const CodePointClass next = c == ' ' ? chunk.classAt(pos + 1) : chunk.classAt(pos);
    const auto runOf = [&](auto belongs) {
      pos += c == ' ';
      while (belongs(chunk.classAt(pos))) ++pos;
      sink.endWordAt(pos);
    };
    if (next.letter) {
      runOf([](const CodePointClass& k) { return k.letter; });
    } else if (next.number) {
      runOf([](const CodePointClass& k) { return k.number; });
    } else if (isOther(next)) {
      runOf(isOther);
    } else {
      pos = splitWhitespace(chunk, pos, false, sink);
    }
  }
}

// A regular expression llama.cpp runs through std::regex: every match is a word and so is each
// stretch between matches. matchLength(pos) is the length of a match starting at pos, or 0.
template <typename MatchLength>
void splitAtMatches(const Chunk& chunk, MatchLength matchLength, std::vector<Span>& out) {
  WordSink sink(out, chunk.span().begin);
  for (int pos = chunk.span().begin; pos < chunk.span().end;) {
    const int length = matchLength(pos);
    if (length == 0) {
      ++pos;
      continue;
    }
    sink.endWordAt(pos);
    sink.endWordAt(pos += length);
  }
  sink.endWordAt(chunk.span().end);
}

// \p{N}: one number each.
void splitEachNumber(const Chunk& chunk, std::vector<Span>& out) {
  splitAtMatches(
      chunk, [&](int pos) { return chunk.classAt(pos).number ? 1 : 0; }, out);
}

// \p{N}+
void splitNumberRuns(const Chunk& chunk, std::vector<Span>& out) {
  splitAtMatches(
      chunk,
      [&](int pos) {
        int end = pos;
        while (chunk.classAt(end).number) ++end;
        return end - pos;
      },
      out);
}

// [\p{P}\$\+<=>\^~\|]+ as llama.cpp runs it: ASCII by its own list (ASCII punctuation without
// the backtick, plus $ + < = > ^ ~ |), other code points by their \p{P} category.
bool isDefaultPunctuation(char32_t c, const CodePointClass& k) {
  if (c < 0x80)
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x5E) || c == '_' ||
           (c >= 0x7B && c <= 0x7E);
  return k.punctuation && !k.whitespace;
}

void splitPunctuationRuns(const Chunk& chunk, std::vector<Span>& out) {
  splitAtMatches(
      chunk,
      [&](int pos) {
        int end = pos;
        while (chunk.contains(end) && isDefaultPunctuation(chunk.at(end), chunk.classAt(end))) ++end;
        return end - pos;
      },
      out);
}

// [0-9][0-9][0-9]
void splitAsciiDigitTriples(const Chunk& chunk, std::vector<Span>& out) {
  const auto digit = [&](int pos) { return chunk.at(pos) >= '0' && chunk.at(pos) <= '9'; };
  splitAtMatches(
      chunk, [&](int pos) { return digit(pos) && digit(pos + 1) && digit(pos + 2) ? 3 : 0; }, out);
}

enum class Pass { Llama3, Qwen2, Gpt2, EachNumber, NumberRuns, PunctuationRuns, DigitTriples };

// llama.cpp's regex_exprs for each pre-tokenizer (llm_tokenizer_bpe in llama-vocab.cpp).
std::vector<Pass> passesOf(BpePreTokenizer kind) {
  switch (kind) {
    case BpePreTokenizer::Llama3:
      return {Pass::Llama3};
    case BpePreTokenizer::Qwen2:
      return {Pass::Qwen2};
    case BpePreTokenizer::Smollm:
      return {Pass::EachNumber, Pass::Gpt2};
    case BpePreTokenizer::Gpt2:
      return {Pass::Gpt2};
    case BpePreTokenizer::Default:
      return {Pass::PunctuationRuns, Pass::Gpt2, Pass::NumberRuns, Pass::DigitTriples};
  }
  return {};
}

void runPass(Pass pass, const Chunk& chunk, std::vector<Span>& out) {
  switch (pass) {
    case Pass::Llama3:
      splitLlama3Style(chunk, 3, out);
      break;
    case Pass::Qwen2:
      splitLlama3Style(chunk, 1, out);
      break;
    case Pass::Gpt2:
      splitGpt2Style(chunk, out);
      break;
    case Pass::EachNumber:
      splitEachNumber(chunk, out);
      break;
    case Pass::NumberRuns:
      splitNumberRuns(chunk, out);
      break;
    case Pass::PunctuationRuns:
      splitPunctuationRuns(chunk, out);
      break;
    case Pass::DigitTriples:
      splitAsciiDigitTriples(chunk, out);
      break;
  }
}

struct NamedPreTokenizer {
  const char* name;
  BpePreTokenizerSettings settings;
};

// llama_vocab::impl::load: the names (and aliases) of each supported pre-tokenizer type.
const std::vector<NamedPreTokenizer>& namedPreTokenizers() {
  static const std::vector<NamedPreTokenizer> table{
      {"llama-bpe", {BpePreTokenizer::Llama3, true, true}},
      {"llama3", {BpePreTokenizer::Llama3, true, true}},
      {"llama-v3", {BpePreTokenizer::Llama3, true, true}},
      {"falcon3", {BpePreTokenizer::Llama3, true, true}},
      {"qwen2", {BpePreTokenizer::Qwen2, false, false}},
      {"deepseek-r1-qwen", {BpePreTokenizer::Qwen2, false, false}},
      {"smollm", {BpePreTokenizer::Smollm, false, false}},
      {"gpt-2", {BpePreTokenizer::Gpt2, false, false}},
      {"default", {BpePreTokenizer::Default, false, false}},
  };
  return table;
}

}  // namespace

std::optional<BpePreTokenizerSettings> bpePreTokenizerNamed(const QString& name) {
  for (const NamedPreTokenizer& entry : namedPreTokenizers())
    if (name == QLatin1String(entry.name)) return entry.settings;
  return std::nullopt;
}

QStringList supportedBpePreTokenizerNames() {
  QStringList names;
  for (const NamedPreTokenizer& entry : namedPreTokenizers()) names << QString::fromLatin1(entry.name);
  return names;
}

std::vector<int> splitIntoWords(BpePreTokenizer kind, const std::vector<char32_t>& codePoints) {
  std::vector<CodePointClass> classes(codePoints.size());
  for (size_t i = 0; i < codePoints.size(); ++i) classes[i] = classify(codePoints[i]);
  std::vector<Span> chunks{{0, int(codePoints.size())}};
  for (Pass pass : passesOf(kind)) {
    std::vector<Span> next;
    next.reserve(chunks.size());
    for (const Span& span : chunks) runPass(pass, Chunk(codePoints, classes, span), next);
    chunks = std::move(next);
  }
  std::vector<int> lengths;
  lengths.reserve(chunks.size());
  for (const Span& span : chunks) lengths.push_back(span.end - span.begin);
  return lengths;
}

}  // namespace sinkscope
