#include "charts/ColorMaps.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace sinkscope::ui {

namespace {

struct ColorData {
  std::map<QString, std::vector<QColor>> maps;
  std::vector<QColor> okabeIto;
};

const ColorData& colorData() {
  static const ColorData data = [] {
    ColorData result;
    QFile file(QStringLiteral(":/colormaps.json"));
    if (!file.open(QIODevice::ReadOnly)) qFatal("colormaps.json missing from the resources");
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    for (const QJsonValue& mapValue : root.value(QLatin1String("maps")).toArray()) {
      const QJsonObject map = mapValue.toObject();
      std::vector<QColor> stops;
      for (const QJsonValue& stop : map.value(QLatin1String("stops")).toArray()) {
        const QJsonArray rgb = stop.toArray();
        stops.push_back(QColor::fromRgbF(float(rgb.at(0).toDouble()), float(rgb.at(1).toDouble()),
                                         float(rgb.at(2).toDouble())));
      }
      result.maps[map.value(QLatin1String("name")).toString()] = stops;
    }
    for (const QJsonValue& paletteValue : root.value(QLatin1String("palettes")).toArray()) {
      const QJsonObject palette = paletteValue.toObject();
      if (palette.value(QLatin1String("name")).toString() != QLatin1String("okabe-ito")) continue;
      for (const QJsonValue& color : palette.value(QLatin1String("colors")).toArray())
        result.okabeIto.emplace_back(color.toString());
    }
    return result;
  }();
  return data;
}

}  // namespace

QString colorMapLabel(ColorMapName name) {
  switch (name) {
    case ColorMapName::Viridis: return QStringLiteral("viridis");
    case ColorMapName::Cividis: return QStringLiteral("cividis");
    case ColorMapName::Magma: return QStringLiteral("magma");
  }
  return QStringLiteral("viridis");
}

std::vector<ColorMapName> allColorMaps() {
  return {ColorMapName::Viridis, ColorMapName::Cividis, ColorMapName::Magma};
}

const std::vector<QColor>& colorMapStops(ColorMapName name) {
  return colorData().maps.at(colorMapLabel(name));
}

QColor colorMapAt(ColorMapName name, double t) {
  const auto& stops = colorMapStops(name);
  const double position = std::clamp(t, 0.0, 1.0) * double(stops.size() - 1);
  const size_t index = std::min(size_t(position), stops.size() - 2);
  const double f = position - double(index);
  const QColor& a = stops[index];
  const QColor& b = stops[index + 1];
  return QColor::fromRgbF(float(a.redF() + f * (b.redF() - a.redF())), float(a.greenF() + f * (b.greenF() - a.greenF())),
                          float(a.blueF() + f * (b.blueF() - a.blueF())));
}

QCPColorGradient colorGradient(ColorMapName name) {
  QCPColorGradient gradient;
  gradient.clearColorStops();
  const auto& stops = colorMapStops(name);
  for (size_t i = 0; i < stops.size(); ++i) gradient.setColorStopAt(double(i) / double(stops.size() - 1), stops[i]);
  gradient.setColorInterpolation(QCPColorGradient::ciRGB);
  gradient.setLevelCount(256);
  return gradient;
}

const std::vector<QColor>& okabeItoPalette() { return colorData().okabeIto; }

}  // namespace sinkscope::ui
