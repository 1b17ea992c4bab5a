#include "charts/ColorMaps.h"

#include <qcustomplot.h>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <map>

namespace sinkscope::ui {

namespace {

struct ColorData {
  std::map<QString, std::vector<QColor>> maps;
  std::map<QString, std::vector<double>> positions;  // of each stop, in [0, 1]
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
      std::vector<double> positions;
      for (const QJsonValue& index : map.value(QLatin1String("index")).toArray())
        positions.push_back(index.toDouble() / 255.0);
      if (positions.size() != stops.size() || positions.size() < 2) qFatal("colormaps.json: bad index list");
      result.maps[map.value(QLatin1String("name")).toString()] = stops;
      result.positions[map.value(QLatin1String("name")).toString()] = positions;
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
    case ColorMapName::Viridis:
      return QStringLiteral("viridis");
    case ColorMapName::Cividis:
      return QStringLiteral("cividis");
    case ColorMapName::Magma:
      return QStringLiteral("magma");
  }
  return QStringLiteral("viridis");
}

std::vector<ColorMapName> allColorMaps() {
  return {ColorMapName::Viridis, ColorMapName::Cividis, ColorMapName::Magma};
}

const std::vector<QColor>& colorMapStops(ColorMapName name) {
  return colorData().maps.at(colorMapLabel(name));
}

const std::vector<double>& colorMapPositions(ColorMapName name) {
  return colorData().positions.at(colorMapLabel(name));
}

QColor colorMapAt(ColorMapName name, double t) {
  const auto& stops = colorMapStops(name);
  const auto& positions = colorMapPositions(name);
  const double x = std::clamp(t, 0.0, 1.0);
  size_t index = 0;
  while (index + 2 < positions.size() && x > positions[index + 1]) ++index;
  const double f = (x - positions[index]) / (positions[index + 1] - positions[index]);
  const QColor& a = stops[index];
  const QColor& b = stops[index + 1];
  return QColor::fromRgbF(float(a.redF() + f * (b.redF() - a.redF())),
                          float(a.greenF() + f * (b.greenF() - a.greenF())),
                          float(a.blueF() + f * (b.blueF() - a.blueF())));
}

QCPColorGradient colorGradient(ColorMapName name) {
  QCPColorGradient gradient;
  gradient.clearColorStops();
  const auto& stops = colorMapStops(name);
  const auto& positions = colorMapPositions(name);
  for (size_t i = 0; i < stops.size(); ++i) gradient.setColorStopAt(positions[i], stops[i]);
  gradient.setColorInterpolation(QCPColorGradient::ciRGB);
  gradient.setLevelCount(256);
  return gradient;
}

const std::vector<QColor>& okabeItoPalette() {
  return colorData().okabeIto;
}

}  // namespace sinkscope::ui
