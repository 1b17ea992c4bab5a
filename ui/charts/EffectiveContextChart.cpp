#include "charts/EffectiveContextChart.h"

#include "Units.h"
#include "charts/ChartHelpers.h"
#include "scenario/Explanations.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sinkscope::ui {

namespace {

constexpr char kReferenceTextProperty[] = "sinkscopeReferenceText";
constexpr double kMarkerPixels = 10;

// A log axis cannot show 0: an effective context below one token (a collapse) is drawn at this
// floor, one octave below 1, where the axis has its own tick labelled "0" (docs/design.md).
constexpr double kZeroFloor = 0.5;
double drawable(double tokens) {
  return tokens >= 1.0 ? tokens : kZeroFloor;
}

QString metricTitle(const QString& metric) {
  if (metric == QLatin1String("passkey_context")) return QObject::tr("passkey context (published)");
  if (metric == QLatin1String("ruler_effective_length"))
    return QObject::tr("RULER effective length (published)");
  return QObject::tr("claim (no published measurement)");
}

QCPScatterStyle::ScatterShape metricShape(const EffectiveContextReference& r) {
  if (r.lowerBound) return QCPScatterStyle::ssTriangle;
  if (r.upperBound) return QCPScatterStyle::ssTriangleInverted;
  if (r.metric == QLatin1String("passkey_context")) return QCPScatterStyle::ssDiamond;
  if (r.metric == QLatin1String("ruler_effective_length")) return QCPScatterStyle::ssSquare;
  return QCPScatterStyle::ssCircle;
}

QColor otherMitigationColor() {
  return QColor(0x99, 0x99, 0x99);
}

QColor markerColor(const SinkCurveChartData& data, const EffectiveContextReference& r,
                   const ChartTheme& theme) {
  for (const EffectiveContextSeries& s : data.effective)
    if (mitigationName(s.mitigation) == r.mitigation)
      return theme.seriesColor(sinkCurveColorIndex(data, s.mitigation));
  return otherMitigationColor();
}

QCPScatterStyle markerStyle(QCPScatterStyle::ScatterShape shape, const QColor& color, bool filled,
                            const ChartTheme& theme) {
  (void)theme;  // hollow markers are not filled at all, so a marker below one stays visible
  return QCPScatterStyle(shape, QPen(color, 1.6), filled ? QBrush(color) : QBrush(Qt::NoBrush),
                         kMarkerPixels);
}

void addBand(QCustomPlot& plot, const QVector<double>& x, const QVector<double>& low,
             const QVector<double>& high, QColor color) {
  QCPGraph* lower = plot.addGraph();
  lower->setData(x, low, true);
  lower->setPen(Qt::NoPen);
  lower->removeFromLegend();
  QCPGraph* upper = plot.addGraph();
  upper->setData(x, high, true);
  upper->setPen(Qt::NoPen);
  color.setAlpha(45);
  upper->setBrush(color);
  upper->setChannelFillGraph(lower);
  upper->removeFromLegend();
}

void addLegendOnly(QCustomPlot& plot, const QString& name, const QCPScatterStyle& style) {
  QCPGraph* graph = plot.addGraph();
  graph->setName(name);
  graph->setLineStyle(QCPGraph::lsNone);
  graph->setScatterStyle(style);
}

}  // namespace

int sinkCurveColorIndex(const SinkCurveChartData& data, Mitigation mitigation) {
  for (size_t i = 0; i < data.effective.size(); ++i)
    if (data.effective[i].mitigation == mitigation) return int(i);
  for (size_t i = 0; i < data.series.size(); ++i)
    if (data.series[i].mitigation == mitigation) return int(i);
  return 0;
}

const std::vector<EffectiveContextReference>& effectiveContextMarkers() {
  static const std::vector<EffectiveContextReference> markers = effectiveContextReferences(referenceSet());
  return markers;
}

QString referenceMarkerText(const EffectiveContextReference& r, bool currentModel) {
  const QString bound =
      r.lowerBound ? QObject::tr("at least ") : (r.upperBound ? QObject::tr("below ") : QString());
  const QString mitigation = r.mitigation + (r.fineTuned ? QObject::tr(", fine-tuned") : QString());
  return QObject::tr("%1 — %2\n%3: %4%5 tokens at %6 tokens\nsource: %7%8")
      .arg(r.model, mitigation, metricTitle(r.metric), bound)
      .arg(qint64(std::llround(r.effectiveTokens)))
      .arg(r.contextTokens)
      .arg(r.source, currentModel ? QObject::tr("\n(this model)") : QString());
}

QString referenceMarkersTextAt(const QCustomPlot& plot, QPointF pixel, double radiusPixels) {
  QStringList texts;
  for (int i = 0; i < plot.graphCount(); ++i) {
    const QCPGraph* graph = plot.graph(i);
    if (!graph->property(kReferenceIdProperty).isValid() || graph->dataCount() == 0) continue;
    const QPointF at = graph->coordsToPixels(graph->data()->at(0)->key, graph->data()->at(0)->value);
    if (std::hypot(at.x() - pixel.x(), at.y() - pixel.y()) <= radiusPixels)
      texts << graph->property(kReferenceTextProperty).toString();
  }
  return texts.join(QStringLiteral("\n\n"));
}

ChartBuilder effectiveContextBuilder(std::shared_ptr<const SinkCurveChartData> data) {
  return [data](QCustomPlot& plot, const ChartTheme& theme) {
    double minX = std::numeric_limits<double>::max(), maxX = 0, minY = std::numeric_limits<double>::max();
    for (const EffectiveContextSeries& series : data->effective) {
      if (series.samples.empty()) continue;
      const int index = sinkCurveColorIndex(*data, series.mitigation);
      QVector<double> x, central, low, high;
      for (const EffectiveContextSample& s : series.samples) {
        x << double(s.contextTokens);
        central << drawable(s.effectiveTokens.central);
        low << drawable(s.effectiveTokens.low);
        high << drawable(s.effectiveTokens.high);
        minX = std::min(minX, x.back());
        maxX = std::max(maxX, x.back());
        minY = std::min(minY, low.back());
      }
      addBand(plot, x, low, high, theme.seriesColor(index));
      QCPGraph* graph = plot.addGraph();
      graph->setName(QObject::tr("%1 (modelled)").arg(mitigationTitle(series.mitigation)));
      graph->setData(x, central, true);
      graph->setPen(QPen(theme.seriesColor(index), 2.2, theme.seriesStyle(index)));
      graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, theme.seriesColor(index), 5));
    }
    // Bounds last: a small triangle must not hide under a point at the same place.
    std::vector<EffectiveContextReference> markers = effectiveContextMarkers();
    std::stable_partition(markers.begin(), markers.end(),
                          [](const EffectiveContextReference& r) { return !r.lowerBound && !r.upperBound; });
    for (const EffectiveContextReference& r : markers) {
      minX = std::min(minX, double(r.contextTokens));
      maxX = std::max(maxX, double(r.contextTokens));
      minY = std::min(minY, drawable(r.effectiveTokens));
    }
    if (maxX <= 0) minX = 512, maxX = 32768, minY = 512;
    const double lowX = minX / 1.4, highX = maxX * 1.4;
    // The y = x guide: no model uses more than it is given.
    QCPGraph* diagonal = plot.addGraph();
    diagonal->setName(QObject::tr("effective = requested"));
    diagonal->setData(QVector<double>{lowX, highX}, QVector<double>{lowX, highX}, true);
    diagonal->setPen(QPen(theme.reference, 1.2, Qt::DashDotLine));
    bool anyBound = false;
    for (const EffectiveContextReference& r : markers) {
      const bool current = !r.modelId.isEmpty() && r.modelId == data->modelId;
      QCPGraph* graph = plot.addGraph();
      graph->setName(r.id);
      graph->setData(QVector<double>{double(r.contextTokens)}, QVector<double>{drawable(r.effectiveTokens)},
                     true);
      graph->setLineStyle(QCPGraph::lsNone);
      graph->setScatterStyle(markerStyle(metricShape(r), markerColor(*data, r, theme), current, theme));
      graph->setProperty(kReferenceIdProperty, r.id);
      graph->setProperty(kReferenceTextProperty, referenceMarkerText(r, current));
      graph->removeFromLegend();
      anyBound = anyBound || r.lowerBound || r.upperBound;
    }
    // The legend names each metric once (grey), then the bound markers.
    QStringList metrics;
    for (const EffectiveContextReference& r : markers)
      if (!metrics.contains(r.metric)) metrics << r.metric;
    for (const QString& metric : metrics) {
      EffectiveContextReference sample;
      sample.metric = metric;
      addLegendOnly(plot, metricTitle(metric),
                    markerStyle(metricShape(sample), otherMitigationColor(), true, theme));
    }
    if (anyBound)
      addLegendOnly(plot, QObject::tr("bound: ▲ at least, ▼ below"),
                    markerStyle(QCPScatterStyle::ssTriangle, otherMitigationColor(), false, theme));
    setTokenLogAxis(*plot.xAxis, lowX, highX, QObject::tr("context (tokens)"));
    const bool anyZero = minY <= kZeroFloor;
    setTokenLogAxis(*plot.yAxis, anyZero ? kZeroFloor / 1.3 : std::max(0.7, minY / 1.6), highX,
                    QObject::tr("effective context (tokens, passkey-style, modelled)"));
    if (anyZero) addZeroTick(*plot.yAxis, kZeroFloor);
    theme.apply(plot);
    addTrainedAndCapMarkers(plot, data->trainedContextTokens, data->contextCapTokens, theme);
    // Above the diagonal nothing can lie (effective <= context): the legend goes there.
    placeLegend(plot, Qt::AlignTop | Qt::AlignLeft);
    theme.applyLegend(*plot.legend);
  };
}

ChartTable effectiveContextTable(const SinkCurveChartData& data) {
  ChartTable table;
  table.title = QObject::tr("Effective context against context (modelled, with published reference points)");
  table.columns = {QObject::tr("kind"),
                   QObject::tr("mitigation"),
                   QObject::tr("context (tokens)"),
                   QObject::tr("effective context (tokens)"),
                   QObject::tr("effective low (tokens)"),
                   QObject::tr("effective high (tokens)"),
                   QObject::tr("bound"),
                   QObject::tr("model"),
                   QObject::tr("metric"),
                   QObject::tr("source")};
  const QString model = data.modelId.isEmpty() ? data.modelName : data.modelId;
  const QString modelSource = QObject::tr("SinkScope mitigation model (docs/mitigations.md)");
  for (const EffectiveContextSeries& series : data.effective)
    for (const EffectiveContextSample& s : series.samples)
      table.addRow({provenanceName(Provenance::Modelled), mitigationName(series.mitigation), s.contextTokens,
                    s.effectiveTokens.central, s.effectiveTokens.low, s.effectiveTokens.high, QString(),
                    model, QStringLiteral("effective_context"), modelSource});
  for (const EffectiveContextReference& r : effectiveContextMarkers())
    table.addRow(
        {QStringLiteral("reference"), r.mitigation, r.contextTokens, r.effectiveTokens, QVariant(),
         QVariant(),
         r.lowerBound ? QStringLiteral("lower") : (r.upperBound ? QStringLiteral("upper") : QString()),
         r.model, r.metric, r.source});
  return table;
}

}  // namespace sinkscope::ui
