#include "charts/ChartSaveDialogs.h"
#include "DialogFolders.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>

#include <algorithm>
#include <cmath>

namespace sinkscope::ui {

namespace {

constexpr double kPointsPerInch = 72.0;  // PostScript point
constexpr double kMillimetresPerInch = 25.4;

QString group(ChartFormat format) {
  return format == ChartFormat::Png ? QStringLiteral("png") : QStringLiteral("vector");
}

QString suffixFor(const QString& nameFilter) {
  if (nameFilter.contains(QLatin1String("*.svg"))) return QStringLiteral("svg");
  if (nameFilter.contains(QLatin1String("*.pdf"))) return QStringLiteral("pdf");
  return QStringLiteral("png");
}

QSize clampedSize(QSize size) {
  if (!size.isValid()) return kDefaultExportSize;
  return QSize(std::clamp(size.width(), kMinExportWidth, kMaxExportSide),
               std::clamp(size.height(), kMinExportHeight, kMaxExportSide));
}

}  // namespace

QSize ChartExportSize::pngPixels() const {
  return QSize(int(std::lround(logical.width() * pngScale)), int(std::lround(logical.height() * pngScale)));
}

double pointsFrom(double length, LengthUnit unit) {
  return unit == LengthUnit::Millimetres ? length * kPointsPerInch / kMillimetresPerInch : length;
}

double lengthFromPoints(double points, LengthUnit unit) {
  return unit == LengthUnit::Millimetres ? points * kMillimetresPerInch / kPointsPerInch : points;
}

ChartExportSize rememberedExportSize(QSettings& settings, ChartFormat format) {
  settings.beginGroup(QStringLiteral("chart_export/") + group(format));
  ChartExportSize size;
  size.logical =
      clampedSize(QSize(settings.value(QStringLiteral("width"), kDefaultExportSize.width()).toInt(),
                        settings.value(QStringLiteral("height"), kDefaultExportSize.height()).toInt()));
  const double scale = settings.value(QStringLiteral("scale"), kDefaultPngScale).toDouble();
  size.pngScale = scale >= 1.0 && scale <= kMaxPngScale ? scale : kDefaultPngScale;
  settings.endGroup();
  if (format == ChartFormat::Png && !pngSizeProblem(size.logical, size.pngScale).isEmpty())
    return ChartExportSize{};
  return size;
}

void rememberExportSize(QSettings& settings, ChartFormat format, const ChartExportSize& size) {
  settings.beginGroup(QStringLiteral("chart_export/") + group(format));
  settings.setValue(QStringLiteral("width"), size.logical.width());
  settings.setValue(QStringLiteral("height"), size.logical.height());
  if (format == ChartFormat::Png) settings.setValue(QStringLiteral("scale"), size.pngScale);
  settings.endGroup();
}

QFileDialog* createChartFileDialog(QWidget* parent, const QString& suggestedPath) {
  auto* dialog = new QFileDialog(parent, QObject::tr("Save chart"));
  dialog->setAcceptMode(QFileDialog::AcceptSave);
  dialog->setFileMode(QFileDialog::AnyFile);
  dialog->setOption(QFileDialog::DontConfirmOverwrite, false);  // replace only after a yes
  const QStringList filters{QObject::tr("PNG image (*.png)"), QObject::tr("SVG vector image (*.svg)"),
                            QObject::tr("PDF document (*.pdf)")};
  dialog->setNameFilters(filters);
  const QString suffix = QFileInfo(suggestedPath).suffix().toLower();
  for (const QString& filter : filters)
    if (suffixFor(filter) == suffix) dialog->selectNameFilter(filter);
  dialog->setDefaultSuffix(suffixFor(dialog->selectedNameFilter()));
  QObject::connect(dialog, &QFileDialog::filterSelected, dialog,
                   [dialog](const QString& filter) { dialog->setDefaultSuffix(suffixFor(filter)); });
  dialog->setDirectory(dialogStartPath(DialogPurpose::Export));
  dialog->selectFile(suggestedPath);
  QObject::connect(dialog, &QFileDialog::fileSelected, dialog,
                   [](const QString& path) { rememberDialogFolder(DialogPurpose::Export, path); });
  return dialog;
}

ExportSizeDialog::ExportSizeDialog(ChartFormat format, QWidget* parent) : QDialog(parent), format_(format) {
  setWindowTitle(tr("Chart size"));
  auto* form = new QFormLayout(this);
  const bool png = format == ChartFormat::Png;
  if (!png) {
    unit_ = new QComboBox(this);
    unit_->addItem(tr("points (1/72 inch)"), int(LengthUnit::Points));
    unit_->addItem(tr("millimetres"), int(LengthUnit::Millimetres));
    unit_->setAccessibleName(tr("Unit of width and height"));
    unit_->setToolTip(tr("SVG and PDF pages are measured in points (72 per inch) or millimetres"));
    form->addRow(tr("Unit"), unit_);
  }
  width_ = new QDoubleSpinBox(this);
  height_ = new QDoubleSpinBox(this);
  width_->setAccessibleName(tr("Chart width"));
  height_->setAccessibleName(tr("Chart height"));
  const QString what =
      png ? tr("in pixels before the scale; text keeps its screen size, so a smaller chart has "
               "relatively larger text")
          : tr("of the page; text and lines stay vector");
  width_->setToolTip(tr("Width %1").arg(what));
  height_->setToolTip(tr("Height %1").arg(what));
  form->addRow(tr("Width"), width_);
  form->addRow(tr("Height"), height_);
  if (png) {
    scale_ = new QDoubleSpinBox(this);
    scale_->setRange(1.0, kMaxPngScale);
    scale_->setSingleStep(0.5);
    scale_->setDecimals(1);
    scale_->setSuffix(QStringLiteral("×"));
    scale_->setAccessibleName(tr("PNG scale"));
    scale_->setToolTip(
        tr("Pixels per chart pixel: 2× is sharp on high-DPI screens and in print at about 190 dpi"));
    form->addRow(tr("Scale"), scale_);
    connect(scale_, &QDoubleSpinBox::valueChanged, this, &ExportSizeDialog::updateSummary);
  }
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  summary_->setAccessibleName(tr("Size of the file"));
  form->addRow(summary_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
  save_ = buttons->button(QDialogButtonBox::Save);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  form->addRow(buttons);
  connect(width_, &QDoubleSpinBox::valueChanged, this, &ExportSizeDialog::updateSummary);
  connect(height_, &QDoubleSpinBox::valueChanged, this, &ExportSizeDialog::updateSummary);

  QSettings settings;
  if (unit_) {
    const int unit =
        settings.value(QStringLiteral("chart_export/vector/unit"), int(LengthUnit::Points)).toInt();
    shownUnit_ = unit == int(LengthUnit::Millimetres) ? LengthUnit::Millimetres : LengthUnit::Points;
    unit_->setCurrentIndex(unit_->findData(int(shownUnit_)));
  }
  setRanges();
  setChoice(rememberedExportSize(settings, format));
  if (unit_)
    connect(unit_, &QComboBox::currentIndexChanged, this, [this] {
      const ChartExportSize current = choice();  // read in the old unit
      shownUnit_ = LengthUnit(unit_->currentData().toInt());
      setRanges();
      setChoice(current);
    });
}

void ExportSizeDialog::setRanges() {
  const bool mm = shownUnit_ == LengthUnit::Millimetres && format_ != ChartFormat::Png;
  for (QDoubleSpinBox* box : {width_, height_}) {
    box->setDecimals(mm ? 1 : 0);
    box->setSuffix(format_ == ChartFormat::Png ? tr(" px") : (mm ? tr(" mm") : tr(" pt")));
  }
  width_->setRange(lengthFromPoints(kMinExportWidth, shownUnit_),
                   lengthFromPoints(kMaxExportSide, shownUnit_));
  height_->setRange(lengthFromPoints(kMinExportHeight, shownUnit_),
                    lengthFromPoints(kMaxExportSide, shownUnit_));
}

LengthUnit ExportSizeDialog::unit() const {
  return shownUnit_;
}

void ExportSizeDialog::setUnit(LengthUnit unit) {
  if (unit_) unit_->setCurrentIndex(unit_->findData(int(unit)));
}

ChartExportSize ExportSizeDialog::choice() const {
  const LengthUnit unit = format_ == ChartFormat::Png ? LengthUnit::Points : shownUnit_;  // px = pt
  ChartExportSize size;
  size.logical = clampedSize(QSize(int(std::lround(pointsFrom(width_->value(), unit))),
                                   int(std::lround(pointsFrom(height_->value(), unit)))));
  size.pngScale = scale_ ? scale_->value() : kDefaultPngScale;
  return size;
}

void ExportSizeDialog::setChoice(const ChartExportSize& size) {
  const LengthUnit unit = format_ == ChartFormat::Png ? LengthUnit::Points : shownUnit_;
  width_->setValue(lengthFromPoints(size.logical.width(), unit));
  height_->setValue(lengthFromPoints(size.logical.height(), unit));
  if (scale_) scale_->setValue(size.pngScale);
  updateSummary();
}

QString ExportSizeDialog::sizeProblem() const {
  const ChartExportSize size = choice();
  return format_ == ChartFormat::Png ? pngSizeProblem(size.logical, size.pngScale) : QString();
}

void ExportSizeDialog::updateSummary() {
  const ChartExportSize size = choice();
  const QString problem = sizeProblem();
  if (save_) save_->setEnabled(problem.isEmpty());
  if (!problem.isEmpty()) {
    summary_->setText(tr("Too large to save: %1. Choose a smaller size or scale.").arg(problem));
  } else if (format_ == ChartFormat::Png) {
    const QSize pixels = size.pngPixels();
    summary_->setText(tr("PNG file: %1 × %2 pixels (%3 dpi), white background")
                          .arg(pixels.width())
                          .arg(pixels.height())
                          .arg(std::lround(96 * size.pngScale)));
  } else {
    summary_->setText(tr("Page: %1 × %2 pt = %3 × %4 mm, white background")
                          .arg(size.logical.width())
                          .arg(size.logical.height())
                          .arg(lengthFromPoints(size.logical.width(), LengthUnit::Millimetres), 0, 'f', 1)
                          .arg(lengthFromPoints(size.logical.height(), LengthUnit::Millimetres), 0, 'f', 1));
  }
}

void ExportSizeDialog::remember() const {
  QSettings settings;
  rememberExportSize(settings, format_, choice());
  if (unit_) settings.setValue(QStringLiteral("chart_export/vector/unit"), int(shownUnit_));
}

void ExportSizeDialog::accept() {
  if (!sizeProblem().isEmpty()) return;  // what the renderer would refuse is never accepted
  remember();
  QDialog::accept();
}

}  // namespace sinkscope::ui
