// The SLO editor: an objective edited in the dialog is what every open
// window's alerts watch at once, and what a console started later reads from
// the settings; input that makes no SLO (a p99 under the p95, an error
// objective under 50 %) is named and cannot be saved; the palette opens it.

#include "ui/alerts/alerts_controller.h"
#include "ui/alerts/slo_editor.h"
#include "ui/console.h"
#include "ui/latency/latency_controller.h"
#include "ui/main_window.h"

#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;

TEST(SloEditor, AnEditedObjectiveIsWatchedAtOnceAndKept)
{
    QTemporaryDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    Console console(nullptr);
    Console other(nullptr); // a second window's
    EXPECT_EQ(console.alerts()->slo(QStringLiteral("chat")).p95ThresholdMs, 0);

    RouteSlo defaults;
    QHash<QString, RouteSlo> slos;
    AlertsController::currentSlos(&defaults, &slos);
    SloEditor editor(defaults, slos, {QStringLiteral("embed"), QStringLiteral("chat")});
    QObject::connect(&editor, &SloEditor::saved, &AlertsController::applyEverywhere);
    editor.show();
    const int chat = editor.rowOf(QStringLiteral("chat"));
    ASSERT_EQ(chat, 1) << "routes sorted, after the default";
    ASSERT_NE(editor.editor(chat, SloEditor::P95), nullptr);

    editor.editor(chat, SloEditor::P95)->setValue(800);
    editor.editor(chat, SloEditor::P99)->setValue(500);
    EXPECT_FALSE(editor.saveButton()->isEnabled());
    auto *problem = editor.findChild<QLabel *>(QStringLiteral("sloProblem"));
    ASSERT_NE(problem, nullptr);
    EXPECT_TRUE(problem->isVisible());
    EXPECT_TRUE(problem->text().startsWith(QStringLiteral("chat: the p99 threshold")))
        << problem->text().toStdString();
    editor.editor(0, SloEditor::ErrorObjective)->setValue(20);
    EXPECT_TRUE(editor.problem().startsWith(QStringLiteral("The default: an error-rate")))
        << editor.problem().toStdString();
    editor.editor(0, SloEditor::ErrorObjective)->setValue(99.5);
    editor.editor(chat, SloEditor::P99)->setValue(2000);
    editor.editor(chat, SloEditor::PendingFor)->setValue(30);
    EXPECT_TRUE(editor.saveButton()->isEnabled()) << editor.problem().toStdString();
    EXPECT_FALSE(problem->isVisible());
    editor.saveButton()->click();

    // Live, in both windows; embed follows the default.
    for (Console *c : {&console, &other}) {
        const RouteSlo s = c->alerts()->slo(QStringLiteral("chat"));
        EXPECT_EQ(s.p95ThresholdMs, 800);
        EXPECT_EQ(s.p99ThresholdMs, 2000);
        EXPECT_EQ(s.policy.pendingForSec, 30);
        EXPECT_DOUBLE_EQ(s.errorObjective, 0.995);
        EXPECT_EQ(c->alerts()->slo(QStringLiteral("embed")).p95ThresholdMs, 0);
        EXPECT_DOUBLE_EQ(c->alerts()->slo(QStringLiteral("embed")).errorObjective, 0.995);
    }
    // Kept: written (off the GUI thread) under the keys the controller reads.
    ASSERT_TRUE(QTest::qWaitFor(
        [] {
            return QSettings().value(QStringLiteral("alerts/route/chat/p95Ms")).toDouble() == 800;
        },
        5000));
    EXPECT_FALSE(QSettings().contains(QStringLiteral("alerts/route/embed/p95Ms")));
    AlertsController later(console.latency(), console.notifications());
    EXPECT_EQ(later.slo(QStringLiteral("chat")).p95ThresholdMs, 800);
    EXPECT_DOUBLE_EQ(later.slo(QStringLiteral("embed")).errorObjective, 0.995);
}

TEST(SloEditor, ThePaletteOpensIt)
{
    Console console(nullptr);
    MainWindow window(&console);
    window.show();
    bool ran = false;
    for (const auto &e : window.commands()) {
        if (e.id == QLatin1String("window:slos")) {
            e.run();
            ran = true;
        }
    }
    ASSERT_TRUE(ran);
    auto *editor = window.findChild<SloEditor *>();
    ASSERT_NE(editor, nullptr);
    EXPECT_TRUE(editor->isVisible());
    EXPECT_NE(editor->editor(0, SloEditor::ErrorObjective), nullptr);
    if (const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS"); !dir.isEmpty())
        editor->grab().save(dir + QStringLiteral("/slo-editor.png"));
    editor->close();
}
