#include "scenario/HubImportDialog.h"

#include "HubFetch.h"
#include "HubImport.h"
#include "HubSettings.h"
#include "catalog/HubId.h"
#include "common/Error.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace sinkscope::ui {

HubImportDialog::HubImportDialog(const QStringList& recentIds, QWidget* parent)
    : QDialog(parent),
      idBox_(new QComboBox(this)),
      status_(new QLabel(this)),
      progress_(new QProgressBar(this)),
      open_(new QPushButton(tr("&Open"), this)),
      cancel_(new QPushButton(tr("Cancel"), this)) {
  setWindowTitle(tr("Open a model from Hugging Face"));
  idBox_->setEditable(true);
  idBox_->addItems(recentIds);
  idBox_->setCurrentText(recentIds.value(0));
  idBox_->lineEdit()->setPlaceholderText(QStringLiteral("Qwen/Qwen2.5-7B-Instruct"));
  idBox_->setAccessibleName(tr("Hugging Face model id"));
  idBox_->setMinimumWidth(360);
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  status_->setText(
      tr("An id such as org/name or org/name@revision. HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE apply."));
  progress_->setRange(0, 3);
  progress_->setVisible(false);
  open_->setDefault(true);
  auto* buttons = new QDialogButtonBox(this);
  buttons->addButton(open_, QDialogButtonBox::ActionRole);
  buttons->addButton(cancel_, QDialogButtonBox::RejectRole);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("Model id:"), this));
  layout->addWidget(idBox_);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addWidget(buttons);
  connect(open_, &QPushButton::clicked, this, &HubImportDialog::startOpen);
  connect(cancel_, &QPushButton::clicked, this, &HubImportDialog::cancelOrClose);
}

HubImportDialog::~HubImportDialog() = default;

bool HubImportDialog::fetching() const {
  return !fetch_.isNull();
}

void HubImportDialog::setBusy(bool busy) {
  open_->setEnabled(!busy);
  idBox_->setEnabled(!busy);
  progress_->setVisible(busy);
  cancel_->setText(busy ? tr("Cancel") : tr("Close"));
}

void HubImportDialog::showError(const QString& message) {
  status_->setText(QStringLiteral("error: ") + message);
  emit failed(message);
}

void HubImportDialog::startOpen() {
  if (fetch_) return;
  const QString text = idBox_->currentText().trimmed();
  const auto id = parseHubId(text);
  if (!id) return showError(QStringLiteral("%1: not a Hugging Face id (org/name[@revision])").arg(text));
  try {
    const hub::HubSettings settings = hub::HubSettings::fromEnvironment();
    if (const auto cached = hub::readCachedFiles(settings, *id)) {  // no request, no wait
      emit modelOpened(hub::hubModelSpec(*id, settings, *cached, hub::HubOrigin::Cached), text);
      accept();
      return;
    }
    pendingId_ = text;
    fetch_ = new hub::HubFetch(*id, settings, this);
  } catch (const Error& error) {
    return showError(error.describe());
  }
  connect(fetch_, &hub::HubFetch::progress, this, [this](const QString& stage, int step, int steps) {
    progress_->setRange(0, steps);
    progress_->setValue(step);
    status_->setText(tr("Fetching %1…").arg(stage));
  });
  connect(fetch_, &hub::HubFetch::finished, this, &HubImportDialog::fetchFinished);
  setBusy(true);
  status_->setText(tr("Fetching config.json…"));
  fetch_->start();
}

void HubImportDialog::fetchFinished() {
  hub::HubFetch* fetch = fetch_;
  fetch_ = nullptr;
  if (!fetch) return;
  fetch->deleteLater();
  setBusy(false);
  if (fetch->error()) return showError(fetch->error()->describe());
  try {
    const hub::HubSettings settings = hub::HubSettings::fromEnvironment();
    const HubId id = *parseHubId(pendingId_);
    const ModelSpec spec = hub::hubModelSpec(id, settings, fetch->files(), hub::HubOrigin::Downloaded);
    hub::writeCachedFiles(settings, id, fetch->files());
    emit modelOpened(spec, pendingId_);
    accept();
  } catch (const Error& error) {
    showError(error.describe());
  }
}

void HubImportDialog::cancelOrClose() {
  if (fetch_) {
    fetch_->cancel();  // finished() follows at once: the message says "cancelled"
    return;
  }
  reject();
}

void HubImportDialog::reject() {
  if (fetch_) fetch_->cancel();
  QDialog::reject();
}

}  // namespace sinkscope::ui
