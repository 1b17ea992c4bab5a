#include "catalog/HfConfigImport.h"

#include "common/Error.h"
#include "common/JsonRead.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <set>

namespace sinkscope {

namespace {

constexpr qint64 kMaxDim = 1ll << 24;
constexpr qint64 kMaxTokens = 1ll << 40;

// Architectures whose feed-forward is a plain two-matrix MLP (no gate).
bool plainMlpArchitecture(const QString& modelType) {
  static const std::set<QString> plain{
      QStringLiteral("falcon"),   QStringLiteral("RefinedWeb"), QStringLiteral("RefinedWebModel"),
      QStringLiteral("mpt"),      QStringLiteral("bloom"),      QStringLiteral("gpt2"),
      QStringLiteral("gpt_neox"), QStringLiteral("gptj"),       QStringLiteral("opt"),
      QStringLiteral("phi"),      QStringLiteral("starcoder2"), QStringLiteral("gpt_bigcode")};
  return plain.count(modelType) == 1;
}

bool falconArchitecture(const QString& modelType) {
  return modelType == QLatin1String("falcon") || modelType.startsWith(QLatin1String("RefinedWeb"));
}

// The architecture's own default for tie_word_embeddings when the config leaves it out.
bool defaultTiedEmbeddings(const QString& modelType) {
  static const std::set<QString> untied{
      QStringLiteral("llama"),       QStringLiteral("mistral"),   QStringLiteral("mixtral"),
      QStringLiteral("qwen2"),       QStringLiteral("qwen2_moe"), QStringLiteral("qwen3"),
      QStringLiteral("qwen3_moe"),   QStringLiteral("phi3"),      QStringLiteral("deepseek_v2"),
      QStringLiteral("deepseek_v3"), QStringLiteral("gpt_neox"),  QStringLiteral("gptj")};
  return untied.count(modelType) == 0;
}

// Reads the first of several alias keys that is present.
struct Aliases {
  const JsonReader& reader;

  std::optional<QString> present(std::initializer_list<const char*> keys) const {
    for (const char* key : keys)
      if (reader.has(QString::fromLatin1(key))) return QString::fromLatin1(key);
    return std::nullopt;
  }
  std::optional<qint64> integer(std::initializer_list<const char*> keys, qint64 minimum,
                                qint64 maximum) const {
    const auto key = present(keys);
    return key ? reader.optionalInt(*key, minimum, maximum) : std::nullopt;
  }
  qint64 requireInteger(std::initializer_list<const char*> keys, qint64 minimum, qint64 maximum) const {
    const auto value = integer(keys, minimum, maximum);
    if (!value) reader.fail(QString::fromLatin1(*keys.begin()), QStringLiteral("missing"));
    return *value;
  }
};

class ConfigReader {
 public:
  ConfigReader(const JsonReader& reader, ConfigFlavour flavour) : r_(reader), alias_{r_}, flavour_(flavour) {}

  ModelSpec read(const QString& fallbackId);

 private:
  void markDefaulted(const QString& field) {
    if (flavour_ == ConfigFlavour::CatalogueEntry)
      r_.fail(field, QStringLiteral("missing; catalogue entries state every field"));
    spec_.defaultedFields << field;
  }
  void readIdentity(const QString& fallbackId);
  void readDimensions();
  void readHeads();
  void readFeedForward();
  void readMla();
  void readMoe();
  void readPositions();
  void readRopeBlock();
  void readContext();
  void readLayers();
  void readKind();
  void readPublished();
  void readRecipe();
  std::optional<RopeScaling> parseScaling(const JsonReader& block, const QString& typeKey,
                                          const QString& type);

  JsonReader r_;
  Aliases alias_;
  ConfigFlavour flavour_;
  ModelSpec spec_;
  QString modelType_;
  bool alibi_ = false;
};

ModelSpec ConfigReader::read(const QString& fallbackId) {
  readIdentity(fallbackId);
  readDimensions();
  readMla();
  readHeads();
  readFeedForward();
  readMoe();
  readPositions();
  readContext();
  readLayers();
  readKind();
  readPublished();
  return spec_;
}

void ConfigReader::readIdentity(const QString& fallbackId) {
  modelType_ = r_.optionalString(QStringLiteral("model_type")).value_or(QString());
  const bool catalogue = flavour_ == ConfigFlavour::CatalogueEntry;
  spec_.id = catalogue ? r_.requireString(QStringLiteral("id"))
                       : r_.optionalString(QStringLiteral("id"))
                             .value_or(fallbackId.isEmpty() ? QStringLiteral("imported") : fallbackId);
  if (spec_.id.trimmed().isEmpty()) r_.fail(QStringLiteral("id"), QStringLiteral("must not be empty"));
  spec_.displayName =
      catalogue ? r_.requireString(QStringLiteral("name"))
                : r_.optionalString(QStringLiteral("name"))
                      .value_or(r_.optionalString(QStringLiteral("_name_or_path")).value_or(spec_.id));
  if (spec_.displayName.isEmpty()) spec_.displayName = spec_.id;
  spec_.architecture = modelType_;
  spec_.family = r_.optionalString(QStringLiteral("family")).value_or(modelType_);
  if (catalogue && spec_.family.isEmpty()) r_.fail(QStringLiteral("family"), QStringLiteral("missing"));
  spec_.source = catalogue ? r_.requireString(QStringLiteral("source"))
                           : r_.optionalString(QStringLiteral("source")).value_or(QString());
  if (catalogue && spec_.source.trimmed().isEmpty())
    r_.fail(QStringLiteral("source"), QStringLiteral("must not be empty"));
  spec_.notes = r_.optionalString(QStringLiteral("notes")).value_or(QString());
}

void ConfigReader::readDimensions() {
  spec_.layers =
      int(alias_.requireInteger({"num_hidden_layers", "n_layer", "n_layers", "num_layers"}, 1, 100000));
  spec_.hiddenSize = alias_.requireInteger({"hidden_size", "d_model", "n_embd"}, 1, kMaxDim);
  spec_.vocabSize = alias_.requireInteger({"vocab_size", "padded_vocab_size"}, 1, kMaxDim);
  if (const auto tied = r_.optionalBool(QStringLiteral("tie_word_embeddings"))) {
    spec_.tiedEmbeddings = *tied;
  } else {
    spec_.tiedEmbeddings = defaultTiedEmbeddings(modelType_);
    markDefaulted(QStringLiteral("tie_word_embeddings"));
  }
}

void ConfigReader::readHeads() {
  spec_.heads = int(alias_.requireInteger({"num_attention_heads", "n_head", "n_heads"}, 1, 65536));
  const auto attnConfig = r_.optionalObject(QStringLiteral("attn_config"));  // MPT
  if (const auto kv = r_.optionalInt(QStringLiteral("num_key_value_heads"), 1, 65536)) {
    spec_.kvHeads = int(*kv);
  } else if (falconArchitecture(modelType_)) {
    const bool newArch = r_.optionalBool(QStringLiteral("new_decoder_architecture")).value_or(false);
    const bool multiQuery = r_.optionalBool(QStringLiteral("multi_query")).value_or(true);
    const auto kvHeads = r_.optionalInt(QStringLiteral("num_kv_heads"), 1, 65536);
    spec_.kvHeads = newArch ? int(kvHeads.value_or(spec_.heads)) : (multiQuery ? 1 : spec_.heads);
    if (!r_.has(QStringLiteral("multi_query")) && !newArch) markDefaulted(QStringLiteral("multi_query"));
  } else if (attnConfig && attnConfig->has(QStringLiteral("kv_n_heads"))) {
    spec_.kvHeads = int(attnConfig->requireInt(QStringLiteral("kv_n_heads"), 1, 65536));
  } else if (spec_.mla || modelType_ == QLatin1String("bloom") || modelType_ == QLatin1String("mpt") ||
             modelType_ == QLatin1String("gpt2") || modelType_ == QLatin1String("gpt_neox")) {
    spec_.kvHeads = spec_.heads;  // these architectures have no grouped KV heads
  } else {
    spec_.kvHeads = spec_.heads;
    markDefaulted(QStringLiteral("num_key_value_heads"));
  }
  if (spec_.mla) {
    spec_.headDim = spec_.mla->qkNopeHeadDim + spec_.mla->qkRopeHeadDim;
  } else if (const auto headDim = r_.optionalInt(QStringLiteral("head_dim"), 1, 65536)) {
    spec_.headDim = int(*headDim);
  } else {
    if (spec_.hiddenSize % spec_.heads != 0)
      r_.fail(QStringLiteral("head_dim"),
              QStringLiteral("missing, and hidden_size %1 is not divisible by %2 heads")
                  .arg(spec_.hiddenSize)
                  .arg(spec_.heads));
    spec_.headDim = int(spec_.hiddenSize / spec_.heads);  // HF's own rule, not a guess
  }
  if (const auto bias = r_.optionalBool(QStringLiteral("attention_bias")))
    spec_.attentionBias = *bias;
  else if (const auto falconBias = r_.optionalBool(QStringLiteral("bias"));
           falconBias && falconArchitecture(modelType_))
    spec_.attentionBias = *falconBias;
  else if (const auto noBias = r_.optionalBool(QStringLiteral("no_bias")))
    spec_.attentionBias = !*noBias;
  else
    spec_.attentionBias = modelType_ == QLatin1String("qwen2") || modelType_ == QLatin1String("qwen2_moe") ||
                          modelType_ == QLatin1String("bloom") || modelType_ == QLatin1String("gpt2");
}

void ConfigReader::readFeedForward() {
  spec_.gatedFfn = r_.optionalBool(QStringLiteral("gated_ffn")).value_or(!plainMlpArchitecture(modelType_));
  if (const auto width = alias_.integer({"intermediate_size", "ffn_hidden_size", "n_inner"}, 1, kMaxDim)) {
    spec_.intermediateSize = *width;
  } else if (modelType_ == QLatin1String("mpt")) {
    const auto ratio = r_.optionalDouble(QStringLiteral("expansion_ratio"), 0.01, 1000);
    if (!ratio) markDefaulted(QStringLiteral("expansion_ratio"));
    spec_.intermediateSize = qint64(ratio.value_or(4.0) * double(spec_.hiddenSize));
  } else if (modelType_ == QLatin1String("bloom") || modelType_ == QLatin1String("gpt2")) {
    spec_.intermediateSize = 4 * spec_.hiddenSize;  // fixed by the architecture
  } else if (falconArchitecture(modelType_)) {
    spec_.intermediateSize = 4 * spec_.hiddenSize;  // FalconConfig's default for ffn_hidden_size
    markDefaulted(QStringLiteral("intermediate_size"));
  } else {
    r_.fail(QStringLiteral("intermediate_size"), QStringLiteral("missing"));
  }
}

void ConfigReader::readMla() {
  if (!r_.has(QStringLiteral("kv_lora_rank"))) return;
  MlaSpec mla;
  mla.kvLoraRank = int(r_.requireInt(QStringLiteral("kv_lora_rank"), 1, 65536));
  mla.qLoraRank = int(r_.optionalInt(QStringLiteral("q_lora_rank"), 1, 65536).value_or(0));
  mla.qkRopeHeadDim = int(r_.requireInt(QStringLiteral("qk_rope_head_dim"), 2, 65536));
  mla.qkNopeHeadDim = int(r_.requireInt(QStringLiteral("qk_nope_head_dim"), 0, 65536));
  mla.vHeadDim = int(r_.requireInt(QStringLiteral("v_head_dim"), 1, 65536));
  spec_.mla = mla;
}

void ConfigReader::readMoe() {
  const auto experts = alias_.integer({"num_local_experts", "n_routed_experts", "num_experts"}, 0, 1 << 20);
  if (!experts || *experts <= 1) return;
  MoeSpec& moe = spec_.moe;
  moe.experts = int(*experts);
  moe.expertsPerToken = int(alias_.requireInteger({"num_experts_per_tok", "moe_top_k"}, 1, moe.experts));
  moe.expertIntermediateSize =
      r_.optionalInt(QStringLiteral("moe_intermediate_size"), 1, kMaxDim).value_or(spec_.intermediateSize);
  moe.sharedExperts = int(r_.optionalInt(QStringLiteral("n_shared_experts"), 0, 1 << 20).value_or(0));
  if (moe.sharedExperts == 0 &&
      r_.optionalInt(QStringLiteral("shared_expert_intermediate_size"), 0, kMaxDim).value_or(0) > 0)
    moe.sharedExperts = 1;  // Qwen MoE: one shared expert of its own width
  moe.denseLayers = int(r_.optionalInt(QStringLiteral("first_k_dense_replace"), 0, spec_.layers).value_or(0));
}

std::optional<RopeScaling> ConfigReader::parseScaling(const JsonReader& block, const QString& typeKey,
                                                      const QString& rawType) {
  QString type = rawType;
  if (type == QLatin1String("default") || type == QLatin1String("mrope")) return std::nullopt;
  if (type == QLatin1String("su")) type = QStringLiteral("longrope");  // early Phi-3 configs
  static const std::set<QString> known{QStringLiteral("linear"), QStringLiteral("dynamic"),
                                       QStringLiteral("yarn"), QStringLiteral("llama3"),
                                       QStringLiteral("longrope")};
  if (known.count(type) == 0)
    block.fail(typeKey, QStringLiteral(
                            "unknown RoPE scaling type '%1' (known: default, linear, dynamic, yarn, llama3, "
                            "longrope)")
                            .arg(rawType));
  RopeScaling scaling;
  scaling.type = type;
  scaling.originalMaxPositionEmbeddings =
      block.optionalInt(QStringLiteral("original_max_position_embeddings"), 1, kMaxTokens);
  if (!scaling.originalMaxPositionEmbeddings)
    scaling.originalMaxPositionEmbeddings =
        r_.optionalInt(QStringLiteral("original_max_position_embeddings"), 1, kMaxTokens);
  const auto factor = block.optionalDouble(QStringLiteral("factor"), 1e-6, 1e6);
  if (factor) {
    scaling.factor = *factor;
  } else if (type == QLatin1String("longrope") && scaling.originalMaxPositionEmbeddings) {
    // HF: factor = max_position_embeddings / original_max_position_embeddings when absent.
    const qint64 maxPositions = alias_.requireInteger({"max_position_embeddings"}, 1, kMaxTokens);
    scaling.factor = double(maxPositions) / double(*scaling.originalMaxPositionEmbeddings);
  } else {
    block.fail(QStringLiteral("factor"), QStringLiteral("missing for '%1' scaling").arg(type));
  }
  scaling.lowFreqFactor = block.optionalDouble(QStringLiteral("low_freq_factor"), 1e-9, 1e9);
  scaling.highFreqFactor = block.optionalDouble(QStringLiteral("high_freq_factor"), 1e-9, 1e9);
  scaling.betaFast = block.optionalDouble(QStringLiteral("beta_fast"), 1e-9, 1e9);
  scaling.betaSlow = block.optionalDouble(QStringLiteral("beta_slow"), 1e-9, 1e9);
  scaling.truncate = block.optionalBool(QStringLiteral("truncate"));
  scaling.mscale = block.optionalDouble(QStringLiteral("mscale"), 0, 1e3);
  scaling.mscaleAllDim = block.optionalDouble(QStringLiteral("mscale_all_dim"), 0, 1e3);
  scaling.attentionFactor = block.optionalDouble(QStringLiteral("attention_factor"), 1e-9, 1e3);
  scaling.shortFactor =
      block.optionalDoubleArray(QStringLiteral("short_factor")).value_or(std::vector<double>{});
  scaling.longFactor =
      block.optionalDoubleArray(QStringLiteral("long_factor")).value_or(std::vector<double>{});
  if (type == QLatin1String("llama3")) {
    if (!scaling.lowFreqFactor)
      block.fail(QStringLiteral("low_freq_factor"), QStringLiteral("missing for llama3 scaling"));
    if (!scaling.highFreqFactor)
      block.fail(QStringLiteral("high_freq_factor"), QStringLiteral("missing for llama3 scaling"));
    if (!scaling.originalMaxPositionEmbeddings)
      block.fail(QStringLiteral("original_max_position_embeddings"),
                 QStringLiteral("missing for llama3 scaling"));
  }
  if (type == QLatin1String("longrope") && (scaling.shortFactor.empty() || scaling.longFactor.empty()))
    block.fail(scaling.shortFactor.empty() ? QStringLiteral("short_factor") : QStringLiteral("long_factor"),
               QStringLiteral("missing for longrope scaling"));
  return scaling;
}

void ConfigReader::readRopeBlock() {
  // Newer configs: rope_parameters (transformers v5), possibly one block per layer type
  // (Gemma 3); older ones: rope_scaling with "type" or "rope_type".
  std::optional<JsonReader> block = r_.optionalObject(QStringLiteral("rope_parameters"));
  if (block && block->has(QStringLiteral("full_attention")))
    block = block->requireObject(QStringLiteral("full_attention"));
  if (!block) block = r_.optionalObject(QStringLiteral("rope_scaling"));
  if (!block) return;
  if (const auto theta = block->optionalDouble(QStringLiteral("rope_theta"), 1.0, 1e12))
    spec_.ropeTheta = *theta;
  if (const auto partial = block->optionalDouble(QStringLiteral("partial_rotary_factor"), 1e-6, 1.0))
    spec_.partialRotaryFactor = *partial;
  const QString typeKey =
      block->has(QStringLiteral("rope_type")) ? QStringLiteral("rope_type") : QStringLiteral("type");
  const auto type = block->optionalString(typeKey);
  if (!type) {
    if (block->has(QStringLiteral("factor")))
      block->fail(QStringLiteral("rope_type"), QStringLiteral("missing"));
    return;
  }
  spec_.ropeScaling = parseScaling(*block, typeKey, *type);
}

void ConfigReader::readPositions() {
  const auto attnConfig = r_.optionalObject(QStringLiteral("attn_config"));
  alibi_ = modelType_ == QLatin1String("bloom") || r_.optionalBool(QStringLiteral("alibi")).value_or(false) ||
           (attnConfig && attnConfig->optionalBool(QStringLiteral("alibi")).value_or(false));
  spec_.usesRope = !alibi_ && modelType_ != QLatin1String("gpt2") && modelType_ != QLatin1String("opt") &&
                   !(modelType_ == QLatin1String("mpt") && !alibi_);
  if (const auto uses = r_.optionalBool(QStringLiteral("uses_rope"))) spec_.usesRope = *uses;
  const auto theta = alias_.present({"rope_theta", "rotary_emb_base"});
  if (theta) spec_.ropeTheta = r_.requireDouble(*theta, 1.0, 1e12);
  if (const auto partial = alias_.present({"partial_rotary_factor", "rotary_pct"}))
    spec_.partialRotaryFactor = r_.requireDouble(*partial, 1e-6, 1.0);
  readRopeBlock();
  const bool thetaInBlock =
      r_.has(QStringLiteral("rope_parameters")) &&
      r_.object().value(QStringLiteral("rope_parameters")).toObject().contains(QStringLiteral("rope_theta"));
  if (spec_.usesRope && !theta && !thetaInBlock) markDefaulted(QStringLiteral("rope_theta"));
  if (const auto layout = r_.optionalString(QStringLiteral("rope_pair_layout"))) {
    if (*layout == QLatin1String("half_split"))
      spec_.ropePairLayout = RopePairLayout::HalfSplit;
    else if (*layout == QLatin1String("adjacent"))
      spec_.ropePairLayout = RopePairLayout::Adjacent;
    else
      r_.fail(QStringLiteral("rope_pair_layout"),
              QStringLiteral("'%1'; expected half_split or adjacent").arg(*layout));
  }
}

void ConfigReader::readContext() {
  if (const auto maxPositions = alias_.integer(
          {"max_position_embeddings", "n_positions", "max_seq_len", "seq_length"}, 1, kMaxTokens)) {
    spec_.maxPositionEmbeddings = *maxPositions;
  } else {
    spec_.maxPositionEmbeddings = 2048;  // the default of LlamaConfig and FalconConfig
    markDefaulted(QStringLiteral("max_position_embeddings"));
  }
  if (const auto trained = r_.optionalInt(QStringLiteral("trained_context"), 1, kMaxTokens)) {
    spec_.trainedContext = *trained;
  } else if (spec_.ropeScaling && spec_.ropeScaling->originalMaxPositionEmbeddings) {
    spec_.trainedContext = *spec_.ropeScaling->originalMaxPositionEmbeddings;
  } else if (const auto original =
                 r_.optionalInt(QStringLiteral("original_max_position_embeddings"), 1, kMaxTokens)) {
    spec_.trainedContext = *original;
  } else if (spec_.ropeScaling && spec_.ropeScaling->type == QLatin1String("linear") &&
             spec_.ropeScaling->factor > 1) {
    // Position interpolation stretches the trained length by the factor: L0 = max / s (inferred).
    spec_.trainedContext =
        std::max<qint64>(1, qint64(double(spec_.maxPositionEmbeddings) / spec_.ropeScaling->factor + 0.5));
    markDefaulted(QStringLiteral("trained_context"));
  } else {
    spec_.trainedContext = spec_.maxPositionEmbeddings;
    markDefaulted(QStringLiteral("trained_context"));
  }
}

LayerAttention layerAttentionFromName(const JsonReader& reader, const QString& key, const QString& name) {
  static const std::set<QString> full{QStringLiteral("full_attention"), QStringLiteral("attention"),
                                      QStringLiteral("global"), QStringLiteral("full")};
  static const std::set<QString> sliding{QStringLiteral("sliding_attention"), QStringLiteral("sliding"),
                                         QStringLiteral("local"), QStringLiteral("chunked_attention")};
  static const std::set<QString> recurrent{QStringLiteral("linear_attention"), QStringLiteral("mamba"),
                                           QStringLiteral("ssm"), QStringLiteral("recurrent")};
  if (full.count(name)) return LayerAttention::Full;
  if (sliding.count(name)) return LayerAttention::Sliding;
  if (recurrent.count(name)) return LayerAttention::Recurrent;
  reader.fail(key, QStringLiteral("unknown layer type '%1'").arg(name));
}

void ConfigReader::readLayers() {
  const auto window = r_.optionalInt(QStringLiteral("sliding_window"), 0, kMaxTokens);
  const bool qwenStyle = r_.has(QStringLiteral("use_sliding_window"));
  const bool windowOn =
      window && *window > 0 && r_.optionalBool(QStringLiteral("use_sliding_window")).value_or(true);
  if (windowOn && *window >= spec_.maxPositionEmbeddings && !r_.has(QStringLiteral("layer_types"))) {
    // A window no shorter than every allowed position never drops a token (Phi-3.5-mini: 262144).
    spec_.slidingWindow = 0;
  } else if (windowOn) {
    spec_.slidingWindow = int(std::min<qint64>(*window, 1 << 30));
  }
  if (r_.has(QStringLiteral("layer_types"))) {
    const QJsonArray types = r_.requireArray(QStringLiteral("layer_types"));
    for (qsizetype i = 0; i < types.size(); ++i) {
      const QString key = QStringLiteral("layer_types[%1]").arg(i);
      if (!types.at(i).isString()) r_.fail(key, QStringLiteral("expected a string"));
      spec_.layerTypes.push_back(layerAttentionFromName(r_, key, types.at(i).toString()));
    }
  } else if (spec_.slidingWindow > 0 && modelType_ == QLatin1String("gemma2")) {
    for (int i = 0; i < spec_.layers; ++i)  // Gemma 2: even layers local, odd layers global
      spec_.layerTypes.push_back(i % 2 == 0 ? LayerAttention::Sliding : LayerAttention::Full);
  } else if (const auto patternKey = alias_.present({"sliding_window_pattern", "_sliding_window_pattern"});
             spec_.slidingWindow > 0 && patternKey) {
    const qint64 pattern = r_.requireInt(*patternKey, 1, 1 << 20);
    for (int i = 0; i < spec_.layers; ++i)  // Gemma 3: every pattern-th layer global
      spec_.layerTypes.push_back((i + 1) % pattern == 0 ? LayerAttention::Full : LayerAttention::Sliding);
  } else if (spec_.slidingWindow > 0 && qwenStyle) {
    const qint64 firstWindowed =
        r_.optionalInt(QStringLiteral("max_window_layers"), 0, spec_.layers).value_or(spec_.layers);
    for (int i = 0; i < spec_.layers; ++i)  // Qwen 2: layers from max_window_layers on are windowed
      spec_.layerTypes.push_back(i >= firstWindowed ? LayerAttention::Sliding : LayerAttention::Full);
  }
}

void ConfigReader::readKind() {
  const auto name = flavour_ == ConfigFlavour::CatalogueEntry
                        ? std::optional(r_.requireString(QStringLiteral("attention_kind")))
                        : r_.optionalString(QStringLiteral("attention_kind"));
  if (!name) {
    spec_.attentionKind = inferAttentionKind(spec_, alibi_);
    return;
  }
  const auto kind = attentionKindFromName(*name);
  if (!kind)
    r_.fail(QStringLiteral("attention_kind"),
            QStringLiteral("unknown attention kind '%1' (known: mha, gqa, mqa, mla, sliding, hybrid, alibi)")
                .arg(*name));
  spec_.attentionKind = *kind;
}

void ConfigReader::readPublished() {
  const bool catalogue = flavour_ == ConfigFlavour::CatalogueEntry;
  if (catalogue || r_.has(QStringLiteral("published_parameters")))
    spec_.publishedParameters = r_.requireDouble(QStringLiteral("published_parameters"), 1.0, 1e15);
  if (r_.has(QStringLiteral("published_active_parameters")))
    spec_.publishedActiveParameters =
        r_.requireDouble(QStringLiteral("published_active_parameters"), 1.0, 1e15);
  else if (catalogue && spec_.moe.isMoe())
    r_.fail(QStringLiteral("published_active_parameters"),
            QStringLiteral("missing for a mixture of experts"));
  if (catalogue && !r_.has(QStringLiteral("trained_context")))
    r_.fail(QStringLiteral("trained_context"), QStringLiteral("missing; catalogue entries state it"));
  if (catalogue && r_.has(QStringLiteral("long_context_recipe"))) readRecipe();
}

void ConfigReader::readRecipe() {
  const JsonReader recipe = r_.requireObject(QStringLiteral("long_context_recipe"));
  LongContextRecipe out;
  out.mitigation = recipe.requireString(QStringLiteral("mitigation"));
  static const QStringList known{QStringLiteral("none"),   QStringLiteral("yarn"),
                                 QStringLiteral("llama3"), QStringLiteral("longrope"),
                                 QStringLiteral("linear"), QStringLiteral("dynamic-ntk")};
  if (!known.contains(out.mitigation))
    recipe.fail(QStringLiteral("mitigation"),
                QStringLiteral("'%1' (known: %2)").arg(out.mitigation, known.join(QStringLiteral(", "))));
  out.factor = recipe.optionalDouble(QStringLiteral("factor"), 1.0, 1024.0).value_or(1.0);
  out.originalContext = recipe.optionalInt(QStringLiteral("original_context"), 1, kMaxTokens).value_or(0);
  out.supportedContext = recipe.requireInt(QStringLiteral("supported_context"), 1, kMaxTokens);
  const auto builtIn = recipe.optionalBool(QStringLiteral("built_in"));
  if (!builtIn)
    recipe.fail(QStringLiteral("built_in"),
                QStringLiteral("missing; true when the shipped config applies it"));
  out.builtIn = *builtIn;
  out.source = recipe.requireString(QStringLiteral("source"));
  spec_.longContextRecipe = out;
}

// Multimodal configs keep the language model under text_config.
QJsonObject languageModelPart(const QJsonObject& config) {
  if (config.contains(QStringLiteral("num_hidden_layers")) ||
      !config.value(QStringLiteral("text_config")).isObject())
    return config;
  QJsonObject text = config.value(QStringLiteral("text_config")).toObject();
  for (const QString& key : {QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("source"),
                             QStringLiteral("_name_or_path"), QStringLiteral("tie_word_embeddings")})
    if (config.contains(key) && !text.contains(key)) text.insert(key, config.value(key));
  return text;
}

}  // namespace

ModelSpec modelSpecFromConfig(const QJsonObject& config, const QString& source, ConfigFlavour flavour,
                              const QString& fallbackId) {
  ConfigReader reader(JsonReader(languageModelPart(config), source), flavour);
  ModelSpec spec = reader.read(fallbackId);
  spec.origin = flavour == ConfigFlavour::CatalogueEntry ? QStringLiteral("catalogue") : source;
  validateModelSpec(spec, source);
  return spec;
}

ModelSpec importHfConfigFile(const QString& path) {
  QJsonObject config = readJsonObjectFile(path);
  if (config.value(QStringLiteral("models")).isArray()) {  // a catalogue-format file with one model
    const QJsonArray models = config.value(QStringLiteral("models")).toArray();
    if (models.size() != 1 || !models.at(0).isObject())
      throwBadInput(path, QStringLiteral("models"), QStringLiteral("expected exactly one model object"));
    config = models.at(0).toObject();
  }
  const QFileInfo info(path);
  QString id = info.completeBaseName();
  if (id == QLatin1String("config") && !info.absoluteDir().dirName().isEmpty())
    id = info.absoluteDir().dirName();
  ModelSpec spec = modelSpecFromConfig(config, path, ConfigFlavour::HuggingFace, id.toLower());
  spec.origin = path;
  if (spec.source.isEmpty()) spec.source = QStringLiteral("config.json at %1").arg(path);
  return spec;
}

}  // namespace sinkscope
