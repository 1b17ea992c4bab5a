// Writes a random-weight llama-shaped GGUF of any size, every matrix of one type or in llama.cpp's
// Q4_K_M mix (tests/support/GeneratedLlama.h), for benchmarks against llama.cpp. Not a converter.
// Usage: build/tests/bench/make_llama_gguf OUT.gguf [--types Q4_K_M|F16|Q8_0|...] [--embedding 1024]
//        [--heads 16] [--kv-heads 16] [--feed-forward 2816] [--layers 24] [--vocab 32000] [--seed 1]
#include "GeneratedLlama.h"
#include "common/Error.h"
#include "gguf/GgufFile.h"
#include "inference/TensorTypes.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <cstdio>

using namespace sinkscope;

namespace {

int intOption(const QCommandLineParser& parser, const QString& name) {
  bool ok = false;
  const int value = parser.value(name).toInt(&ok);
  if (!ok || value <= 0) {
    std::fprintf(stderr, "error: --%s: '%s' is not a positive integer\n", qPrintable(name),
                 qPrintable(parser.value(name)));
    std::exit(2);
  }
  return value;
}

test::TensorTypePlan planFor(const QString& types) {
  if (types == QLatin1String("Q4_K_M")) return test::TensorTypePlan::q4KM();
  for (const TensorTypeTraits& traits : computableTensorTypes())
    if (types == QLatin1String(traits.name)) return test::TensorTypePlan::allMatrices(traits.type);
  std::fprintf(stderr, "error: --types: '%s' is neither Q4_K_M nor one of %s\n", qPrintable(types),
               qPrintable(computableTensorTypeNames()));
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QCommandLineParser parser;
  parser.addPositionalArgument(QStringLiteral("out"), QStringLiteral("the GGUF file to write"));
  const QList<QCommandLineOption> options{
      {QStringLiteral("types"), QStringLiteral("Q4_K_M or a tensor type"), QStringLiteral("T"),
       QStringLiteral("Q4_K_M")},
      {QStringLiteral("embedding"), QStringLiteral("width"), QStringLiteral("N"), QStringLiteral("1024")},
      {QStringLiteral("heads"), QStringLiteral("attention heads"), QStringLiteral("N"), QStringLiteral("16")},
      {QStringLiteral("kv-heads"), QStringLiteral("key/value heads"), QStringLiteral("N"),
       QStringLiteral("16")},
      {QStringLiteral("feed-forward"), QStringLiteral("feed-forward width"), QStringLiteral("N"),
       QStringLiteral("2816")},
      {QStringLiteral("layers"), QStringLiteral("blocks"), QStringLiteral("N"), QStringLiteral("24")},
      {QStringLiteral("vocab"), QStringLiteral("vocabulary size (>= 259)"), QStringLiteral("N"),
       QStringLiteral("32000")},
      {QStringLiteral("seed"), QStringLiteral("weight seed"), QStringLiteral("N"), QStringLiteral("1")}};
  parser.addOptions(options);
  parser.process(app);
  if (parser.positionalArguments().size() != 1) {
    std::fprintf(stderr, "error: expected one output path\n");
    return 2;
  }
  test::GeneratedLlamaShape shape;
  shape.embedding = intOption(parser, QStringLiteral("embedding"));
  shape.heads = intOption(parser, QStringLiteral("heads"));
  shape.kvHeads = intOption(parser, QStringLiteral("kv-heads"));
  shape.feedForward = intOption(parser, QStringLiteral("feed-forward"));
  shape.layers = intOption(parser, QStringLiteral("layers"));
  shape.vocab = intOption(parser, QStringLiteral("vocab"));
  if (shape.vocab < 259 || shape.embedding % shape.heads != 0 || shape.heads % shape.kvHeads != 0) {
    std::fprintf(
        stderr,
        "error: --vocab must be >= 259, --heads must divide --embedding and --kv-heads divide --heads\n");
    return 2;
  }
  const QString out = parser.positionalArguments().front();
  try {
    test::writeGeneratedLlama(out, shape, planFor(parser.value(QStringLiteral("types"))),
                              quint32(intOption(parser, QStringLiteral("seed"))));
    const GgufFile file(out);
    QStringList counts;
    for (const auto& [type, count] : test::tensorTypeCounts(file))
      counts << QStringLiteral("%1 %2").arg(count).arg(type);
    std::printf("%s: %.1f MiB, %s\n", qPrintable(out), double(file.fileSize()) / (1 << 20),
                qPrintable(counts.join(QStringLiteral(", "))));
  } catch (const Error& error) {
    std::fprintf(stderr, "error: %s\n", qPrintable(error.describe()));
    return error.exitCode();
  }
  return 0;
}
