#include "UiTestSupport.h"

#include "MainWindow.h"
#include "ScreenshotRunner.h"
#include "catalog/Catalog.h"
#include "tabs/AnalysisTab.h"

#include <qcustomplot.h>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>

namespace sinkscope::test {

void isolateSettings(const QString& testName) {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("SinkScopeTests"));
  QCoreApplication::setApplicationName(testName);
  QSettings().clear();
}

QString writeTextFile(const QTemporaryDir& dir, const QString& name, const QByteArray& content) {
  const QString path = dir.filePath(name);
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
  file.write(content);
  return path;
}

QString writeTinyLlamaConfig(const QTemporaryDir& dir) {
  return writeTextFile(dir, QStringLiteral("tinyllama/config.json"), R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 22,
  "num_attention_heads": 32, "num_key_value_heads": 4, "vocab_size": 32000,
  "max_position_embeddings": 2048, "rope_theta": 10000.0, "rms_norm_eps": 1e-05,
  "tie_word_embeddings": false, "hidden_act": "silu", "torch_dtype": "bfloat16"
})");
}

QString writeHardwareJson(const QTemporaryDir& dir) {
  return writeTextFile(dir, QStringLiteral("lab-gpu.json"), R"({
  "id": "lab-gpu-48gb", "name": "Lab GPU 48 GB", "vendor": "Lab", "category": "workstation-gpu",
  "memory_bytes": 51539607552, "memory_bandwidth_bytes_per_s": 1000000000000.0,
  "peak_flops": { "fp32": 50000000000000, "bf16": 200000000000000, "fp16": 200000000000000 },
  "source": "test fixture"
})");
}

bool waitForIdle(ui::MainWindow& window, int timeoutMs) {
  return ui::waitUntilIdle(window, timeoutMs);
}

QString catalogueId(const char* fragment) {
  for (const ModelSpec& model : Catalog::builtin().models())
    if (model.id.contains(QLatin1String(fragment), Qt::CaseInsensitive)) return model.id;
  return QString();
}

void showAndWait(ui::MainWindow& window, ui::AnalysisTab* tab) {
  QSignalSpy updated(tab, &ui::AnalysisTab::updated);
  window.tabs()->setCurrentWidget(tab);
  tab->refreshNow();
  QVERIFY(updated.wait(60000) || updated.count() > 0);
  QVERIFY(waitForIdle(window));
}

ui::ChartBuilder lineBuilder() {
  return [](QCustomPlot& plot, const ui::ChartTheme& theme) {
    QCPGraph* graph = plot.addGraph();
    graph->setData({1, 2, 3, 4}, {1, 4, 9, 16});
    graph->setPen(QPen(theme.seriesColor(0), 2));
    plot.xAxis->setLabel(QStringLiteral("context (tokens)"));
    plot.yAxis->setLabel(QStringLiteral("value"));
    plot.rescaleAxes();
    theme.apply(plot);
  };
}

}  // namespace sinkscope::test
