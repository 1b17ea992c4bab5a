// Perceptually uniform colour maps (viridis, cividis, magma) and the Okabe–Ito palette, read
// from resources/colormaps.json. Not the chart layout: see ChartTheme and the chart builders.
#pragma once

#include <QColor>
#include <QString>
#include <QStringList>
#include <vector>

class QCPColorGradient;

namespace sinkscope::ui {

enum class ColorMapName { Viridis, Cividis, Magma };
QString colorMapLabel(ColorMapName name);  // "viridis", ...
std::vector<ColorMapName> allColorMaps();

// The published stops and their positions in [0, 1] (table index / 255).
const std::vector<QColor>& colorMapStops(ColorMapName name);
const std::vector<double>& colorMapPositions(ColorMapName name);
// The colour at t in [0, 1] (clamped), linear between stops.
QColor colorMapAt(ColorMapName name, double t);
QCPColorGradient colorGradient(ColorMapName name);

// Okabe–Ito colour-blind-safe palette, eight colours.
const std::vector<QColor>& okabeItoPalette();

}  // namespace sinkscope::ui
