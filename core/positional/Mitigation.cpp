#include "positional/Mitigation.h"

#include <array>
#include <utility>

namespace sinkscope {

namespace {
constexpr std::array<std::pair<Mitigation, const char*>, 10> kNames{{
    {Mitigation::Baseline, "baseline"},
    {Mitigation::Linear, "linear"},
    {Mitigation::Ntk, "ntk"},
    {Mitigation::DynamicNtk, "dynamic-ntk"},
    {Mitigation::Yarn, "yarn"},
    {Mitigation::Llama3, "llama3"},
    {Mitigation::LongRope, "longrope"},
    {Mitigation::Alibi, "alibi"},
    {Mitigation::Streaming, "streaming"},
    {Mitigation::WindowOnly, "window-only"},
}};
}  // namespace

QString mitigationName(Mitigation mitigation) {
  for (const auto& [value, name] : kNames)
    if (value == mitigation) return QString::fromLatin1(name);
  return QStringLiteral("unknown");
}

std::optional<Mitigation> mitigationFromName(const QString& name) {
  const QString wanted = name.trimmed().toLower();
  for (const auto& [value, text] : kNames)
    if (wanted == QLatin1String(text)) return value;
  return std::nullopt;
}

const std::vector<Mitigation>& comparedMitigations() {
  static const std::vector<Mitigation> all{Mitigation::Baseline,   Mitigation::Linear, Mitigation::Ntk,
                                           Mitigation::DynamicNtk, Mitigation::Yarn,   Mitigation::Llama3,
                                           Mitigation::LongRope,   Mitigation::Alibi,  Mitigation::Streaming};
  return all;
}

std::vector<Mitigation> mitigationsFor(bool modelUsesRope) {
  if (!modelUsesRope) return {Mitigation::Baseline, Mitigation::Alibi, Mitigation::Streaming};
  return {Mitigation::Baseline, Mitigation::Linear, Mitigation::Ntk,      Mitigation::DynamicNtk,
          Mitigation::Yarn,     Mitigation::Llama3, Mitigation::LongRope, Mitigation::Streaming};
}

}  // namespace sinkscope
