// Ties a GGUF opened in the Measured tab to the scenario: offers, in an info bar, the catalogue model
// of the file's shape (or the file itself as an imported model) as the scenario; the person decides.
// Not the matching (core/catalog/CatalogueMatch.h) and not the import (ImportController).
#pragma once

#include "catalog/CatalogueMatch.h"

#include <QFrame>
#include <QObject>
#include <QString>

class QLabel;
class QPushButton;

namespace sinkscope::ui {

class ImportController;
class MeasuredTab;
class Scenario;

// The info bar: a sentence, the offer's button and a close button. Hidden until there is an offer.
class ScenarioOfferBar : public QFrame {
  Q_OBJECT
 public:
  explicit ScenarioOfferBar(QWidget* parent = nullptr);
  void showOffer(const QString& text, const QString& action);
  QLabel* textLabel() const { return text_; }
  QPushButton* acceptButton() const { return accept_; }

 signals:
  void accepted();

 private:
  QLabel* text_ = nullptr;
  QPushButton* accept_ = nullptr;
};

class GgufScenarioController : public QObject {
  Q_OBJECT
 public:
  // Puts its bar into the tab and listens for the files the tab opens.
  GgufScenarioController(Scenario& scenario, ImportController& importer, MeasuredTab& tab);
  ScenarioOfferBar* bar() const { return bar_; }
  // The catalogue model offered for the last opened file, empty when the offer is to import it.
  QString offeredModelId() const { return offeredId_; }

 public slots:
  void fileOpened(const QString& ggufPath);  // reads the file's metadata and makes the offer
  void acceptOffer();

 private:
  void hideWhenTheScenarioIsTheFile();

  Scenario& scenario_;
  ImportController& importer_;
  ScenarioOfferBar* bar_ = nullptr;
  QString path_;       // the file offered for
  QString offeredId_;  // the catalogue model offered, empty: import the file
};

}  // namespace sinkscope::ui
