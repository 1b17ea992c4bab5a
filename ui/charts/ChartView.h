// One chart on screen: a QCustomPlot rebuilt from a ChartBuilder, a title with a modelled /
// measured badge, and Copy, Save (PNG/SVG/PDF) and Data (table, CSV) actions. Not the chart's
// content and not where it is computed.
#pragma once

#include "charts/ChartExport.h"
#include "charts/ChartTable.h"
#include "common/Provenance.h"

#include <QPointer>
#include <QWidget>

class QCustomPlot;
class QLabel;
class QMouseEvent;
class QVBoxLayout;

namespace sinkscope::ui {

// Where a chart's numbers come from (core's Provenance, common/Provenance.h); always shown beside
// the chart and in its exports. The tool tip explains it to people.
QString provenanceToolTip(Provenance provenance);

class ChartView : public QWidget {
  Q_OBJECT
 public:
  explicit ChartView(const QString& accessibleName, QWidget* parent = nullptr);

  // Replaces the chart: a fresh plot is built with the screen theme.
  void setChart(const QString& title, Provenance provenance, ChartBuilder builder, ChartTable table);
  void clearChart(const QString& message);  // an empty plot with a centred message

  QCustomPlot* plot() const { return plot_; }
  const ChartTable& table() const { return table_; }
  const ChartBuilder& builder() const { return builder_; }
  QString title() const { return title_; }
  bool hasChart() const { return bool(builder_); }
  // The line exports print under the chart: model, hardware and context (set by the tab).
  void setCaption(const QString& caption) { caption_ = caption; }
  QString caption() const { return caption_; }
  // What exports and the clipboard draw: the chart with its title, provenance tag and caption.
  ChartBuilder exportBuilder() const;

  // Exports with the print theme (white background) at size (logical pixels; SVG/PDF: points),
  // PNG at pngScale; throws sinkscope::Error on failure. Save… asks for the size, then calls this.
  void exportTo(const QString& path, QSize size = kDefaultExportSize,
                double pngScale = kDefaultPngScale) const;
  // The theme the chart is drawn with on screen: from this widget's palette (dark when its window
  // colour is dark); charts are rebuilt when the palette changes.
  ChartTheme screenTheme() const;

 public slots:
  void copyToClipboard();  // the chart as an image (print theme, 2x) plus its CSV as text
  void saveAs();           // file dialog (overwrite confirmed), size dialog, then exportTo()
  void showData();         // the data table dialog
  void rebuild();          // rebuild with the current screen theme (palette change)

 signals:
  void plotRebuilt(QCustomPlot* plot);
  void mouseMovedOnPlot(QMouseEvent* event);

 protected:
  void changeEvent(QEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void replacePlot();
  void showContextMenu(const QPoint& position);
  void updateBadge(const ChartTheme& theme);

  QVBoxLayout* layout_ = nullptr;
  QLabel* titleLabel_ = nullptr;
  QLabel* badge_ = nullptr;
  QCustomPlot* plot_ = nullptr;
  QString title_;
  Provenance provenance_ = Provenance::Modelled;
  QString caption_;
  QString message_;  // shown instead of a chart (clearChart)
  ChartBuilder builder_;
  ChartTable table_;
};

}  // namespace sinkscope::ui
