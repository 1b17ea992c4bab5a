// Helpers for the window tests: an isolated settings store, fixture files written by the test,
// and waiting for background work. Not assertions; each test states its own.
#pragma once

#include "charts/ChartExport.h"

#include <QString>
#include <QTemporaryDir>

namespace sinkscope::ui {
class AnalysisTab;
class MainWindow;
}  // namespace sinkscope::ui

namespace sinkscope::test {

// Points QSettings at a fresh temporary folder (QStandardPaths test mode + a unique app name).
void isolateSettings(const QString& testName);

// A Hugging Face config.json for TinyLlama-1.1B (public values from its model card config).
QString writeTinyLlamaConfig(const QTemporaryDir& dir);
// A hardware profile in the catalogue's format: 48 GiB, 1 TB/s, 200 TFLOP/s bf16.
QString writeHardwareJson(const QTemporaryDir& dir);
QString writeTextFile(const QTemporaryDir& dir, const QString& name, const QByteArray& content);

// Processes events until the window's background work is done and visible tabs are fresh.
bool waitForIdle(ui::MainWindow& window, int timeoutMs = 60000);

// The first catalogue model id containing `fragment` (case-insensitive), or an empty string.
QString catalogueId(const char* fragment);
// A small chart (y = x² over four points, themed) for the chart infrastructure tests.
ui::ChartBuilder lineBuilder();
// Shows the tab, asks it to recompute and waits for its next results (fails the test otherwise).
void showAndWait(ui::MainWindow& window, ui::AnalysisTab* tab);

}  // namespace sinkscope::test
