// `sinkscope list models|hardware` and `sinkscope show --model M | --hardware H`.
#include "catalog/Catalog.h"
#include "catalog/SpecJson.h"
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "common/Error.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>

namespace sinkscope::cli {

namespace {

QString humanCount(double count) {
  if (count <= 0) return QStringLiteral("-");
  if (count >= 1e9) return QString::number(count / 1e9, 'f', count >= 1e11 ? 0 : 2) + QLatin1Char('B');
  if (count >= 1e6) return QString::number(count / 1e6, 'f', 1) + QLatin1Char('M');
  return QString::number(count / 1e3, 'f', 1) + QLatin1Char('K');
}

QString tokens(qint64 count) {
  if (count >= 1024 && count % 1024 == 0) return QString::number(count / 1024) + QLatin1Char('K');
  return QString::number(count);
}

void printTable(const QStringList& header, const QList<QStringList>& rows) {
  QList<qsizetype> widths;
  for (const QString& cell : header) widths << cell.size();
  for (const QStringList& row : rows)
    for (qsizetype i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  auto printRow = [&](const QStringList& row) {
    QString line;
    for (qsizetype i = 0; i < row.size(); ++i)
      line += (i + 1 < row.size() ? row[i].leftJustified(widths[i] + 2) : row[i]);
    out() << line << '\n';
  };
  printRow(header);
  for (const QStringList& row : rows) printRow(row);
  out().flush();
}

void listModels(bool json) {
  const auto& models = Catalog::builtin().models();
  if (json) {
    QJsonArray array;
    for (const ModelSpec& model : models) array.append(modelSpecToJson(model));
    printJson(QJsonObject{{QStringLiteral("models"), array}});
    return;
  }
  QList<QStringList> rows;
  for (const ModelSpec& m : models)
    rows << QStringList{
        m.id,
        m.displayName,
        attentionKindName(m.attentionKind),
        QString::number(m.layers),
        QStringLiteral("%1/%2").arg(m.heads).arg(m.kvHeads),
        humanCount(m.publishedParameters),
        tokens(m.trainedContext),
        tokens(m.maxPositionEmbeddings),
        m.ropeScaling ? m.ropeScaling->type : (m.usesRope ? QStringLiteral("rope") : QStringLiteral("-"))};
  printTable({QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("KIND"), QStringLiteral("LAYERS"),
              QStringLiteral("HEADS/KV"), QStringLiteral("PARAMS"), QStringLiteral("TRAINED"),
              QStringLiteral("MAX_POS"), QStringLiteral("ROPE")},
             rows);
}

QString flopsCell(const HardwareSpec& h, const QString& dtype) {
  const auto flops = h.peakFlops(dtype);  // bf16 falls back to fp16 and the reverse
  return flops ? QString::number(*flops / 1e12, 'f', 1) : QStringLiteral("-");
}

void listHardware(bool json) {
  const auto& hardware = Catalog::builtin().hardware();
  if (json) {
    QJsonArray array;
    for (const HardwareSpec& h : hardware) array.append(hardwareSpecToJson(h));
    printJson(QJsonObject{{QStringLiteral("hardware"), array}});
    return;
  }
  QList<QStringList> rows;
  for (const HardwareSpec& h : hardware)
    rows << QStringList{h.id,
                        h.displayName,
                        QString::number(double(h.memoryBytes) / double(1ll << 30), 'f', 0),
                        QString::number(h.memoryBandwidthBytesPerSecond / 1e9, 'f', 0),
                        flopsCell(h, QStringLiteral("fp32")),
                        flopsCell(h, QStringLiteral("bf16")),
                        flopsCell(h, QStringLiteral("fp8")),
                        flopsCell(h, QStringLiteral("int8"))};
  printTable({QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("MEM_GIB"),
              QStringLiteral("BW_GB/S"), QStringLiteral("FP32_TF"), QStringLiteral("BF16/FP16_TF"),
              QStringLiteral("FP8_TF"), QStringLiteral("INT8_TOPS")},
             rows);
  out() << "Peak dense figures (no sparsity), per device.\n";
}

// One "field  value" line per JSON member, marking the fields that were defaulted.
void printFields(const QJsonObject& object, const QStringList& order, const QStringList& defaulted) {
  qsizetype width = 0;
  for (const QString& key : order) width = std::max(width, key.size());
  for (const QString& key : order) {
    const QJsonValue value = object.value(key);
    QString text;
    if (value.isObject() || value.isArray())
      text = QString::fromUtf8(
          (value.isObject() ? QJsonDocument(value.toObject()) : QJsonDocument(value.toArray()))
              .toJson(QJsonDocument::Compact));
    else if (value.isNull() || value.isUndefined())
      text = QStringLiteral("-");
    else if (value.isBool())
      text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    else if (value.isDouble())
      text = QString::number(value.toDouble(), 'g', 12);
    else
      text = value.toString();
    if (text.isEmpty()) text = QStringLiteral("-");
    if (key == QLatin1String("published_parameters") && value.toDouble() == 0)
      text = QStringLiteral("- (not stated in the file)");
    if (defaulted.contains(key)) text += QStringLiteral("   (defaulted)");
    out() << key.leftJustified(width + 2) << text << '\n';
  }
  out().flush();
}

// JSON names of the fields a ModelSpec reader may default, in the output's terms.
QStringList defaultedOutputNames(const QStringList& defaulted) {
  QStringList names;
  for (const QString& field : defaulted) {
    if (field == QLatin1String("tie_word_embeddings"))
      names << QStringLiteral("tied_embeddings");
    else if (field == QLatin1String("num_key_value_heads") || field == QLatin1String("multi_query") ||
             field.endsWith(QLatin1String("head_count_kv")))
      names << QStringLiteral("kv_heads");
    else if (field == QLatin1String("expansion_ratio"))
      names << QStringLiteral("intermediate_size");
    else if (field.endsWith(QLatin1String("rope.freq_base")))
      names << QStringLiteral("rope_theta");
    else
      names << field;
  }
  return names;
}

void showModel(const QString& idOrPath, bool json) {
  const ModelSpec spec = resolveModel(idOrPath);
  QJsonObject object = modelSpecToJson(spec);
  if (json) {
    printJson(object);
    return;
  }
  const QStringList order{QStringLiteral("id"),
                          QStringLiteral("name"),
                          QStringLiteral("family"),
                          QStringLiteral("architecture"),
                          QStringLiteral("origin"),
                          QStringLiteral("attention_kind"),
                          QStringLiteral("layers"),
                          QStringLiteral("hidden_size"),
                          QStringLiteral("intermediate_size"),
                          QStringLiteral("gated_ffn"),
                          QStringLiteral("heads"),
                          QStringLiteral("kv_heads"),
                          QStringLiteral("head_dim"),
                          QStringLiteral("vocab_size"),
                          QStringLiteral("tied_embeddings"),
                          QStringLiteral("attention_bias"),
                          QStringLiteral("sliding_window"),
                          QStringLiteral("layer_types"),
                          QStringLiteral("uses_rope"),
                          QStringLiteral("rope_theta"),
                          QStringLiteral("partial_rotary_factor"),
                          QStringLiteral("rotary_dim"),
                          QStringLiteral("rope_pair_layout"),
                          QStringLiteral("rope_scaling"),
                          QStringLiteral("max_position_embeddings"),
                          QStringLiteral("trained_context"),
                          QStringLiteral("mla"),
                          QStringLiteral("moe"),
                          QStringLiteral("published_parameters"),
                          QStringLiteral("published_active_parameters"),
                          QStringLiteral("source"),
                          QStringLiteral("notes")};
  printFields(object, order, defaultedOutputNames(spec.defaultedFields));
  if (!spec.defaultedFields.isEmpty())
    out() << "defaulted: " << spec.defaultedFields.join(QStringLiteral(", "))
          << " (not in the file; filled with the architecture's default)\n";
  out().flush();
}

void showHardware(const QString& idOrPath, bool json) {
  const HardwareSpec spec = resolveHardware(idOrPath);
  const QJsonObject object = hardwareSpecToJson(spec);
  if (json) {
    printJson(object);
    return;
  }
  printFields(object,
              {QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("vendor"),
               QStringLiteral("category"), QStringLiteral("origin"), QStringLiteral("memory_bytes"),
               QStringLiteral("memory_bandwidth_bytes_per_s"), QStringLiteral("peak_flops"),
               QStringLiteral("interconnect"), QStringLiteral("source"), QStringLiteral("notes")},
              spec.defaultedFields);
}

}  // namespace

int runList(const QStringList& args) {
  if (args.isEmpty() || args.first().startsWith(QLatin1Char('-'))) {
    if (!args.isEmpty() && (args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h"))) {
      out() << "Usage: sinkscope list models|hardware [--json]\nThe built-in catalogues.\n";
      out().flush();
      return 0;
    }
    throwUsage(QStringLiteral("list"), QStringLiteral("expected 'models' or 'hardware'"));
  }
  const QString what = args.first();
  if (what != QLatin1String("models") && what != QLatin1String("hardware"))
    throwUsage(what, QStringLiteral("expected 'models' or 'hardware'"));
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("The built-in catalogues."));
  parser.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("One JSON object on stdout.")));
  parseOrThrow(parser, QStringLiteral("list ") + what, args.mid(1));
  if (what == QLatin1String("models"))
    listModels(parser.isSet(QStringLiteral("json")));
  else
    listHardware(parser.isSet(QStringLiteral("json")));
  return 0;
}

int runShow(const QStringList& args) {
  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral(
      "What SinkScope read, normalised: a model (catalogue id, config.json or .gguf) or a hardware "
      "profile (catalogue id or hardware JSON). Defaulted fields are marked."));
  parser.addOption(
      QCommandLineOption(QStringLiteral("model"),
                         QStringLiteral("Catalogue id, config.json, .gguf or Hub id org/name[@revision]."),
                         QStringLiteral("M")));
  parser.addOption(QCommandLineOption(QStringLiteral("hardware"),
                                      QStringLiteral("Catalogue id or hardware JSON file."),
                                      QStringLiteral("H")));
  parser.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("One JSON object on stdout.")));
  parseOrThrow(parser, QStringLiteral("show"), args);
  const bool model = parser.isSet(QStringLiteral("model"));
  const bool hardware = parser.isSet(QStringLiteral("hardware"));
  if (model == hardware)
    throwUsage(QStringLiteral("show"), QStringLiteral("give exactly one of --model M or --hardware H"));
  const bool json = parser.isSet(QStringLiteral("json"));
  if (model)
    showModel(parser.value(QStringLiteral("model")), json);
  else
    showHardware(parser.value(QStringLiteral("hardware")), json);
  return 0;
}

}  // namespace sinkscope::cli
