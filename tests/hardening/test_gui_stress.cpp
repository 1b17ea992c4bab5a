// The window under abuse: a corrupted settings file falls back to the defaults, and hundreds of
// rapid scenario changes and cancellations while work runs end with the view showing the final
// scenario (no crash; the sanitizer build runs this under AddressSanitizer and LeakSanitizer).
// Not the window's functional tests (tests/ui).
#include "MainWindow.h"
#include "TestSupport.h"
#include "UiTestSupport.h"
#include "catalog/Catalog.h"
#include "common/Error.h"
#include "compute/ComputeController.h"
#include "scenario/Scenario.h"
#include "scenario/ScenarioFile.h"
#include "scenario/SpecLibrary.h"
#include "tabs/PlannerTab.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QFile>
#include <QRandomGenerator>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <functional>

using namespace sinkscope;
using namespace sinkscope::ui;

namespace {

// Valid INI syntax with hostile values, then bytes that are not INI at all.
const QByteArray kCorruptSettings =
    "[scenario]\n"
    "model=../../../etc/passwd\n"
    "hardware=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x10garbage)\n"
    "context_tokens=1e300\n"
    "batch=-7\n"
    "weights_dtype=@ByteArray(\\xff\\xfe)\n"
    "kv_dtype=fp3\n"
    "mitigations=warp, , ntk\\x01\n"
    "compare_left=@Invalid()\n"
    "layer=99999999999999999999\n"
    "head=-2147483648\n"
    "[window]\n"
    "geometry=@ByteArray(garbage)\n"
    "state=@ByteArray(\\0\\0\\0\\xff more garbage)\n"
    "tab=1000\n"
    "[files]\n"
    "imported=/dev/zero, /nonexistent/model.gguf, /\n"
    "recent=@Variant(garbage)\n"
    "\xff\xfe\x00\x01[[[[=\n=\n\x80\x81\x82";

PlannerTab* plannerTab(MainWindow& window) {
  for (AnalysisTab* tab : window.analysisTabs())
    if (auto* planner = qobject_cast<PlannerTab*>(tab)) return planner;
  return nullptr;
}

// The message of the Error that reading throws, or a failure note when it throws none.
QString errorOf(const std::function<void()>& read) {
  try {
    read();
  } catch (const Error& error) {
    return error.describe();
  }
  return QStringLiteral("(no error)");
}

}  // namespace

class TestGuiStress : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { test::isolateSettings(QStringLiteral("test_gui_stress")); }

  void corruptedSettingsFallBackToDefaults() {
    const QString path = QSettings().fileName();
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(kCorruptSettings);
    file.close();

    MainWindow window;
    window.setPersistSettings(false);
    QElapsedTimer timer;
    timer.start();
    window.restoreSettings();  // /dev/zero among the imported files must not read forever
    QVERIFY2(timer.elapsed() < 30000, qPrintable(QString::number(timer.elapsed())));
    window.show();
    const ScenarioValues values = window.scenario().values();
    const ScenarioValues defaults = Scenario::defaults(window.library());
    QCOMPARE(values.modelId, defaults.modelId);
    QCOMPARE(values.hardwareId, defaults.hardwareId);
    QVERIFY(values.contextTokens >= kMinContextTokens && values.contextTokens <= kMaxContextTokens);
    QVERIFY(values.batch >= 1);
    QCOMPARE(values.kvDtype, defaults.kvDtype);
    QVERIFY(!values.mitigations.empty());
    QVERIFY(values.layer >= -1 && values.head >= -1);
    QVERIFY(window.tabs()->currentIndex() >= 0 && window.tabs()->currentIndex() < window.tabs()->count());
    QVERIFY(test::waitForIdle(window));
    QSettings().clear();
  }

  // What the window imports (Open…, drag and drop, File → Open Scenario) follows the command line's
  // rule for pipes (docs/limits.md, "Devices and pipes"): a FIFO whose writer sends nothing is
  // refused at once, one without a writer reads as empty, a folder is refused with its reason.
  void windowImportsNeverWaitOnAPipe() {
    QTemporaryDir dir;
    SpecLibrary library;
    const ScenarioValues defaults = Scenario::defaults(library);
    const std::vector<std::pair<QString, std::function<void(const QString&)>>> readers{
        {QStringLiteral("model.json"), [&](const QString& path) { library.importFile(path); }},
        {QStringLiteral("hardware.json"), [&](const QString& path) { library.importHardware(path); }},
        {QStringLiteral("model.gguf"), [&](const QString& path) { library.importModel(path); }},
        {QStringLiteral("config.json"), [&](const QString& path) { library.importModel(path); }},
        {QStringLiteral("scenario.json"), [&](const QString& path) { readScenarioFile(path, defaults); }},
    };
    for (const auto& [name, read] : readers) {
      const QString path = dir.filePath(name);
      QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
      const int writer =
          ::open(QFile::encodeName(path).constData(), O_RDWR | O_NONBLOCK | O_CLOEXEC);  // sends nothing
      QVERIFY(writer >= 0);
      const QString silent = errorOf([&] { read(path); });
      ::close(writer);
      QVERIFY2(silent.startsWith(path + QStringLiteral(": nothing to read")), qPrintable(silent));
      const QString empty = errorOf([&] { read(path); });  // no writer now: empty, refused like an empty file
      QVERIFY2(
          empty.startsWith(path + QStringLiteral(":")) && !empty.contains(QStringLiteral("nothing to read")),
          qPrintable(empty));
      QVERIFY(QFile::remove(path));
      QVERIFY(QDir().mkdir(path));
      const QString folder = errorOf([&] { read(path); });
      QVERIFY2(folder.contains(QStringLiteral("is a directory")), qPrintable(folder));
    }
  }

  // 400 changes of model, hardware, context, batch and mitigations, a cancellation every few,
  // events processed in between so that jobs start, get superseded and finish mid-stream.
  void rapidChangesEndOnTheFinalScenario() {
    MainWindow window;
    window.setPersistSettings(false);
    window.show();
    PlannerTab* planner = plannerTab(window);
    QVERIFY(planner);
    window.tabs()->setCurrentWidget(planner);
    QRandomGenerator random(20261128);
    const auto& models = window.library().models();
    const auto& hardware = window.library().hardware();
    const std::vector<Mitigation> choices = comparedMitigations();
    for (int i = 0; i < 400; ++i) {
      ScenarioValues v = window.scenario().values();
      switch (random.bounded(5)) {
        case 0:
          v.modelId = models[random.bounded(int(models.size()))].key;
          break;
        case 1:
          v.hardwareId = hardware[random.bounded(int(hardware.size()))].key;
          break;
        case 2:
          v.contextTokens = qint64(128) << random.bounded(17);
          break;
        case 3:
          v.batch = 1 + int(random.bounded(64));
          break;
        default:
          v.mitigations = {Mitigation::Baseline, choices[random.bounded(int(choices.size()))]};
          break;
      }
      window.scenario().setValues(v);
      if (i % 7 == 0) window.compute().cancelAll();
      if (i % 3 == 0) QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
      if (i % 50 == 0) planner->refreshNow();
    }
    ScenarioValues last = window.scenario().values();
    last.modelId = QStringLiteral("llama-3.1-8b");
    last.hardwareId = QStringLiteral("a100-sxm-80gb");
    last.contextTokens = 131072;
    last.batch = 2;
    last.mitigations = {Mitigation::Baseline, Mitigation::Yarn};
    window.scenario().setValues(last);
    QVERIFY(test::waitForIdle(window, 120000));

    const auto data = planner->data();
    QVERIFY(data);
    const ScenarioValues final = window.scenario().values();
    QCOMPARE(data->plan.modelId, final.modelId);
    QCOMPARE(data->plan.hardwareId, final.hardwareId);
    QCOMPARE(data->plan.contextTokens, qint64(131072));
    QCOMPARE(data->compared, final.mitigations);
    // The same numbers a fresh computation of the final scenario gives.
    const PlannerData fresh =
        PlannerTab::computePlan(window.scenario().model(), window.scenario().hardware(), final);
    QCOMPARE(data->plan.memory.totalBytes, fresh.plan.memory.totalBytes);
    QCOMPARE(data->plan.memory.kvBytes, fresh.plan.memory.kvBytes);
  }
};

QTEST_MAIN(TestGuiStress)
#include "test_gui_stress.moc"
