// Byte-level BPE (core/inference/BpeTokenizer, BpePreTokenizer, Utf8Text) on small synthetic
// vocabularies whose results can be worked out by hand from the published rules: GPT-2's byte
// map, merge order by rank, llama.cpp's pre-tokenizer patterns, special tokens, BOS, and the
// refusals. Agreement with llama.cpp on real vocabularies: tests/conformance.
#include "TestSupport.h"
#include "common/Error.h"
#include "inference/BpePreTokenizer.h"
#include "inference/BpeTokenizer.h"
#include "inference/GgufWriter.h"
#include "inference/MeasureInput.h"
#include "inference/Utf8Text.h"

#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <optional>

using namespace sinkscope;

namespace {

QString character(char32_t c) {
  return QString::fromUcs4(&c, 1);
}

// A byte-level vocabulary: ids 0-255 are the 256 byte characters in byte order, then `extra`
// (normal unless listed in `types`), with `merges`; keys are written only when given.
struct Vocabulary {
  QStringList extra;
  std::vector<std::pair<int, int>> types;  // (index into extra, token type)
  QStringList merges;
  QString pre = QStringLiteral("llama-bpe");
  std::optional<int> bos = 256;
  std::optional<bool> addBos;
  QString model = QStringLiteral("gpt2");
  bool withMerges = true;

  QByteArray gguf() const {
    QStringList tokens;
    std::vector<qint32> tokenTypes;
    for (int byte = 0; byte < 256; ++byte) {
      tokens << character(byteToBpeCharacter(uchar(byte)));
      tokenTypes.push_back(1);
    }
    for (const QString& token : extra) {
      tokens << token;
      tokenTypes.push_back(1);
    }
    for (const auto& [index, type] : types) tokenTypes[size_t(256 + index)] = type;
    GgufWriter writer;
    writer.addString(QStringLiteral("tokenizer.ggml.model"), model);
    if (!pre.isNull()) writer.addString(QStringLiteral("tokenizer.ggml.pre"), pre);
    writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"), tokens);
    writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), tokenTypes);
    if (withMerges) writer.addStringArray(QStringLiteral("tokenizer.ggml.merges"), merges);
    if (bos) writer.addUint32(QStringLiteral("tokenizer.ggml.bos_token_id"), quint32(*bos));
    if (addBos) writer.addBool(QStringLiteral("tokenizer.ggml.add_bos_token"), *addBos);
    return writer.toBytes();
  }
  BpeTokenizer load() const { return BpeTokenizer::fromGguf(GgufFile(gguf(), QStringLiteral("v.gguf"))); }
};

// The standard vocabulary of these tests: <s> (id 256, control), then "ab", "bc", "abc", "Ġa".
// The id of a byte's character is the byte's value.
constexpr int kAb = 257, kAbc = 259;
Vocabulary abcVocabulary() {
  Vocabulary v;
  v.extra = {QStringLiteral("<s>"), QStringLiteral("ab"), QStringLiteral("bc"), QStringLiteral("abc"),
             QStringLiteral("Ġa")};
  v.types = {{0, 3}};
  return v;
}

QStringList words(BpePreTokenizer kind, const QString& text) {
  const std::vector<char32_t> codePoints = utf8CodePoints(text.toUtf8());
  QStringList out;
  size_t start = 0;
  for (int length : splitIntoWords(kind, codePoints)) {
    out << QString::fromUcs4(codePoints.data() + start, length);
    start += size_t(length);
  }
  return out;
}

QString errorOf(const Vocabulary& v) {
  try {
    (void)v.load();
  } catch (const Error& error) {
    return error.describe();
  }
  return QString();
}

}  // namespace

class TestBpeTokenizer : public QObject {
  Q_OBJECT

 private slots:
  // GPT-2's bytes_to_unicode (openai/gpt-2 src/encoder.py): printable bytes stand for themselves,
  // the 68 others map to U+0100.. in byte order, so space is U+0120 'Ġ' and newline U+010A 'Ċ'
  // (the "Ġthe" of every GPT-2-style vocabulary).
  void byteMapIsGpt2s() {
    QCOMPARE(byteToBpeCharacter(' '), char32_t(0x120));
    QCOMPARE(byteToBpeCharacter('\n'), char32_t(0x10A));
    QCOMPARE(byteToBpeCharacter(0x00), char32_t(0x100));
    QCOMPARE(byteToBpeCharacter(0x7F), char32_t(0x121));  // 33 bytes 0x00-0x20 come first
    QCOMPARE(byteToBpeCharacter(0xAD), char32_t(0x143));  // the 68th and last
    QCOMPARE(byteToBpeCharacter('A'), char32_t('A'));
    QCOMPARE(byteToBpeCharacter(0xE9), char32_t(0xE9));
  }

  // RFC 3629 section 3 and Unicode 15 Table 3-7: overlong forms, surrogates, code points above
  // U+10FFFF and truncated sequences are not UTF-8.
  void utf8IsChecked() {
    QCOMPARE(firstInvalidUtf8Byte(QByteArray("plain \xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80")), qsizetype(-1));
    QCOMPARE(firstInvalidUtf8Byte(QByteArray("ab\xC0\x80")), qsizetype(2));         // overlong NUL
    QCOMPARE(firstInvalidUtf8Byte(QByteArray("\xED\xA0\x80")), qsizetype(0));       // U+D800
    QCOMPARE(firstInvalidUtf8Byte(QByteArray("x\xF4\x90\x80\x80")), qsizetype(1));  // U+110000
    QCOMPARE(firstInvalidUtf8Byte(QByteArray("abc\xE2\x82")), qsizetype(3));        // truncated
    QCOMPARE(firstInvalidUtf8Byte(QByteArray("\xFF")), qsizetype(0));
    QCOMPARE(utf8CodePoints(QByteArray("a\xC3\xA9\xF0\x9F\x98\x80")),
             (std::vector<char32_t>{'a', 0xE9, 0x1F600}));
  }

  // llama.cpp's patterns applied by hand (GGUF-style regexes quoted in docs/measured-mode.md).
  void preTokenizersSplitAsTheirPatterns() {
    const QString text = QStringLiteral("I'm 12345 apples");
    // llama-bpe: \p{N}{1,3}; the lone space before digits is its own word (\s+ after \s+(?!\S) fails).
    QCOMPARE(words(BpePreTokenizer::Llama3, text), (QStringList{"I", "'m", " ", "123", "45", " apples"}));
    QCOMPARE(words(BpePreTokenizer::Qwen2, text),
             (QStringList{"I", "'m", " ", "1", "2", "3", "4", "5", " apples"}));
    QCOMPARE(words(BpePreTokenizer::Gpt2, text), (QStringList{"I", "'m", " 12345", " apples"}));
    // smollm: \p{N} first, so " " and each digit are separate chunks for the GPT-2 pattern.
    QCOMPARE(words(BpePreTokenizer::Smollm, text),
             (QStringList{"I", "'m", " ", "1", "2", "3", "4", "5", " apples"}));
    // default: punctuation runs, GPT-2's pattern, \p{N}+, then [0-9]{3}.
    QCOMPARE(words(BpePreTokenizer::Default, text),
             (QStringList{"I", "'", "m", " ", "123", "45", " apples"}));
    // White space: llama-bpe keeps \s*[\r\n]+ together; GPT-2 leaves one space for the next word.
    QCOMPARE(words(BpePreTokenizer::Llama3, QStringLiteral("a  \n\n b")), (QStringList{"a", "  \n\n", " b"}));
    QCOMPARE(words(BpePreTokenizer::Gpt2, QStringLiteral("a  \n\n b")), (QStringList{"a", "  \n\n", " b"}));
    QCOMPARE(words(BpePreTokenizer::Gpt2, QStringLiteral("a   b  ")), (QStringList{"a", "  ", " b", "  "}));
    // Case-insensitive contractions in llama-bpe, case-sensitive in GPT-2's.
    QCOMPARE(words(BpePreTokenizer::Llama3, QStringLiteral("WE'LL")), (QStringList{"WE", "'LL"}));
    QCOMPARE(words(BpePreTokenizer::Gpt2, QStringLiteral("WE'LL")), (QStringList{"WE", "'", "LL"}));
    // Punctuation takes trailing newlines in llama-bpe; a combining mark is not a letter.
    QCOMPARE(words(BpePreTokenizer::Llama3, QStringLiteral("end.\n\nNext")),
             (QStringList{"end", ".\n\n", "Next"}));
    QCOMPARE(words(BpePreTokenizer::Llama3, QStringLiteral("e\u0301t\u00e9")),
             (QStringList{"e", "\u0301t\u00e9"}));
  }

  void mergesApplyLowestRankFirst() {
    // "abc": b+c (rank 0) before a+b (rank 1), then a+bc (rank 2) makes abc.
    Vocabulary v = abcVocabulary();
    v.pre = QStringLiteral("qwen2");
    v.merges = {QStringLiteral("b c"), QStringLiteral("a b"), QStringLiteral("a bc")};
    QCOMPARE(v.load().tokenize(QStringLiteral("abc")), (std::vector<int>{kAbc}));
    // With a+b ranked first, "abc" becomes ab + c: no merge makes abc from ab.
    v.merges = {QStringLiteral("a b"), QStringLiteral("b c"), QStringLiteral("a bc")};
    QCOMPARE(v.load().tokenize(QStringLiteral("abc")), (std::vector<int>{kAb, 'c'}));
    // Equal pairs merge leftmost first: "abab" -> ab ab.
    QCOMPARE(v.load().tokenize(QStringLiteral("abab")), (std::vector<int>{kAb, kAb}));
  }

  void llamaBpeIgnoresMergesForWholeWords() {
    Vocabulary v = abcVocabulary();
    v.merges = {QStringLiteral("a b")};
    v.addBos = false;
    QCOMPARE(v.load().tokenize(QStringLiteral("abc")),
             (std::vector<int>{kAbc}));  // llama-bpe: abc is a token
    v.pre = QStringLiteral("qwen2");
    QCOMPARE(v.load().tokenize(QStringLiteral("abc")), (std::vector<int>{kAb, 'c'}));
    // Words "a", " ", " b"; a space is the byte character Ġ, whose id here is the byte's value.
    QCOMPARE(v.load().tokenize(QStringLiteral("a  b")), (std::vector<int>{'a', ' ', ' ', 'b'}));
  }

  void bosFollowsTheFileAndThePreTokenizer() {
    Vocabulary v = abcVocabulary();
    QCOMPARE(v.load().tokenize(QStringLiteral("c")),
             (std::vector<int>{256, 'c'}));  // llama-bpe: BOS by default
    TokenizeOptions noBos;
    noBos.addBos = false;
    QCOMPARE(v.load().tokenize(QStringLiteral("c"), noBos), (std::vector<int>{'c'}));
    v.addBos = false;
    QCOMPARE(v.load().tokenize(QStringLiteral("c")), (std::vector<int>{'c'}));
    v.pre = QStringLiteral("qwen2");
    v.addBos.reset();
    QCOMPARE(v.load().tokenize(QStringLiteral("c")), (std::vector<int>{'c'}));  // qwen2: no BOS unless asked
    v.addBos = true;
    QCOMPARE(v.load().tokenize(QStringLiteral("c")), (std::vector<int>{256, 'c'}));
  }

  void specialTokensArePlainTextUnlessParsed() {
    Vocabulary v = abcVocabulary();
    v.extra << QStringLiteral("<think>");
    v.types.push_back({5, 4});  // user-defined
    v.addBos = false;
    const BpeTokenizer tokenizer = v.load();
    // <s> (control) is plain text: < s > as three byte tokens.
    QCOMPARE(tokenizer.tokenize(QStringLiteral("<s>")), (std::vector<int>{'<', 's', '>'}));
    TokenizeOptions parse;
    parse.parseSpecial = true;
    QCOMPARE(tokenizer.tokenize(QStringLiteral("c<s>c"), parse), (std::vector<int>{'c', 256, 'c'}));
    // User-defined tokens are matched in every text, as in llama.cpp.
    QCOMPARE(tokenizer.tokenize(QStringLiteral("c<think>c")), (std::vector<int>{'c', 261, 'c'}));
    QCOMPARE(tokenizer.decode(tokenizer.tokenize(QStringLiteral("a <s> b\n"))), QStringLiteral("a <s> b\n"));
  }

  // The same special-token rules in SentencePiece vocabularies; as in llama.cpp, the text after a
  // special token gets the leading space again.
  void sentencePieceMatchesSpecialsToo() {
    const QString space = QString(QChar(0x2581));
    GgufWriter writer;
    writer.addString(QStringLiteral("tokenizer.ggml.model"), QStringLiteral("llama"));
    writer.addStringArray(QStringLiteral("tokenizer.ggml.tokens"),
                          {QStringLiteral("<unk>"), QStringLiteral("<s>"), QStringLiteral("</s>"), space,
                           QStringLiteral("a"), space + QStringLiteral("a"), QStringLiteral("[x]")});
    writer.addFloat32Array(QStringLiteral("tokenizer.ggml.scores"), {0, 0, 0, -1, -1, -0.5f, 0});
    writer.addInt32Array(QStringLiteral("tokenizer.ggml.token_type"), {2, 3, 3, 1, 1, 1, 4});
    const auto tokenizer = tokenizerFromGguf(GgufFile(writer.toBytes(), QStringLiteral("sp.gguf")));
    TokenizeOptions parse;
    parse.parseSpecial = true;
    QCOMPARE(tokenizer->tokenize(QStringLiteral("a<s>a"), parse), (std::vector<int>{1, 5, 1, 5}));
    const std::vector<int> plain = tokenizer->tokenize(QStringLiteral("a<s>a"));
    QCOMPARE(std::count(plain.begin(), plain.end(), 1), 1);  // only the BOS: <s> stays text
    QCOMPARE(tokenizer->tokenize(QStringLiteral("a[x]a")),
             (std::vector<int>{1, 5, 6, 5}));  // user-defined: always
  }

  void pickedByTheFilesOwnModelKey() {
    Vocabulary v = abcVocabulary();
    QVERIFY(tokenizerFromGguf(GgufFile(v.gguf(), QStringLiteral("v.gguf")))
                ->description()
                .contains(QStringLiteral("llama-bpe")));
    v.model = QStringLiteral("bert");
    try {
      (void)tokenizerFromGguf(GgufFile(v.gguf(), QStringLiteral("v.gguf")));
      QFAIL("no error");
    } catch (const Error& error) {
      QVERIFY2(error.describe().contains(QStringLiteral("tokenizer.ggml.model")) &&
                   error.describe().contains(QStringLiteral("bert")),
               qPrintable(error.describe()));
    }
  }

  // Core says the way around an unsupported tokenizer in its own terms (the token_ids input), never
  // a front end's flag; the command line names --tokens (tests/data/bad_inputs/catalogue.json).
  void unsupportedTokenizersNameTheTokenIdsRemedy_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("pre");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown model") << "bert"
                                   << "llama-bpe"
                                   << "tokenizer.ggml.model";
    QTest::newRow("unknown pre-tokenizer") << "gpt2"
                                           << "tekken"
                                           << "tokenizer.ggml.pre";
  }
  void unsupportedTokenizersNameTheTokenIdsRemedy() {
    QFETCH(QString, model);
    QFETCH(QString, pre);
    QFETCH(QString, field);
    Vocabulary v = abcVocabulary();
    v.model = model;
    v.pre = pre;
    try {
      (void)tokenizerFromGguf(GgufFile(v.gguf(), QStringLiteral("v.gguf")));
      QFAIL("no error");
    } catch (const Error& error) {
      QCOMPARE(error.field(), field);
      QCOMPARE(error.remedyField(), kTokenIdsField);
      const QString text = error.describe();
      QVERIFY2(text.endsWith(QStringLiteral("; measure pre-tokenised ids (token_ids) instead")),
               qPrintable(text));
      QVERIFY2(!text.contains(QStringLiteral("--")), qPrintable(text));
      QVERIFY2(error.remedyNaming(QStringLiteral("--tokens"))
                   .describe()
                   .endsWith(QStringLiteral("; measure pre-tokenised ids (--tokens) instead")),
               qPrintable(text));
    }
  }

  void aliasesMapAsInLlamaCpp() {
    for (const char* alias : {"llama3", "llama-v3", "falcon3", "llama-bpe"}) {
      const auto settings = bpePreTokenizerNamed(QString::fromLatin1(alias));
      QVERIFY(settings && settings->kind == BpePreTokenizer::Llama3 && settings->ignoreMerges &&
              settings->addBosByDefault);
    }
    QVERIFY(!bpePreTokenizerNamed(QStringLiteral("qwen2"))->ignoreMerges);
    QVERIFY(!bpePreTokenizerNamed(QStringLiteral("deepseek-v3")));
    // No tokenizer.ggml.pre at all: llama.cpp's "default" (with its warning), not a refusal.
    Vocabulary v = abcVocabulary();
    v.pre = QString();
    QCOMPARE(v.load().preTokenizerName(), QStringLiteral("default"));
  }

  void malformedVocabulariesAreRefusedByField_data() {
    QTest::addColumn<int>("defect");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("unknown pre-tokenizer") << 0 << "tokenizer.ggml.pre"
                                           << "'tekken' is not supported";
    QTest::newRow("duplicate token") << 1 << "tokenizer.ggml.tokens"
                                     << "duplicates token 97";
    QTest::newRow("empty token") << 2 << "tokenizer.ggml.tokens"
                                 << "token 261 is empty";
    QTest::newRow("merge of a non-token") << 3 << "tokenizer.ggml.merges"
                                          << "names 'zz', which is not a token";
    QTest::newRow("merge making a non-token") << 4 << "tokenizer.ggml.merges"
                                              << "names 'ca', which is not a token";
    QTest::newRow("merge without a space") << 5 << "tokenizer.ggml.merges"
                                           << "not two tokens";
    QTest::newRow("BOS out of range") << 6 << "tokenizer.ggml.bos_token_id"
                                      << "outside the vocabulary";
    QTest::newRow("BOS missing but asked for") << 7 << "tokenizer.ggml.bos_token_id"
                                               << "missing";
    QTest::newRow("no merges") << 8 << "tokenizer.ggml.merges"
                               << "missing";
  }

  void malformedVocabulariesAreRefusedByField() {
    QFETCH(int, defect);
    QFETCH(QString, field);
    QFETCH(QString, fragment);
    Vocabulary v = abcVocabulary();
    v.merges = {QStringLiteral("a b")};
    switch (defect) {
      case 0:
        v.pre = QStringLiteral("tekken");
        break;
      case 1:
        v.extra << QStringLiteral("a");
        break;
      case 2:
        v.extra << QString();
        break;
      case 3:
        v.merges << QStringLiteral("a zz");
        break;
      case 4:
        v.merges << QStringLiteral("c a");
        break;
      case 5:
        v.merges << QStringLiteral("abc");
        break;
      case 6:
        v.bos = 999;
        break;
      case 7:
        v.bos.reset();
        break;
      case 8:
        v.withMerges = false;
        break;
    }
    const QString error = errorOf(v);
    QVERIFY2(error.contains(QStringLiteral("v.gguf: ") + field) && error.contains(fragment),
             qPrintable(error));
  }

  void measureTextMustBeUtf8() {
    Vocabulary v = abcVocabulary();
    QTemporaryDir folder;
    QFile text(folder.filePath(QStringLiteral("t.txt")));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("abc \xFF abc");
    text.close();
    try {
      (void)tokenizeMeasureText(GgufFile(v.gguf(), QStringLiteral("v.gguf")), text.fileName());
      QFAIL("no error");
    } catch (const Error& error) {
      QCOMPARE(error.kind(), ErrorKind::BadInput);
      QVERIFY2(error.describe().contains(QStringLiteral("t.txt: text: not UTF-8: byte 4")),
               qPrintable(error.describe()));
    }
  }
};

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "test_bpe_tokenizer.moc"
