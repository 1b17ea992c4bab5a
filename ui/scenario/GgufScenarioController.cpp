#include "scenario/GgufScenarioController.h"

#include "catalog/Catalog.h"
#include "common/Error.h"
#include "common/NumberFormat.h"
#include "gguf/GgufFile.h"
#include "scenario/ImportController.h"
#include "scenario/Scenario.h"
#include "tabs/MeasuredTab.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>

namespace sinkscope::ui {

ScenarioOfferBar::ScenarioOfferBar(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("scenarioOfferBar"));
  setFrameShape(QFrame::StyledPanel);
  setAccessibleName(tr("Scenario offer for the opened file"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 4, 4, 4);
  text_ = new QLabel(this);
  text_->setWordWrap(true);
  text_->setTextFormat(Qt::RichText);
  accept_ = new QPushButton(this);
  auto* close = new QToolButton(this);
  close->setText(QStringLiteral("×"));
  close->setAccessibleName(tr("Dismiss"));
  close->setToolTip(tr("Keep the scenario as it is"));
  layout->addWidget(text_, 1);
  layout->addWidget(accept_);
  layout->addWidget(close);
  connect(accept_, &QPushButton::clicked, this, &ScenarioOfferBar::accepted);
  connect(close, &QToolButton::clicked, this, &QWidget::hide);
  hide();
}

void ScenarioOfferBar::showOffer(const QString& text, const QString& action) {
  text_->setText(text);
  accept_->setText(action);
  accept_->setAccessibleName(action);
  show();
}

namespace {

QString fileContextText(const ModelSpec& file) {
  return QStringLiteral("%1 (%2.context_length)")
      .arg(tokensText(file.maxPositionEmbeddings), file.architecture);
}

// The sentence of an offer to use a catalogue model.
QString matchText(const QString& fileName, const CatalogueMatch& match, const ModelSpec& scenarioModel) {
  const ModelSpec& model = *match.model;
  QString text = GgufScenarioController::tr(
                     "<b>%1</b> has the architecture and shape of <b>%2</b> (%3). The scenario names %4. "
                     "Trained context: %5 from the catalogue; the file says %6.")
                     .arg(fileName.toHtmlEscaped(), model.displayName.toHtmlEscaped(),
                          shapeText(match.file).toHtmlEscaped(), scenarioModel.displayName.toHtmlEscaped(),
                          tokensText(model.trainedContext), fileContextText(match.file));
  if (!match.alsoMatching.isEmpty())
    text += GgufScenarioController::tr(" Of the same shape: %1.")
                .arg(match.alsoMatching.join(QStringLiteral(", ")).toHtmlEscaped());
  return text;
}

QString importText(const QString& fileName, const ModelSpec& file, const ModelSpec& scenarioModel) {
  return GgufScenarioController::tr(
             "<b>%1</b> (%2) is no catalogue model, and the scenario names %3: the Planner and Mitigations "
             "tabs speak of that model, not of this file. Trained context if imported: the file's %4.")
      .arg(fileName.toHtmlEscaped(), shapeText(file).toHtmlEscaped(),
           scenarioModel.displayName.toHtmlEscaped(), fileContextText(file));
}

}  // namespace

GgufScenarioController::GgufScenarioController(Scenario& scenario, ImportController& importer,
                                               MeasuredTab& tab)
    : QObject(&tab), scenario_(scenario), importer_(importer) {
  bar_ = new ScenarioOfferBar(&tab);
  tab.addNotice(bar_);
  connect(&tab, &MeasuredTab::ggufOpened, this, &GgufScenarioController::fileOpened);
  connect(bar_, &ScenarioOfferBar::accepted, this, &GgufScenarioController::acceptOffer);
  connect(&scenario_, &Scenario::modelChanged, this, &GgufScenarioController::hideWhenTheScenarioIsTheFile);
  // A file the tab opened before this controller existed (the last session's, or the sample) gets
  // the same offer as one opened now.
  if (!tab.ggufPath().isEmpty()) fileOpened(tab.ggufPath());
}

void GgufScenarioController::fileOpened(const QString& ggufPath) {
  bar_->hide();
  path_ = QFileInfo(ggufPath).absoluteFilePath();
  offeredId_.clear();
  CatalogueMatch match;
  try {
    match = matchCatalogueModel(GgufFile(ggufPath), Catalog::builtin().models());
  } catch (const Error&) {
    path_.clear();  // an unreadable file: the tab's measurement says what is wrong with it
    return;
  }
  const QString fileName = QFileInfo(ggufPath).fileName();
  if (match.model) {
    offeredId_ = match.model->id;
    if (scenario_.values().modelId == offeredId_) return;
    bar_->showOffer(matchText(fileName, match, scenario_.model()),
                    tr("Use %1 as the scenario").arg(match.model->displayName));
  } else if (scenario_.model().origin != path_) {
    bar_->showOffer(importText(fileName, match.file, scenario_.model()),
                    tr("Add %1 as a model and use it").arg(fileName));
  }
}

void GgufScenarioController::acceptOffer() {
  bar_->hide();
  if (!offeredId_.isEmpty())
    scenario_.setModelId(offeredId_);
  else if (!path_.isEmpty())
    importer_.importModel(path_);
}

void GgufScenarioController::hideWhenTheScenarioIsTheFile() {
  const bool isTheFile =
      !path_.isEmpty() &&
      (offeredId_.isEmpty() ? scenario_.model().origin == path_ : scenario_.values().modelId == offeredId_);
  if (isTheFile) bar_->hide();
}

}  // namespace sinkscope::ui
