#include "charts/ChartView.h"

#include "charts/ChartSaveDialogs.h"
#include "charts/DataTableDialog.h"
#include "common/Error.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QRegularExpression>
#include <QToolButton>
#include <QVBoxLayout>

namespace sinkscope::ui {

QString provenanceToolTip(Provenance provenance) {
  switch (provenance) {
    case Provenance::Modelled:
      return QObject::tr(
          "Modelled: the model's exact positional maths (RoPE/ALiBi and the mitigation) applied "
          "to a documented synthetic query/key generator. No weights were run.");
    case Provenance::Measured:
      return QObject::tr(
          "Measured: a real GGUF checkpoint was run on the CPU; these are its real attention "
          "weights and per-token losses.");
    case Provenance::Estimated:
      return QObject::tr(
          "Estimated: the planner's arithmetic from the model's shape and the hardware's "
          "datasheet figures, not a benchmark.");
  }
  return QString();
}

namespace {

QToolButton* toolButton(const QString& text, const QString& tip, QWidget* parent) {
  auto* button = new QToolButton(parent);
  button->setText(text);
  button->setToolTip(tip);
  button->setAccessibleName(text);
  button->setAutoRaise(true);
  return button;
}

// The chart title, elided with "…" to the width it gets beside the badge (never cut mid-word
// without a mark); the whole title stays in the tooltip.
class ElidedTitle : public QLabel {
 public:
  using QLabel::QLabel;
  void setFullText(const QString& text) {
    full_ = text;
    elide();
  }

 protected:
  void resizeEvent(QResizeEvent* event) override {
    QLabel::resizeEvent(event);
    elide();
  }
  void changeEvent(QEvent* event) override {
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange) elide();
  }

 private:
  void elide() {
    const QString shown =
        fontMetrics().elidedText(full_, Qt::ElideRight, std::max(0, contentsRect().width()));
    if (shown != text()) setText(shown);
  }
  QString full_;
};

}  // namespace

ChartView::ChartView(const QString& accessibleName, QWidget* parent) : QWidget(parent) {
  setAccessibleName(accessibleName);
  layout_ = new QVBoxLayout(this);
  layout_->setContentsMargins(0, 0, 0, 0);
  layout_->setSpacing(2);
  auto* header = new QHBoxLayout;
  titleLabel_ = new ElidedTitle(this);
  titleLabel_->setTextFormat(Qt::PlainText);
  QFont bold = titleLabel_->font();
  bold.setBold(true);
  titleLabel_->setFont(bold);
  titleLabel_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  titleLabel_->setMinimumWidth(60);
  badge_ = new QLabel(this);
  badge_->setAccessibleName(tr("Data source"));
  header->addWidget(titleLabel_, 1);
  header->addWidget(badge_);
  auto* copy = toolButton(tr("Copy"),
                          tr("Copy the chart as an image, and its data as CSV text, to the clipboard"), this);
  auto* save = toolButton(tr("Save…"), tr("Save the chart as PNG (2x), SVG or PDF"), this);
  auto* data = toolButton(tr("Data…"), tr("Show the chart's numbers as a table (copy as CSV)"), this);
  connect(copy, &QToolButton::clicked, this, &ChartView::copyToClipboard);
  connect(save, &QToolButton::clicked, this, &ChartView::saveAs);
  connect(data, &QToolButton::clicked, this, &ChartView::showData);
  header->addWidget(copy);
  header->addWidget(save);
  header->addWidget(data);
  layout_->addLayout(header);
  replacePlot();
}

void ChartView::replacePlot() {
  if (plot_) {
    layout_->removeWidget(plot_);
    plot_->hide();
    plot_->deleteLater();
  }
  plot_ = new QCustomPlot(this);
  plot_->setAccessibleName(accessibleName());
  plot_->setAccessibleDescription(tr("Chart; use Data… for its numbers as a table"));
  plot_->setMinimumSize(240, 160);
  plot_->setContextMenuPolicy(Qt::CustomContextMenu);
  plot_->setNoAntialiasingOnDrag(true);
  connect(plot_, &QWidget::customContextMenuRequested, this, &ChartView::showContextMenu);
  connect(plot_, &QCustomPlot::mouseMove, this, &ChartView::mouseMovedOnPlot);
  plot_->installEventFilter(this);
  layout_->addWidget(plot_, 1);
}

// QCustomPlot takes its buffer's device pixel ratio once, when it is created; a window shown on
// (or moved to) a screen of another scale would be drawn blurry. Checked before each paint.
bool ChartView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == plot_ && event->type() == QEvent::Paint &&
      !qFuzzyCompare(plot_->bufferDevicePixelRatio(), plot_->devicePixelRatioF())) {
    plot_->setBufferDevicePixelRatio(plot_->devicePixelRatioF());
    plot_->replot(QCustomPlot::rpQueuedRefresh);  // redraws the buffers before this paint uses them
  }
  return QWidget::eventFilter(watched, event);
}

ChartTheme ChartView::screenTheme() const {
  return ChartTheme::fromPalette(palette());
}

void ChartView::updateBadge(const ChartTheme& theme) {
  // Okabe–Ito hues with at least 4.5:1 contrast on the background: on light, blue and a darker
  // bluish green; on dark, sky blue and bluish green.
  const bool measured = provenance_ == Provenance::Measured;
  const QString color = theme.dark ? (measured ? QStringLiteral("#009E73") : QStringLiteral("#56B4E9"))
                                   : (measured ? QStringLiteral("#007A5A") : QStringLiteral("#0072B2"));
  badge_->setText(
      QStringLiteral("<span style='color:%1'>[%2]</span>").arg(color, provenanceName(provenance_)));
  badge_->setToolTip(provenanceToolTip(provenance_));
}

void ChartView::setChart(const QString& title, Provenance provenance, ChartBuilder builder,
                         ChartTable table) {
  title_ = title;
  builder_ = std::move(builder);
  table_ = std::move(table);
  if (table_.title.isEmpty()) table_.title = title;
  static_cast<ElidedTitle*>(titleLabel_)->setFullText(title);
  titleLabel_->setToolTip(title);
  provenance_ = provenance;
  message_.clear();
  rebuild();
}

void ChartView::clearChart(const QString& message) {
  message_ = message;
  builder_ = nullptr;
  table_ = ChartTable{};
  resetPlot(*plot_);
  plot_->plotLayout()->clear();
  auto* text = new QCPTextElement(plot_, message);
  text->setTextColor(palette().color(QPalette::PlaceholderText));
  plot_->plotLayout()->addElement(0, 0, text);
  plot_->setBackground(palette().color(QPalette::Base));
  plot_->replot();
}

void ChartView::rebuild() {
  if (!builder_) {
    if (!message_.isEmpty()) clearChart(message_);  // the message in the new palette's colours
    return;
  }
  resetPlot(*plot_);
  const ChartTheme theme = screenTheme();
  updateBadge(theme);
  builder_(*plot_, theme);
  plot_->replot(QCustomPlot::rpQueuedReplot);
  emit plotRebuilt(plot_);
}

void ChartView::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  // The application palette (system light/dark) reaches every widget as PaletteChange.
  if (event->type() == QEvent::PaletteChange) rebuild();
}

ChartBuilder ChartView::exportBuilder() const {
  return withHeading(builder_, ChartHeading{title_, provenanceName(provenance_), caption_});
}

void ChartView::exportTo(const QString& path, QSize size, double pngScale) const {
  if (!builder_) throwBadInput(path, QString(), QStringLiteral("the chart has no data yet"));
  exportChart(exportBuilder(), path, size, pngScale);
}

void ChartView::copyToClipboard() {
  if (!builder_) return;
  auto* mime = new QMimeData;
  mime->setImageData(renderChartImage(exportBuilder(), ChartTheme::print(), kDefaultExportSize, 2.0));
  mime->setText(table_.toCsv());
  QApplication::clipboard()->setMimeData(mime);
}

void ChartView::saveAs() {
  if (!builder_) return;
  QString suggested = title_.toLower();
  suggested.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
  const std::unique_ptr<QFileDialog> files(createChartFileDialog(this, suggested + QStringLiteral(".png")));
  if (files->exec() != QDialog::Accepted || files->selectedFiles().isEmpty()) return;
  const QString path = files->selectedFiles().constFirst();
  const auto format = chartFormatForPath(path);
  if (!format) {
    QMessageBox::critical(this, tr("Could not save the chart"),
                          tr("%1: unknown extension (expected .png, .svg or .pdf)").arg(path));
    return;
  }
  ExportSizeDialog sizes(*format, this);
  if (sizes.exec() != QDialog::Accepted) return;
  const ChartExportSize size = sizes.choice();
  try {
    exportTo(path, size.logical, size.pngScale);
  } catch (const Error& error) {
    QMessageBox::critical(this, tr("Could not save the chart"), error.describe());
  }
}

void ChartView::showData() {
  auto* dialog = new DataTableDialog(table_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
}

void ChartView::showContextMenu(const QPoint& position) {
  QMenu menu(this);
  menu.addAction(tr("Copy chart and data"), this, &ChartView::copyToClipboard);
  menu.addAction(tr("Save as PNG, SVG or PDF…"), this, &ChartView::saveAs);
  menu.addAction(tr("Show data table…"), this, &ChartView::showData);
  menu.exec(plot_->mapToGlobal(position));
}

}  // namespace sinkscope::ui
