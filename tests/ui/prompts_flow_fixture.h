// Shared by the Prompts page's end-to-end tests (prompts_find_test.cpp,
// prompts_edit_test.cpp, prompts_promote_test.cpp): a sim with four people of
// different roles, a window on the Prompts page, and small helpers.
//
// With SWITCHBOARD_SHOTS=DIR set, the tests save what they see, for review.
#pragma once

#include "client/call_tracker.h"
#include "client/connection.h"
#include "client/grpc_runtime.h"
#include "client/prompts_client.h"
#include "client/prompts_watch.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/common/action_log.h"
#include "ui/common/guarded_change_dialog.h"
#include "ui/common/notification_log.h"
#include "ui/console.h"
#include "ui/main_window.h"
#include "ui/page_registry.h"
#include "ui/prompts/diff_view.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/prompts/prompts_page.h"
#include "ui/prompts/template_highlighter.h"
#include "ui/prompts/version_editor.h"
#include "ui/session.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

namespace sb::prompts_flow {

inline std::unique_ptr<sim::SimServer> startSim()
{
    sim::SimOptions o;
    o.rate = 300;
    o.tokens["ada-token"] = {sim::Role::Admin, "ada"};
    o.tokens["bob-token"] = {sim::Role::Admin, "bob"};
    o.tokens["otto-token"] = {sim::Role::Operator, "otto"};
    o.tokens["vera-token"] = {sim::Role::Viewer, "vera"};
    auto sim = std::make_unique<sim::SimServer>(o);
    std::string err;
    EXPECT_TRUE(sim->start(&err)) << err;
    return sim;
}

inline void shot(QWidget *w, const char *name)
{
    const QString dir = qEnvironmentVariable("SWITCHBOARD_SHOTS");
    if (!dir.isEmpty())
        w->grab().save(dir + QLatin1Char('/') + QLatin1String(name));
}

struct Window
{
    explicit Window(Cache *cache) : console(cache), window(&console)
    {
        window.resize(1280, 800);
        window.show();
        window.showPage(pageIndex(QStringLiteral("prompts")));
    }
    void connect(const sim::SimServer &sim, const char *token, Environment env = Environment::Dev)
    {
        console.session()->connectTo(QString::fromStdString(sim.address()), QStringLiteral("sim"),
                                     QString::fromLatin1(token), env);
    }
    Console console;
    MainWindow window;
    PromptsPage *page() { return window.page<PromptsPage>(); }
    PromptsController *prompts() { return console.prompts(); }
    QAbstractItemModel *promptRows() { return page()->promptTable()->model(); }

    // Waits until the prompt list is live and `prompt` is selected with its
    // versions and label history loaded.
    bool open(const QString &prompt)
    {
        if (!QTest::qWaitFor(
                [&] {
                    return prompts()->writeBlockedReason().isEmpty() || prompts()->freshness().live;
                },
                15000))
            return false;
        if (!QTest::qWaitFor([&] { return promptRows()->rowCount() >= 6; }, 15000))
            return false;
        auto *m = promptRows();
        for (int r = 0; r < m->rowCount(); ++r) {
            if (m->index(r, 0).data().toString() == prompt)
                page()->promptTable()->setCurrentIndex(m->index(r, 0));
        }
        return QTest::qWaitFor(
            [&] {
                return prompts()->selectedPrompt() == prompt &&
                       prompts()->versions()->prompt().name == prompt &&
                       prompts()->versions()->rowCount() > 0 &&
                       prompts()->labelHistory()->rowCount() > 0;
            },
            15000);
    }
    quint32 label(const QString &prompt, const QString &name)
    {
        const Prompt *p = prompts()->prompt(prompt);
        return p ? labelVersion(*p, name) : 0;
    }
};

inline void clearSettings()
{
    QSettings s;
    s.remove(QStringLiteral("prompts"));
    s.sync();
}

template <class T> T *child(QWidget *w, const char *name)
{
    return w ? w->findChild<T *>(QString::fromLatin1(name)) : nullptr;
}

// Confirms the open guarded-change dialog with a reason (and the prompt's
// name on a production connection).
inline void confirm(GuardedChangeDialog *d, const QString &reason, const QString &typed = {})
{
    auto *r = child<QLineEdit>(d, "reasonEdit");
    r->clear();
    QTest::keyClicks(r, reason);
    if (!typed.isEmpty())
        QTest::keyClicks(child<QLineEdit>(d, "confirmEdit"), typed);
    QTest::keyClick(r, Qt::Key_Return);
}

} // namespace sb::prompts_flow
