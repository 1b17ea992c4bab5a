#include "catalog/GgufImport.h"

#include "common/Error.h"
#include "common/InputFile.h"
#include "gguf/GgufFile.h"

#include <QFile>
#include <QFileInfo>
#include <algorithm>
#include <cstring>
#include <set>

namespace sinkscope {

bool isGgufFile(const QString& path) {
  if (path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) return true;
  // A pipe's bytes are kept for the reader that follows (docs/limits.md): the sniff consumes nothing.
  return peekInput(path, 4) == QByteArrayLiteral("GGUF");
}

namespace {

constexpr qint64 kMaxDim = 1ll << 24;
constexpr qint64 kMaxTokens = 1ll << 40;

// llama.cpp's LLAMA_ROPE_TYPE_NEOX architectures rotate (i, i + d/2) like HF; the others
// ("normal" mode, llama among them) rotate adjacent pairs (2i, 2i + 1).
bool neoxRopeArchitecture(const QString& arch) {
  static const std::set<QString> neox{
      QStringLiteral("falcon"),   QStringLiteral("grok"),     QStringLiteral("dbrx"),
      QStringLiteral("phi2"),     QStringLiteral("phi3"),     QStringLiteral("qwen"),
      QStringLiteral("qwen2"),    QStringLiteral("qwen2moe"), QStringLiteral("qwen3"),
      QStringLiteral("qwen3moe"), QStringLiteral("stablelm"), QStringLiteral("starcoder2"),
      QStringLiteral("gemma"),    QStringLiteral("gemma2"),   QStringLiteral("gemma3"),
      QStringLiteral("openelm"),  QStringLiteral("gptneox"),  QStringLiteral("nemotron"),
      QStringLiteral("exaone"),   QStringLiteral("olmo2")};
  return neox.count(arch) == 1;
}

class GgufReader {
 public:
  GgufReader(const GgufFile& file, QString arch) : file_(file), arch_(std::move(arch)) {}

  QString key(const QString& suffix) const { return arch_ + QLatin1Char('.') + suffix; }

  std::optional<qint64> integer(const QString& suffix, qint64 minimum, qint64 maximum) const {
    const QString name = key(suffix);
    const GgufValue* value = file_.find(name);
    if (!value) return std::nullopt;
    std::optional<qint64> result;
    if (const GgufValue::Array* array = value->array()) {
      // Per-layer arrays (e.g. head_count_kv in OpenELM): SinkScope keeps the largest value.
      for (const GgufValue& element : *array) {
        const auto number = element.toInteger();
        if (!number) throwBadInput(file_.source(), name, QStringLiteral("expected integers in the array"));
        result = std::max(result.value_or(*number), *number);
      }
      if (!result) throwBadInput(file_.source(), name, QStringLiteral("empty array"));
    } else {
      result = file_.integer(name);
    }
    if (*result < minimum || *result > maximum)
      throwBadInput(file_.source(), name,
                    QStringLiteral("%1 is outside [%2, %3]").arg(*result).arg(minimum).arg(maximum));
    return result;
  }
  qint64 requireInteger(const QString& suffix, qint64 minimum, qint64 maximum) const {
    const auto value = integer(suffix, minimum, maximum);
    if (!value) throwBadInput(file_.source(), key(suffix), QStringLiteral("missing"));
    return *value;
  }
  std::optional<double> number(const QString& suffix) const { return file_.number(key(suffix)); }
  std::optional<QString> string(const QString& suffix) const { return file_.string(key(suffix)); }

 private:
  const GgufFile& file_;
  QString arch_;
};

qint64 vocabularySize(const GgufFile& file, const GgufReader& reader) {
  if (const auto size = reader.integer(QStringLiteral("vocab_size"), 1, kMaxDim)) return *size;
  if (const GgufValue* tokens = file.find(QStringLiteral("tokenizer.ggml.tokens")); tokens && tokens->array())
    return qint64(tokens->array()->size());
  if (const GgufTensorInfo* embedding = file.findTensor(QStringLiteral("token_embd.weight"));
      embedding && embedding->shape.size() == 2)
    return embedding->shape[1];
  throwBadInput(file.source(), QStringLiteral("tokenizer.ggml.tokens"),
                QStringLiteral("missing; the vocabulary size is unknown"));
}

// Tied when there is no separate output matrix, or when it holds the same bytes as the embedding.
bool tiedEmbeddings(const GgufFile& file) {
  const GgufTensorInfo* output = file.findTensor(QStringLiteral("output.weight"));
  if (!output) return true;
  const GgufTensorInfo* embedding = file.findTensor(QStringLiteral("token_embd.weight"));
  if (!embedding || embedding->type != output->type || embedding->shape != output->shape) return false;
  const auto a = file.tensorBytes(*embedding);
  const auto b = file.tensorBytes(*output);
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

void readRopeScaling(const GgufReader& reader, ModelSpec& spec) {
  const auto type = reader.string(QStringLiteral("rope.scaling.type"));
  if (!type || *type == QLatin1String("none")) return;
  if (*type != QLatin1String("linear") && *type != QLatin1String("yarn"))
    throwBadInput(QString(), reader.key(QStringLiteral("rope.scaling.type")),
                  QStringLiteral("unknown RoPE scaling type '%1' (known: none, linear, yarn)").arg(*type));
  RopeScaling scaling;
  scaling.type = *type;
  const auto factor = reader.number(QStringLiteral("rope.scaling.factor"));
  if (!factor || *factor <= 0)
    throwBadInput(QString(), reader.key(QStringLiteral("rope.scaling.factor")),
                  QStringLiteral("missing or not positive"));
  scaling.factor = *factor;
  scaling.originalMaxPositionEmbeddings =
      reader.integer(QStringLiteral("rope.scaling.original_context_length"), 1, kMaxTokens);
  if (const auto mscale = reader.number(QStringLiteral("rope.scaling.yarn_log_multiplier")))
    scaling.mscaleAllDim = *mscale / 0.1;  // llama.cpp stores 0.1 x mscale_all_dim
  spec.ropeScaling = scaling;
}

std::vector<double> factorsFromTensor(const GgufFile& file, const GgufTensorInfo& tensor) {
  const std::vector<float> values = file.readFloats(tensor);
  return std::vector<double>(values.begin(), values.end());
}

// llama.cpp keeps per-pair RoPE factors as tensors: Phi-3's LongRoPE short/long factors, and
// Llama 3.1's rope_freqs (its llama3 schedule baked into numbers, which are not turned back
// into low/high frequency factors here: the field is marked defaulted instead).
void readRopeFactorTensors(const GgufFile& file, const GgufReader& reader, ModelSpec& spec) {
  const GgufTensorInfo* longFactors = file.findTensor(QStringLiteral("rope_factors_long.weight"));
  const GgufTensorInfo* shortFactors = file.findTensor(QStringLiteral("rope_factors_short.weight"));
  if (longFactors && shortFactors && !spec.ropeScaling) {
    RopeScaling scaling;
    scaling.type = QStringLiteral("longrope");
    scaling.longFactor = factorsFromTensor(file, *longFactors);
    scaling.shortFactor = factorsFromTensor(file, *shortFactors);
    scaling.originalMaxPositionEmbeddings =
        reader.integer(QStringLiteral("rope.scaling.original_context_length"), 1, kMaxTokens);
    scaling.attentionFactor = reader.number(QStringLiteral("rope.scaling.attn_factor"));
    const qint64 maxPositions = reader.requireInteger(QStringLiteral("context_length"), 1, kMaxTokens);
    scaling.factor = scaling.originalMaxPositionEmbeddings
                         ? double(maxPositions) / double(*scaling.originalMaxPositionEmbeddings)
                         : 1.0;
    spec.ropeScaling = scaling;
  } else if (file.findTensor(QStringLiteral("rope_freqs.weight")) && !spec.ropeScaling) {
    spec.defaultedFields << QStringLiteral("rope_scaling");
    spec.notes += QStringLiteral(
        " The file carries per-pair RoPE frequency factors (rope_freqs, Llama 3.1-style scaling); "
        "SinkScope does not read them back, so the schedule shown is unscaled.");
  }
}

void readMla(const GgufReader& reader, ModelSpec& spec) {
  const auto kvLoraRank = reader.integer(QStringLiteral("attention.kv_lora_rank"), 1, 65536);
  if (!kvLoraRank) return;
  MlaSpec mla;
  mla.kvLoraRank = int(*kvLoraRank);
  mla.qLoraRank = int(reader.integer(QStringLiteral("attention.q_lora_rank"), 0, 65536).value_or(0));
  mla.qkRopeHeadDim = int(reader.requireInteger(QStringLiteral("rope.dimension_count"), 2, 65536));
  const qint64 keyLength =
      reader.requireInteger(QStringLiteral("attention.key_length"), mla.qkRopeHeadDim, 65536);
  mla.qkNopeHeadDim = int(keyLength - mla.qkRopeHeadDim);
  mla.vHeadDim = int(reader.requireInteger(QStringLiteral("attention.value_length"), 1, 65536));
  spec.mla = mla;
  spec.headDim = int(keyLength);
}

void readMoe(const GgufReader& reader, ModelSpec& spec) {
  const auto experts = reader.integer(QStringLiteral("expert_count"), 0, 1 << 20);
  if (!experts || *experts <= 1) return;
  spec.moe.experts = int(*experts);
  spec.moe.expertsPerToken = int(reader.requireInteger(QStringLiteral("expert_used_count"), 1, *experts));
  spec.moe.expertIntermediateSize = reader.integer(QStringLiteral("expert_feed_forward_length"), 1, kMaxDim)
                                        .value_or(spec.intermediateSize);
  spec.moe.sharedExperts = int(reader.integer(QStringLiteral("expert_shared_count"), 0, 1 << 20).value_or(0));
  spec.moe.denseLayers =
      int(reader.integer(QStringLiteral("leading_dense_block_count"), 0, spec.layers).value_or(0));
}

void readLayers(const GgufReader& reader, ModelSpec& spec, const QString& arch) {
  const auto window = reader.integer(QStringLiteral("attention.sliding_window"), 0, kMaxTokens);
  if (!window || *window == 0) return;
  spec.slidingWindow = int(std::min<qint64>(*window, 1 << 30));
  if (arch == QLatin1String("gemma2"))
    for (int i = 0; i < spec.layers; ++i)  // Gemma 2: even layers local, odd layers global
      spec.layerTypes.push_back(i % 2 == 0 ? LayerAttention::Sliding : LayerAttention::Full);
  else if (arch == QLatin1String("gemma3"))
    for (int i = 0; i < spec.layers; ++i)  // Gemma 3: five local layers, then one global
      spec.layerTypes.push_back((i + 1) % 6 == 0 ? LayerAttention::Full : LayerAttention::Sliding);
}

// Every weight once: a tied output matrix stored as a copy of the embedding is not counted twice.
qint64 tensorParameterCount(const GgufFile& file, bool tied) {
  qint64 count = 0;
  for (const GgufTensorInfo& tensor : file.tensors())
    if (!(tied && tensor.name == QLatin1String("output.weight")) &&
        !tensor.name.startsWith(QLatin1String("rope_")))
      count += tensor.elementCount();  // rope_freqs / rope_factors_* are constants, not weights
  return count;
}

}  // namespace

ModelSpec modelSpecFromGguf(const GgufFile& file, const QString& fallbackId) {
  const QString arch = file.requireString(QStringLiteral("general.architecture"));
  const GgufReader reader(file, arch);
  ModelSpec spec;
  spec.id = fallbackId;
  const QString generalName = file.string(QStringLiteral("general.name")).value_or(QString());
  spec.displayName = generalName.isEmpty() || generalName == arch ? fallbackId : generalName;
  spec.family = arch;
  spec.architecture = arch;
  spec.origin = file.source();
  spec.notes = QStringLiteral(
      "Read from GGUF metadata; parameters counted from the file's tensors. GGUF does not record "
      "the training context: trained_context is read as context_length, which a measured run can "
      "override where the two differ.");
  spec.layers = int(reader.requireInteger(QStringLiteral("block_count"), 1, 100000));
  spec.hiddenSize = reader.requireInteger(QStringLiteral("embedding_length"), 1, kMaxDim);
  spec.intermediateSize = reader.requireInteger(QStringLiteral("feed_forward_length"), 1, kMaxDim);
  spec.heads = int(reader.requireInteger(QStringLiteral("attention.head_count"), 1, 65536));
  if (const auto kv = reader.integer(QStringLiteral("attention.head_count_kv"), 1, 65536)) {
    spec.kvHeads = int(*kv);
  } else {
    spec.kvHeads = spec.heads;
    spec.defaultedFields << reader.key(QStringLiteral("attention.head_count_kv"));
  }
  spec.vocabSize = vocabularySize(file, reader);
  spec.tiedEmbeddings = tiedEmbeddings(file);
  spec.gatedFfn = file.findTensor(QStringLiteral("blk.0.ffn_gate.weight")) ||
                  file.findTensor(QStringLiteral("blk.0.ffn_gate_exps.weight")) ||
                  !file.findTensor(QStringLiteral("blk.0.ffn_up.weight"));
  spec.attentionBias = file.findTensor(QStringLiteral("blk.0.attn_q.bias")) != nullptr;
  readMla(reader, spec);
  if (!spec.mla) {
    if (const auto keyLength = reader.integer(QStringLiteral("attention.key_length"), 1, 65536)) {
      spec.headDim = int(*keyLength);
    } else {
      if (spec.hiddenSize % spec.heads != 0)
        throwBadInput(file.source(), reader.key(QStringLiteral("attention.key_length")),
                      QStringLiteral("missing, and embedding_length %1 is not divisible by %2 heads")
                          .arg(spec.hiddenSize)
                          .arg(spec.heads));
      spec.headDim = int(spec.hiddenSize / spec.heads);
    }
  }
  const bool alibi = arch == QLatin1String("bloom") || arch == QLatin1String("mpt");
  spec.usesRope = !alibi && arch != QLatin1String("gpt2");
  if (spec.usesRope) {
    if (const auto theta = reader.number(QStringLiteral("rope.freq_base"))) {
      spec.ropeTheta = *theta;
    } else {
      spec.ropeTheta = 10000.0;  // llama.cpp's default when the key is absent
      spec.defaultedFields << reader.key(QStringLiteral("rope.freq_base"));
    }
    if (!spec.mla)
      if (const auto rotary = reader.integer(QStringLiteral("rope.dimension_count"), 2, spec.headDim))
        spec.partialRotaryFactor = double(*rotary) / double(spec.headDim);
    spec.ropePairLayout = neoxRopeArchitecture(arch) ? RopePairLayout::HalfSplit : RopePairLayout::Adjacent;
    try {
      readRopeScaling(reader, spec);
      readRopeFactorTensors(file, reader, spec);
    } catch (const Error& error) {
      throw error.at(file.source(), error.field());
    }
  }
  spec.maxPositionEmbeddings = reader.requireInteger(QStringLiteral("context_length"), 1, kMaxTokens);
  if (spec.ropeScaling && spec.ropeScaling->originalMaxPositionEmbeddings) {
    spec.trainedContext = *spec.ropeScaling->originalMaxPositionEmbeddings;
  } else {
    spec.trainedContext = spec.maxPositionEmbeddings;  // GGUF does not record the training length
    spec.defaultedFields << QStringLiteral("trained_context");
  }
  readMoe(reader, spec);
  readLayers(reader, spec, arch);
  spec.attentionKind = inferAttentionKind(spec, alibi);
  spec.publishedParameters = double(tensorParameterCount(file, spec.tiedEmbeddings));
  spec.source = QStringLiteral("GGUF metadata of %1").arg(file.source());
  validateModelSpec(spec, file.source());
  return spec;
}

ModelSpec importGgufMetadata(const QString& path) {
  const GgufFile file(path);
  return modelSpecFromGguf(file, QFileInfo(path).completeBaseName().toLower());
}

}  // namespace sinkscope
