// The window's Save… path for one chart: the file dialog (format by filter, overwrite confirmed)
// and the size dialog (pixels and scale for PNG, points or millimetres for SVG/PDF) whose last
// choice QSettings remembers. Not the rendering: ChartExport does that, for the CLI too.
#pragma once

#include "charts/ChartExport.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QFileDialog;
class QLabel;
class QPushButton;
class QSettings;

namespace sinkscope::ui {

// What a chart file is drawn at: its layout size (logical pixels = points) and, for PNG, the
// pixels per logical pixel.
struct ChartExportSize {
  QSize logical = kDefaultExportSize;
  double pngScale = kDefaultPngScale;
  QSize pngPixels() const;
  bool operator==(const ChartExportSize&) const = default;
};

enum class LengthUnit { Points, Millimetres };
double pointsFrom(double length, LengthUnit unit);  // 1 mm = 72 / 25.4 pt
double lengthFromPoints(double points, LengthUnit unit);

// The last size chosen for a format (PNG, or SVG/PDF together), else the default.
ChartExportSize rememberedExportSize(QSettings& settings, ChartFormat format);
void rememberExportSize(QSettings& settings, ChartFormat format, const ChartExportSize& size);

// A save dialog for charts: PNG/SVG/PDF filters, the suffix following the chosen filter, and the
// overwrite confirmation on (an existing file is replaced only after the user says so).
QFileDialog* createChartFileDialog(QWidget* parent, const QString& suggestedPath);

class ExportSizeDialog : public QDialog {
  Q_OBJECT
 public:
  // Starts from the size remembered for the format.
  ExportSizeDialog(ChartFormat format, QWidget* parent = nullptr);
  ChartExportSize choice() const;
  void setChoice(const ChartExportSize& size);
  LengthUnit unit() const;  // SVG/PDF only
  void setUnit(LengthUnit unit);
  QDoubleSpinBox* widthBox() const { return width_; }
  QDoubleSpinBox* heightBox() const { return height_; }
  // Why the renderer would refuse the choice (pngSizeProblem: a PNG above kMaxPngPixels), else
  // empty; while it is not empty the summary says so, Save is disabled and accept() does nothing.
  QString sizeProblem() const;
  // Stores the choice in QSettings as the next default (done on accept).
  void remember() const;
  void accept() override;

 private:
  void updateSummary();
  void setRanges();

  ChartFormat format_;
  QDoubleSpinBox* width_ = nullptr;
  QDoubleSpinBox* height_ = nullptr;
  QDoubleSpinBox* scale_ = nullptr;  // PNG only
  QComboBox* unit_ = nullptr;        // SVG/PDF only
  QLabel* summary_ = nullptr;
  QPushButton* save_ = nullptr;
  LengthUnit shownUnit_ = LengthUnit::Points;
};

}  // namespace sinkscope::ui
