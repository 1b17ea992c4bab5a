#include "inference/GgufSummary.h"

#include "common/NumberFormat.h"
#include "gguf/GgufFile.h"

#include <QStringList>
#include <algorithm>
#include <map>
#include <vector>

namespace sinkscope {

namespace {

bool isPlainFloat(GgmlType type) {
  return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
}

QString tensorCounts(const GgufFile& file) {
  std::map<GgmlType, int> counts;
  for (const GgufTensorInfo& info : file.tensors()) ++counts[info.type];
  std::vector<std::pair<GgmlType, int>> ordered(counts.begin(), counts.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    if (isPlainFloat(a.first) != isPlainFloat(b.first)) return !isPlainFloat(a.first);
    return a.second > b.second;
  });
  QStringList parts;
  for (const auto& [type, count] : ordered)
    parts << QStringLiteral("%1 %2").arg(count).arg(ggmlTypeName(type));
  return parts.join(QStringLiteral(", ")) +
         (file.tensors().size() == 1 ? QStringLiteral(" tensor") : QStringLiteral(" tensors"));
}

}  // namespace

QString ggufFileTypeName(qint64 fileType) {
  // llama.h, enum llama_ftype; 4-6 and 33-35 name layouts llama.cpp has removed.
  static const std::map<qint64, const char*> names = {
      {0, "F32"},     {1, "F16"},     {2, "Q4_0"},     {3, "Q4_1"},    {7, "Q8_0"},     {8, "Q5_0"},
      {9, "Q5_1"},    {10, "Q2_K"},   {11, "Q3_K_S"},  {12, "Q3_K_M"}, {13, "Q3_K_L"},  {14, "Q4_K_S"},
      {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"},  {18, "Q6_K"},   {19, "IQ2_XXS"}, {20, "IQ2_XS"},
      {21, "Q2_K_S"}, {22, "IQ3_XS"}, {23, "IQ3_XXS"}, {24, "IQ1_S"},  {25, "IQ4_NL"},  {26, "IQ3_S"},
      {27, "IQ3_M"},  {28, "IQ2_S"},  {29, "IQ2_M"},   {30, "IQ4_XS"}, {31, "IQ1_M"},   {32, "BF16"},
  };
  const auto found = names.find(fileType);
  return found == names.end() ? QString() : QString::fromLatin1(found->second);
}

QString describeGguf(const GgufFile& file) {
  QStringList parts;
  // Read leniently: a description never refuses a file (a value of the wrong type is left out).
  auto integerOf = [&file](const QString& key) -> std::optional<qint64> {
    const GgufValue* value = file.find(key);
    return value ? value->toInteger() : std::nullopt;
  };
  if (const auto fileType = integerOf(QStringLiteral("general.file_type")))
    if (const QString name = ggufFileTypeName(*fileType); !name.isEmpty()) parts << name;
  parts << gibText(file.fileSize());
  if (!file.tensors().empty()) parts << tensorCounts(file);
  const GgufValue* architecture = file.find(QStringLiteral("general.architecture"));
  if (const auto name = architecture ? architecture->toString() : std::nullopt) {
    parts << *name;
    if (const auto layers = integerOf(*name + QStringLiteral(".block_count")))
      parts << (*layers == 1 ? QStringLiteral("1 layer") : QStringLiteral("%1 layers").arg(*layers));
  }
  return parts.join(QStringLiteral(" \u00b7 "));
}

QString fileSizeAgainstPlannedWeights(qint64 fileBytes, qint64 plannedWeightBytes, const QString& modelName,
                                      const QString& weightsDtype) {
  QString text = QStringLiteral("File %1 against the plan's %2 of weights for %3 in %4")
                     .arg(gibText(fileBytes), gibText(plannedWeightBytes), modelName, weightsDtype);
  const double ratio = plannedWeightBytes > 0 ? double(fileBytes) / double(plannedWeightBytes) : 0.0;
  if (ratio >= 0.01)
    text += QStringLiteral(" (%1x)").arg(ratio, 0, 'f', 2);
  else if (plannedWeightBytes > 0)
    text += QStringLiteral(" (under 1 % of it: not this model's weights)");
  return text;
}

}  // namespace sinkscope
