#include "charts/PlannerCharts.h"

#include "Units.h"
#include "charts/ChartHelpers.h"
#include "common/NumberFormat.h"
#include "scenario/Explanations.h"

#include <qcustomplot.h>

#include <algorithm>

namespace sinkscope::ui {

namespace {

// One bar's share of the plot's height in pixels (the widget height less the axes, estimated).
double barPitchPixels(int plotHeightPixels, int rows) {
  constexpr double kAxesPixels = 70;  // title row, x tick labels and x axis label
  return (double(plotHeightPixels) - kAxesPixels) / double(std::max(rows, 1));
}

// font, made smaller (never below 6 pt) until one line is no taller than pitch: neighbours never touch.
QFont fittedFont(QFont font, double pitchPixels) {
  while (font.pointSizeF() > 6.0 && QFontMetricsF(font).height() > pitchPixels)
    font.setPointSizeF(font.pointSizeF() * 0.9);
  return font;
}

// The value labels: bold and larger than the axis text where there is room.
QFont barLabelFont(const ChartTheme& theme, double pitchPixels) {
  QFont font = theme.font;
  font.setBold(true);
  font.setPointSizeF(font.pointSizeF() * 1.3);
  return fittedFont(font, pitchPixels);
}

struct Component {
  QString name;
  qint64 MemoryBreakdown::*bytes;
};
const Component kComponents[] = {
    {QObject::tr("weights"), &MemoryBreakdown::weightsBytes},
    {QObject::tr("KV cache"), &MemoryBreakdown::kvBytes},
    {QObject::tr("activations"), &MemoryBreakdown::activationBytes},
    {QObject::tr("overhead"), &MemoryBreakdown::overheadBytes},
};

double gib(qint64 bytes) {
  return double(bytes) / kBytesPerGiB;
}

QColor componentColor(int index, const ChartTheme& theme) {
  return theme.seriesColor(index + 1);
}

}  // namespace

const MitigationPlan* PlannerData::row(Mitigation mitigation) const {
  for (const MitigationPlan& row : plan.mitigations)
    if (row.mitigation == mitigation) return &row;
  return nullptr;
}

QColor confidenceColor(double value, const ChartTheme& theme) {
  (void)theme;
  if (value < 0.5) return QColor(0xD5, 0x5E, 0x00);  // vermillion
  if (value < 0.8) return QColor(0xE6, 0x9F, 0x00);  // orange
  return QColor(0x00, 0x9E, 0x73);                   // bluish green
}

// --- memory bars -------------------------------------------------------------------------------

ChartBuilder memoryBarBuilder(std::shared_ptr<const PlannerData> data) {
  return [data](QCustomPlot& plot, const ChartTheme& theme) {
    const int rows = int(data->compared.size());
    QVector<double> ticks;
    QVector<QString> labels;
    for (int i = 0; i < rows; ++i) {
      ticks << i + 1;
      labels << mitigationTitle(data->compared[size_t(i)]);
    }
    QCPAxis* categories = plot.yAxis;
    QCPAxis* values = plot.xAxis;
    QCPBars* below = nullptr;
    double maxTotal = gib(data->plan.memory.capacityBytes);
    for (int c = 0; c < 4; ++c) {
      auto* bars = new QCPBars(categories, values);
      bars->setName(kComponents[c].name);
      bars->setWidth(0.6);
      bars->setPen(Qt::NoPen);
      bars->setBrush(componentColor(c, theme));
      QVector<double> sizes;
      for (const MemoryBreakdown& memory : data->comparedMemory) sizes << gib(memory.*kComponents[c].bytes);
      bars->setData(ticks, sizes);
      if (below) bars->moveAbove(below);
      below = bars;
    }
    for (const MemoryBreakdown& memory : data->comparedMemory)
      maxTotal = std::max(maxTotal, gib(memory.totalBytes));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(ticks, labels);
    categories->setTicker(ticker);
    categories->setRange(0.4, rows + 0.6);
    categories->setRangeReversed(true);
    categories->grid()->setVisible(false);
    values->setRange(0, maxTotal * 1.12);
    values->setLabel(QObject::tr("memory (GiB), batch %1 at %2")
                         .arg(data->plan.batch)
                         .arg(formatTokens(data->plan.contextTokens)));
    theme.apply(plot);
    constexpr int kLegendPixels = 40;  // the legend's rows under the plot (legendBelow)
    categories->setTickLabelFont(
        fittedFont(categories->tickLabelFont(), barPitchPixels(plot.height() - kLegendPixels, rows)));
    addVerticalMarker(
        plot, plot.axisRect(), gib(data->plan.memory.capacityBytes),
        QObject::tr("usable capacity %1").arg(formatGiB(double(data->plan.memory.capacityBytes), 1)),
        theme.warning, Qt::DashLine);
    legendBelow(plot, 4);
    theme.applyLegend(*plot.legend);
  };
}

ChartTable memoryBarTable(const PlannerData& data) {
  ChartTable table;
  table.title = QObject::tr("Memory by component");
  table.columns = {QObject::tr("mitigation"),
                   QObject::tr("weights (bytes)"),
                   QObject::tr("KV cache (bytes)"),
                   QObject::tr("activations (bytes)"),
                   QObject::tr("overhead (bytes)"),
                   QObject::tr("total (bytes)"),
                   QObject::tr("usable capacity (bytes)"),
                   QObject::tr("total (GiB)")};
  for (size_t i = 0; i < data.compared.size(); ++i) {
    const MemoryBreakdown& m = data.comparedMemory[i];
    table.addRow({mitigationName(data.compared[i]), m.weightsBytes, m.kvBytes, m.activationBytes,
                  m.overheadBytes, m.totalBytes, m.capacityBytes, gib(m.totalBytes)});
  }
  return table;
}

// --- memory against context -------------------------------------------------------------------

ChartBuilder memoryCurveBuilder(std::shared_ptr<const PlannerData> data) {
  return [data](QCustomPlot& plot, const ChartTheme& theme) {
    QVector<double> x;
    for (const MemoryPoint& point : data->curve) x << double(point.contextTokens);
    const double capacityGiB = gib(data->plan.memory.capacityBytes);
    // The capacity line is named in the legend, not beside the line, so that it can never collide
    // with the vertical markers' labels (requested, trained, fit limit) whatever the scales.
    if (!x.isEmpty()) {
      QCPGraph* line = plot.addGraph();
      line->setName(
          QObject::tr("usable capacity %1").arg(formatGiB(double(data->plan.memory.capacityBytes), 1)));
      line->setData(QVector<double>{x.front(), x.back()}, QVector<double>{capacityGiB, capacityGiB}, true);
      line->setPen(QPen(theme.warning, 1.5, Qt::DashLine));  // first: the last graph stays the total
      if (!plot.layer(QStringLiteral("capacity")))
        plot.addLayer(QStringLiteral("capacity"), plot.layer(QStringLiteral("main")));
      line->setLayer(QStringLiteral("capacity"));  // drawn above the stacked fills
    }
    QVector<double> cumulative(x.size(), 0.0);
    QCPGraph* previous = nullptr;
    for (int c = 0; c < 4; ++c) {
      QVector<double> y(x.size());
      for (int i = 0; i < x.size(); ++i) {
        cumulative[i] += gib(data->curve[size_t(i)].memory.*kComponents[c].bytes);
        y[i] = cumulative[i];
      }
      QCPGraph* graph = plot.addGraph();
      graph->setName(kComponents[c].name);
      graph->setData(x, y, true);
      QColor fill = componentColor(c, theme);
      graph->setPen(QPen(fill, 1.5));
      fill.setAlpha(110);
      graph->setBrush(fill);
      if (previous) graph->setChannelFillGraph(previous);
      previous = graph;
    }
    const double capacity = gib(data->plan.memory.capacityBytes);
    double maxY =
        std::max(capacity * 1.25, cumulative.isEmpty() ? 1.0 : std::min(cumulative.back(), capacity * 4));
    // When not even the shortest context fits, show all of it: the weights alone are the story.
    if (!cumulative.isEmpty() && cumulative.front() > maxY) maxY = cumulative.front() * 1.1;
    setTokenLogAxis(*plot.xAxis, x.isEmpty() ? 128 : x.front(), x.isEmpty() ? 1 << 20 : x.back(),
                    QObject::tr("context (tokens)"));
    plot.yAxis->setRange(0, maxY);
    plot.yAxis->setLabel(QObject::tr("memory (GiB), batch %1").arg(data->plan.batch));
    theme.apply(plot);
    // The first context tick sits under the y axis's "0": a little lower, so that the two never touch.
    plot.xAxis->setTickLabelPadding(plot.xAxis->tickLabelPadding() + 4);
    const FitLimit& fit = data->plan.fit;
    if (!fit.unbounded && fit.maxContextTokens > 0)
      addVerticalMarker(plot, plot.axisRect(), double(fit.maxContextTokens),
                        QObject::tr("fits up to %1").arg(formatTokensShort(double(fit.maxContextTokens))),
                        theme.warning, Qt::DashLine, 0);
    addVerticalMarker(
        plot, plot.axisRect(), double(data->plan.trainedContextTokens),
        QObject::tr("trained %1").arg(formatTokensShort(double(data->plan.trainedContextTokens))),
        theme.reference, Qt::DotLine, 1);
    addVerticalMarker(plot, plot.axisRect(), double(data->plan.contextTokens),
                      QObject::tr("requested %1").arg(formatTokensShort(double(data->plan.contextTokens))),
                      theme.foreground, Qt::SolidLine, 2);
    // Below the plot: the stacked areas can fill any part of it (memory-bound models reach the
    // capacity line), and a legend inside would cover them or the marker labels.
    legendBelow(plot, 3);
    theme.applyLegend(*plot.legend);
  };
}

ChartTable memoryCurveTable(const PlannerData& data) {
  ChartTable table;
  table.title = QObject::tr("Memory against context");
  table.columns = {QObject::tr("context (tokens)"),        QObject::tr("weights (bytes)"),
                   QObject::tr("KV cache (bytes)"),        QObject::tr("activations (bytes)"),
                   QObject::tr("overhead (bytes)"),        QObject::tr("total (bytes)"),
                   QObject::tr("usable capacity (bytes)"), QObject::tr("fits")};
  for (const MemoryPoint& p : data.curve)
    table.addRow({p.contextTokens, p.memory.weightsBytes, p.memory.kvBytes, p.memory.activationBytes,
                  p.memory.overheadBytes, p.memory.totalBytes, p.memory.capacityBytes,
                  p.memory.totalBytes <= p.memory.capacityBytes ? QObject::tr("yes") : QObject::tr("no")});
  return table;
}

// --- throughput --------------------------------------------------------------------------------

namespace {

// A plan that does not fit cannot run: the chart says so instead of drawing rates.
void notEstimated(QCustomPlot& plot, const ChartTheme& theme) {
  plot.xAxis->setVisible(false);
  plot.yAxis->setVisible(false);
  auto* text = new QCPItemText(&plot);
  text->setPositionAlignment(Qt::AlignCenter);
  text->position->setType(QCPItemPosition::ptAxisRectRatio);
  text->position->setCoords(0.5, 0.5);
  text->setText(QObject::tr("Not estimated: the plan does not fit,\nso it cannot run. See what would fit."));
  theme.apply(plot);
  text->setColor(theme.foreground);
  text->setFont(theme.font);
}

}  // namespace

ChartBuilder throughputBuilder(std::shared_ptr<const PlannerData> data) {
  return [data](QCustomPlot& plot, const ChartTheme& theme) {
    if (!data->plan.fits) return notEstimated(plot, theme);
    const ThroughputEstimate& t = data->plan.throughput;
    auto* bars = new QCPBars(plot.yAxis, plot.xAxis);
    bars->setName(QObject::tr("tokens/s"));
    bars->setWidth(0.55);
    bars->setPen(Qt::NoPen);
    bars->setBrush(theme.seriesColor(1));
    bars->setData({1, 2}, {t.prefillTokensPerSecond, t.decodeTokensPerSecond});
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTick(1, QObject::tr("prefill\n%1\n(%2-bound)")
                           .arg(formatRate(t.prefillTokensPerSecond), boundName(t.prefillBound)));
    ticker->addTick(2, QObject::tr("decode\n%1\n(%2-bound)")
                           .arg(formatRate(t.decodeTokensPerSecond), boundName(t.decodeBound)));
    plot.yAxis->setTicker(ticker);
    plot.yAxis->setRange(0.4, 2.6);
    plot.yAxis->setRangeReversed(true);
    plot.yAxis->grid()->setVisible(false);
    plot.xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot.xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    const double top = std::max({t.prefillTokensPerSecond, t.decodeTokensPerSecond, 10.0});
    const double bottom = std::max(0.1, std::min(t.prefillTokensPerSecond, t.decodeTokensPerSecond) / 20.0);
    plot.xAxis->setRange(bottom, top * 3);
    plot.xAxis->setLabel(QObject::tr("tokens/s, whole batch (log scale)"));
    bars->setBaseValue(bottom);
    theme.apply(plot);
  };
}

ChartTable throughputTable(const PlannerData& data) {
  const ThroughputEstimate& t = data.plan.throughput;
  ChartTable table;
  table.title = QObject::tr("Throughput");
  table.columns = {QObject::tr("phase"), QObject::tr("tokens per second (whole batch)"),
                   QObject::tr("bound")};
  if (!data.plan.fits) {
    table.addRow({QObject::tr("prefill"), QObject::tr("not estimated: does not fit"), QString()});
    table.addRow({QObject::tr("decode"), QObject::tr("not estimated: does not fit"), QString()});
    return table;
  }
  table.addRow({QObject::tr("prefill"), t.prefillTokensPerSecond, boundName(t.prefillBound)});
  table.addRow({QObject::tr("decode"), t.decodeTokensPerSecond, boundName(t.decodeBound)});
  return table;
}

// --- confidence gauge --------------------------------------------------------------------------

ChartBuilder confidenceBuilder(std::shared_ptr<const PlannerData> data) {
  return [data](QCustomPlot& plot, const ChartTheme& theme) {
    const int rows = int(data->compared.size());
    const double pitch = barPitchPixels(plot.height(), rows);
    const QFont labelFont = barLabelFont(theme, pitch);
    // A high value's label sits inside its bar where the bar is thick enough for it (so it never
    // runs past the axis at 1); on thinner bars every label goes beside its bar, with room past 1.
    constexpr double kBarWidth = 0.5;  // of a row
    const bool labelsFitInBars = QFontMetricsF(labelFont).height() <= kBarWidth * pitch;
    plot.xAxis->setRange(0, labelsFitInBars ? 1.0 : 1.3);
    auto scale = QSharedPointer<QCPAxisTickerText>::create();  // 0 to 1 only, even with room past 1
    for (int tick = 0; tick <= 5; ++tick) scale->addTick(tick * 0.2, QString::number(tick * 0.2, 'g', 2));
    plot.xAxis->setTicker(scale);
    plot.yAxis->setRange(0.4, rows + 0.6);
    plot.yAxis->setRangeReversed(true);
    // Short enough for the narrow column the Planner gives this chart; the 0.8 rule is the band edge
    // and the chart's tooltip (confidenceExplanation).
    plot.xAxis->setLabel(QObject::tr("confidence (0–1)"));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < rows; ++i) ticker->addTick(i + 1, mitigationTitle(data->compared[size_t(i)]));
    plot.yAxis->setTicker(ticker);
    plot.yAxis->grid()->setVisible(false);
    theme.apply(plot);
    plot.yAxis->setTickLabelFont(fittedFont(plot.yAxis->tickLabelFont(), pitch));
    // Background bands: low, medium, high.
    const double bands[][2] = {{0, 0.5}, {0.5, 0.8}, {0.8, 1.0}};
    for (const auto& band : bands) {
      auto* rect = new QCPItemRect(&plot);
      rect->topLeft->setCoords(band[0], 0.4);
      rect->bottomRight->setCoords(band[1], rows + 0.6);
      QColor fill = confidenceColor((band[0] + band[1]) / 2, theme);
      fill.setAlpha(theme.dark ? 60 : 45);
      rect->setBrush(fill);
      rect->setPen(Qt::NoPen);
      rect->setLayer(QStringLiteral("background"));
    }
    for (int i = 0; i < rows; ++i) {
      const MitigationPlan* row = data->row(data->compared[size_t(i)]);
      const double value = row ? row->confidence.value : 0;
      auto* bars = new QCPBars(plot.yAxis, plot.xAxis);
      bars->setName(mitigationName(data->compared[size_t(i)]));
      bars->setWidth(kBarWidth);
      bars->setPen(QPen(theme.foreground, 1));
      bars->setBrush(confidenceColor(value, theme));
      bars->setData({double(i + 1)}, {value});
      auto* label = new QCPItemText(&plot);
      label->position->setCoords(value, i + 1);
      const bool inside = row && value > 0.7 && labelsFitInBars;
      label->setClipToAxisRect(false);
      label->setPositionAlignment((inside ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
      label->setText(
          row ? (inside ? QStringLiteral("%1  ") : QStringLiteral("  %1")).arg(confidenceText(value))
              : QObject::tr("  n/a"));
      label->setFont(labelFont);
      label->setColor(inside ? QColor(Qt::white) : theme.foreground);
    }
  };
}

ChartTable confidenceTable(const PlannerData& data) {
  ChartTable table;
  table.title = QObject::tr("Planner confidence");
  table.columns = {QObject::tr("mitigation"), QObject::tr("confidence (0-1)"),
                   QObject::tr("context_cap (tokens)"), QObject::tr("effective context (tokens)"),
                   QObject::tr("reasons")};
  for (Mitigation mitigation : data.compared) {
    const MitigationPlan* row = data.row(mitigation);
    if (!row) continue;
    QStringList reasons;
    for (const ConfidenceReason& reason : row->confidence.reasons) reasons << reason.text;
    table.addRow({mitigationName(mitigation), row->confidence.value, capCell(row->contextCap),
                  row->estimate.applicable ? QVariant(row->effectiveContext) : QVariant(notApplicableText()),
                  reasons.join(QStringLiteral(" | "))});
  }
  return table;
}

}  // namespace sinkscope::ui
