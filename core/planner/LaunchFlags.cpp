#include "planner/LaunchFlags.h"

#include "planner/Confidence.h"
#include "positional/RopeSchedule.h"

#include <QJsonDocument>
#include <cmath>

namespace sinkscope {

namespace {

QString compact(const QJsonObject& object) {
  return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString number(double value) {
  return QString::number(value, 'g', 8);
}

// The rope_scaling block transformers and vLLM read (HF names; rope_type since transformers 4.43).
QJsonObject ropeScalingBlock(Mitigation mitigation, const LaunchScenario& s) {
  QJsonObject block;
  switch (mitigation) {
    case Mitigation::Linear:
      block[QStringLiteral("rope_type")] = QStringLiteral("linear");
      break;
    case Mitigation::DynamicNtk:
      block[QStringLiteral("rope_type")] = QStringLiteral("dynamic");
      break;
    case Mitigation::Yarn:
      block[QStringLiteral("rope_type")] = QStringLiteral("yarn");
      block[QStringLiteral("original_max_position_embeddings")] = s.trainedContextTokens;
      break;
    case Mitigation::Llama3:
      block[QStringLiteral("rope_type")] = QStringLiteral("llama3");
      block[QStringLiteral("low_freq_factor")] = 1.0;
      block[QStringLiteral("high_freq_factor")] = 4.0;
      block[QStringLiteral("original_max_position_embeddings")] = s.trainedContextTokens;
      break;
    default:
      return block;
  }
  block[QStringLiteral("factor")] = s.factor;
  return block;
}

QString quoted(const QString& json) {
  return QLatin1Char('\'') + json + QLatin1Char('\'');
}

void ropeFamily(const ModelSpec& model, Mitigation mitigation, const LaunchScenario& s, LaunchFlags& f) {
  const QString maxLen = QStringLiteral(" --max-model-len %1").arg(s.contextTokens);
  const QString ctx = QStringLiteral("--ctx-size %1").arg(s.contextTokens);
  if (mitigation == Mitigation::Ntk) {
    // Static NTK-aware scaling is a new base: b' = b s^(d/(d-2)) (docs/references.md section 1).
    const double base =
        std::round(ntkScaledBase(model.ropeTheta, s.factor, model.rotaryDim()) * 100.0) / 100.0;
    f.vllm =
        QStringLiteral("--hf-overrides %1").arg(quoted(compact({{QStringLiteral("rope_theta"), base}}))) +
        maxLen;
    f.vllmLatest =
        QStringLiteral("--hf-overrides %1")
            .arg(quoted(compact({{QStringLiteral("rope_parameters"),
                                  QJsonObject{{QStringLiteral("rope_type"), QStringLiteral("default")},
                                              {QStringLiteral("rope_theta"), base}}}}))) +
        maxLen;
    f.llamaCpp = QStringLiteral("--rope-scaling none --rope-freq-base %1 %2").arg(number(base), ctx);
    f.transformers = QStringLiteral("config.rope_theta = %1; config.max_position_embeddings = %2")
                         .arg(number(base))
                         .arg(s.contextTokens);
    f.notes = QStringLiteral(
                  "static NTK-aware scaling has no rope_type of its own: it is the base %1 = %2 × %3^(%4/%5)")
                  .arg(number(base), number(model.ropeTheta), number(s.factor))
                  .arg(model.rotaryDim())
                  .arg(model.rotaryDim() - 2);
    return;
  }
  if (mitigation == Mitigation::LongRope) {
    f.notes = QStringLiteral(
        "LongRoPE needs the model's own searched short_factor/long_factor lists; use the model's "
        "config as shipped (vLLM and transformers read it; llama.cpp reads them from the GGUF)");
    if (model.ropeScaling && !model.ropeScaling->longFactor.empty()) {
      f.vllm = maxLen.trimmed();
      f.vllmLatest = f.vllm;
      f.llamaCpp = ctx;
      f.transformers = QStringLiteral("no change: config.json already carries rope_scaling type longrope");
    }
    return;
  }
  f.transformersRopeScaling = ropeScalingBlock(mitigation, s);
  const QString block = compact(f.transformersRopeScaling);
  f.vllm = QStringLiteral("--hf-overrides %1")
               .arg(quoted(compact({{QStringLiteral("rope_scaling"), f.transformersRopeScaling}}))) +
           maxLen;
  QJsonObject parameters = f.transformersRopeScaling;
  parameters[QStringLiteral("rope_theta")] = model.ropeTheta;
  f.vllmLatest = QStringLiteral("--hf-overrides %1")
                     .arg(quoted(compact({{QStringLiteral("rope_parameters"), parameters}}))) +
                 maxLen;
  f.transformers = QStringLiteral("config.rope_scaling = %1; config.max_position_embeddings = %2")
                       .arg(block)
                       .arg(s.contextTokens);
  switch (mitigation) {
    case Mitigation::Linear:
      f.llamaCpp = QStringLiteral("--rope-scaling linear --rope-scale %1 %2").arg(number(s.factor), ctx);
      break;
    case Mitigation::Yarn:
      f.llamaCpp = QStringLiteral("--rope-scaling yarn --rope-scale %1 --yarn-orig-ctx %2 %3")
                       .arg(number(s.factor))
                       .arg(s.trainedContextTokens)
                       .arg(ctx);
      break;
    case Mitigation::DynamicNtk:
      f.notes = QStringLiteral(
          "llama.cpp has no dynamic NTK; vLLM applies 'dynamic' as a static NTK base for the whole "
          "sequence (docs/references.md section 1); transformers caches keys rotated with the older base "
          "(issue 25104)");
      break;
    case Mitigation::Llama3:
      f.notes = QStringLiteral(
          "llama.cpp has no flag for llama3 scaling: it reads the per-frequency factors from the GGUF "
          "(rope_freqs), so it applies only to checkpoints converted with them");
      break;
    default:
      break;
  }
}

}  // namespace

LaunchFlags launchFlagsFor(const ModelSpec& model, Mitigation mitigation, const LaunchScenario& s) {
  LaunchFlags f;
  const QString maxLen = QStringLiteral("--max-model-len %1").arg(s.contextTokens);
  const QString ctx = QStringLiteral("--ctx-size %1").arg(s.contextTokens);
  const bool shipped = mitigation == Mitigation::Baseline || shipsWithMitigation(model, mitigation) ||
                       mitigation == Mitigation::Alibi;
  if (shipped) {
    f.vllm = maxLen;
    f.vllmLatest = maxLen;
    f.llamaCpp = ctx;
    f.transformers = QStringLiteral("no change: the model's config as shipped");
    if (s.contextTokens > model.maxPositionEmbeddings && model.maxPositionEmbeddings > 0)
      f.notes = QStringLiteral(
                    "the context exceeds max_position_embeddings %1: vLLM refuses --max-model-len above it "
                    "unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 is set")
                    .arg(model.maxPositionEmbeddings);
    return f;
  }
  if (mitigation == Mitigation::Streaming) {
    const qint64 window = std::max<qint64>(1, s.streamingCacheTokens - s.streamingSinkTokens);
    f.llamaCpp = QStringLiteral("--ctx-size %1 --keep %2 --context-shift")
                     .arg(s.streamingCacheTokens)
                     .arg(s.streamingSinkTokens);
    f.transformers =
        QStringLiteral(
            "transformers <= 4.52: past_key_values=SinkCache(window_length=%1, num_sink_tokens=%2); "
            "4.53+: model.generate(..., custom_generate=\"transformers-community/sink_cache\", "
            "trust_remote_code=True, window_length=%1, num_sink_tokens=%2)")
            .arg(s.streamingCacheTokens)
            .arg(s.streamingSinkTokens);
    f.notes = QStringLiteral(
                  "vLLM has no sink + window cache. llama.cpp's context shift keeps the first --keep tokens "
                  "and discards the older half of the rest when the cache is full (a coarser StreamingLLM); "
                  "window %1 + %2 sinks")
                  .arg(window)
                  .arg(s.streamingSinkTokens);
    return f;
  }
  ropeFamily(model, mitigation, s, f);
  return f;
}

void addParallelFlags(LaunchFlags& f, const ParallelLayout& layout) {
  if (layout.gpus() <= 1) return;
  const QString vllm = QStringLiteral(" --tensor-parallel-size %1 --pipeline-parallel-size %2")
                           .arg(layout.tensorParallel)
                           .arg(layout.pipelineParallel);
  if (!f.vllm.isEmpty()) f.vllm += vllm;
  if (!f.vllmLatest.isEmpty()) f.vllmLatest += vllm;
  // llama.cpp splits whole layers (a pipeline) by default; row mode splits each matrix (tensor-parallel).
  QStringList shares;
  for (int gpu = 0; gpu < layout.gpusPerNode; ++gpu) shares << QStringLiteral("1");
  const QString mode = layout.pipelineParallel == 1 ? QStringLiteral("row") : QStringLiteral("layer");
  if (!f.llamaCpp.isEmpty())
    f.llamaCpp += QStringLiteral(" --n-gpu-layers 999 --split-mode %1 --tensor-split %2")
                      .arg(mode, shares.join(QLatin1Char(',')));
  if (!f.transformers.isEmpty())
    f.transformers +=
        layout.pipelineParallel == 1 && layout.nodes == 1
            ? QStringLiteral("; from_pretrained(..., tp_plan=\"auto\") under torchrun --nproc-per-node %1")
                  .arg(layout.tensorParallel)
            : QStringLiteral(
                  "; from_pretrained(..., device_map=\"auto\") (layers spread over the GPUs, "
                  "one after another)");
  QString note = QStringLiteral("%1 GPUs: vLLM splits every layer over %2 GPUs and the layers over %3 stages")
                     .arg(layout.gpus())
                     .arg(layout.tensorParallel)
                     .arg(layout.pipelineParallel);
  if (layout.nodes > 1)
    note += QStringLiteral(
                "; across %1 nodes vLLM runs on a Ray cluster, llama.cpp reaches the other machines' GPUs "
                "through its RPC backend (--rpc host:port,...)")
                .arg(layout.nodes);
  f.notes = f.notes.isEmpty() ? note : f.notes + QStringLiteral(". ") + note;
}

QJsonObject launchFlagsToJson(const LaunchFlags& f) {
  auto orNull = [](const QString& text) {
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
  };
  QJsonObject object;
  object[QStringLiteral("vllm")] = orNull(f.vllm);
  object[QStringLiteral("vllm_rope_parameters")] = orNull(f.vllmLatest);
  object[QStringLiteral("llama_cpp")] = orNull(f.llamaCpp);
  object[QStringLiteral("transformers")] = orNull(f.transformers);
  object[QStringLiteral("transformers_rope_scaling")] = f.transformersRopeScaling.isEmpty()
                                                            ? QJsonValue(QJsonValue::Null)
                                                            : QJsonValue(f.transformersRopeScaling);
  object[QStringLiteral("notes")] = orNull(f.notes);
  return object;
}

QJsonObject launchFlagVersions() {
  return {
      {QStringLiteral("vllm"),
       QStringLiteral("vLLM 0.10.2 engine arguments and its context_extension example "
                      "(--hf-overrides with rope_scaling / rope_theta, --max-model-len)")},
      {QStringLiteral("vllm_rope_parameters"),
       QStringLiteral("vLLM's current 'Context Extension' docs: --rope-scaling is no "
                      "longer supported, use --hf-overrides with rope_parameters")},
      {QStringLiteral("llama_cpp"),
       QStringLiteral("llama.cpp tools/server/README.md (2025-2026 builds): --rope-scaling "
                      "{none,linear,yarn}, --rope-scale, --rope-freq-base, --yarn-orig-ctx, "
                      "-c/--ctx-size, --keep, --context-shift")},
      {QStringLiteral("transformers"),
       QStringLiteral("transformers 4.43+ rope_scaling with rope_type (modeling_rope_utils); "
                      "SinkCache up to 4.52, the transformers-community/sink_cache "
                      "custom_generate repository from 4.53")},
  };
}

}  // namespace sinkscope
