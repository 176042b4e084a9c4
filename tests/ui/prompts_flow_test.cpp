// The Prompts page end to end, offscreen, against the real sim over real
// gRPC, driven by the keyboard where a user would: find a prompt, read its
// versions and label history, diff two versions (word highlights present),
// write a new version (variable warnings, live preview, sample values kept,
// a field-named validation error shown next to the field, a draft that
// survives the console being killed), promote and roll back production on a
// production connection through the guarded-change dialog, the stale-etag
// conflict from a second client, roles (viewer, operator moving production),
// another person's change arriving on the watch, and the cache serving a
// restart without a service.
//
// With SWITCHBOARD_SHOTS=DIR set, saves what the tests see, for review.

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

using namespace sb;

namespace {

std::unique_ptr<sim::SimServer> startSim()
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

void shot(QWidget *w, const char *name)
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

void clearSettings()
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
void confirm(GuardedChangeDialog *d, const QString &reason, const QString &typed = {})
{
    auto *r = child<QLineEdit>(d, "reasonEdit");
    r->clear();
    QTest::keyClicks(r, reason);
    if (!typed.isEmpty())
        QTest::keyClicks(child<QLineEdit>(d, "confirmEdit"), typed);
    QTest::keyClick(r, Qt::Key_Return);
}

} // namespace

TEST(PromptsFlow, SearchFiltersAsYouTypeByNameDescriptionAndLabelAndColumnsSort)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("support-reply")));
    // Someone adds a canary label to one prompt; search finds it by label.
    {
        Connection c;
        c.connectTo(QString::fromStdString(sim->address()), QStringLiteral("bob-token"));
        ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 10000));
        PromptsClient bob(&c);
        QSignalSpy moved(&bob, &PromptsClient::changeApplied);
        const Prompt *p = w.prompts()->prompt(QStringLiteral("ticket-summary"));
        bob.moveLabel(Change{.kind = ChangeKind::LabelMove,
                             .object = p->name,
                             .item = QStringLiteral("canary"),
                             .version = 3,
                             .reason = QStringLiteral("canary the word cap"),
                             .expectedEtag = p->etag,
                             .requestId = Change::newRequestId()});
        ASSERT_TRUE(moved.wait(10000));
    }
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return w.label(QStringLiteral("ticket-summary"), QStringLiteral("canary")) == 3; },
        5000))
        << "the watch brings bob's label in";

    w.page()->promptTable()->setFocus();
    QTest::keyClick(w.page()->promptTable(), Qt::Key_F, Qt::ControlModifier);
    QLineEdit *search = w.page()->searchBox();
    ASSERT_TRUE(search->hasFocus());
    auto *rows = w.promptRows();
    QTest::keyClicks(search, QStringLiteral("supplier")); // in a description only
    EXPECT_EQ(rows->rowCount(), 1);
    EXPECT_EQ(rows->index(0, 0).data().toString(), QStringLiteral("invoice-extract"));
    search->clear();
    QTest::keyClicks(search, QStringLiteral("canary"));
    ASSERT_EQ(rows->rowCount(), 1);
    EXPECT_EQ(rows->index(0, 0).data().toString(), QStringLiteral("ticket-summary"));
    search->clear();
    QTest::keyClicks(search, QStringLiteral("meet notes")); // every word, any order
    EXPECT_EQ(rows->rowCount(), 1);
    QTest::keyClicks(search, QStringLiteral("zzz"));
    EXPECT_EQ(rows->rowCount(), 0);
    EXPECT_TRUE(child<QLabel>(w.page(), "promptSearchCount")->text().startsWith("No prompt"));
    QTest::keyClick(search, Qt::Key_Escape);
    EXPECT_EQ(rows->rowCount(), 6);
    // Down goes to the list.
    QTest::keyClick(search, Qt::Key_Down);
    EXPECT_TRUE(w.page()->promptTable()->hasFocus());

    // Latest sorts by number, descending: meeting-notes (v5) first.
    auto *proxy = qobject_cast<QSortFilterProxyModel *>(rows);
    proxy->sort(PromptListModel::Latest, Qt::DescendingOrder);
    EXPECT_EQ(rows->index(0, 0).data().toString(), QStringLiteral("meeting-notes"));
    proxy->sort(PromptListModel::Name, Qt::AscendingOrder);
    EXPECT_EQ(rows->index(0, 0).data().toString(), QStringLiteral("invoice-extract"));
}

TEST(PromptsFlow, TimelineLabelHistoryAndSideBySideDiffWithWordHighlights)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("support-reply")));
    auto *versions = w.prompts()->versions();
    ASSERT_EQ(versions->rowCount(), 4);
    // Labels where they point: production at v3, staging at v4.
    const int v3 = versions->rowOf(3);
    EXPECT_EQ(versions->index(v3, VersionListModel::Labels).data(VersionListModel::LabelsRole),
              QStringList{QStringLiteral("production")});
    // Label history: who moved production to v3, from which version, why.
    bool found = false;
    for (const auto &m : w.prompts()->labelHistory()->moves()) {
        if (m.label == QLatin1String("production") && m.to == 3) {
            found = true;
            EXPECT_EQ(m.from, 2u);
            EXPECT_EQ(m.actor, QStringLiteral("dev.chen"));
            EXPECT_EQ(m.reason, QStringLiteral("v3 won the tone review"));
        }
    }
    EXPECT_TRUE(found);

    // The newest version is selected; its diff against its parent (v3).
    EXPECT_EQ(w.page()->selectedVersions(), std::vector<quint32>{4});
    w.page()->tabs()->setCurrentIndex(PromptsPage::DiffTab);
    DiffView *diff = w.page()->diffView();
    EXPECT_EQ(diff->diff().changed, 1);
    EXPECT_GT(diff->wordHighlights(), 2) << "changed words are highlighted, not whole lines";
    bool temperature = false;
    for (const auto &f : diff->fieldChanges())
        temperature =
            temperature || (f.field == QLatin1String("temperature") &&
                            f.from == QLatin1String("0.6") && f.to == QLatin1String("0.5"));
    EXPECT_TRUE(temperature);
    shot(&w.window, "prompts-diff.png");

    // Two versions selected (as Ctrl+click does): v1 against v4, older left.
    w.page()->selectVersions({4, 1});
    EXPECT_EQ(w.page()->selectedVersions(), (std::vector<quint32>{4, 1}));
    bool tone = false;
    for (const auto &f : diff->fieldChanges())
        tone = tone || (f.field == QLatin1String("variable tone") && f.from.isEmpty());
    EXPECT_TRUE(tone) << "v4 declares tone, v1 did not";
    EXPECT_TRUE(diff->summary().contains(QStringLiteral("changed")));

    // One version against production: v4 vs v3 again, from the compare box.
    w.page()->selectVersions({4});
    auto *compare = child<QComboBox>(w.page(), "compareBase");
    compare->setCurrentIndex(compare->findData(QStringLiteral("label:production")));
    emit compare->activated(compare->currentIndex());
    EXPECT_EQ(w.page()->tabs()->currentIndex(), int(PromptsPage::DiffTab));
    EXPECT_TRUE(child<QLabel>(diff, "diffHeader")->text().contains(QStringLiteral("production")));
    w.page()->selectVersions({3});
    EXPECT_FALSE(diff->findChild<QLabel *>(QStringLiteral("diffHeader"))
                     ->text()
                     .contains(QStringLiteral("→")))
        << "v3 is production itself: nothing to compare";
}

TEST(PromptsFlow, EditorWarnsAboutVariablesPreviewsAndSavesAVersionThatAppearsAtOnce)
{
    clearSettings();
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("support-reply")));
    w.page()->versionTable()->setFocus();
    QTest::keyClick(w.page()->versionTable(), Qt::Key_N, Qt::ControlModifier);
    VersionEditor *e = w.page()->openEditor();
    ASSERT_NE(e, nullptr);
    auto *tpl = child<QPlainTextEdit>(e, "templateEdit");
    ASSERT_TRUE(tpl->toPlainText().contains(QStringLiteral("two short paragraphs")))
        << "seeded from the selected version (v4)";
    ASSERT_TRUE(QTest::qWaitFor([&] { return e->previewCurrent(); }, 5000));

    // Sample values render live.
    auto *samples = child<QTableWidget>(e, "sampleValues");
    for (int r = 0; r < samples->rowCount(); ++r) {
        if (samples->item(r, 0)->text() == QLatin1String("customer_name"))
            samples->item(r, 1)->setText(QStringLiteral("Ada"));
    }
    auto *preview = child<QPlainTextEdit>(e, "previewText");
    ASSERT_TRUE(QTest::qWaitFor(
        [&] { return preview->toPlainText().contains(QStringLiteral("Greet Ada by name")); }, 5000))
        << preview->toPlainText().toStdString();
    EXPECT_TRUE(preview->toPlainText().contains(QStringLiteral("a friendly support agent")))
        << "tone's default applies";

    // Typing an undeclared variable warns at once; removing one warns it is unused.
    tpl->moveCursor(QTextCursor::End);
    QTest::keyClick(tpl, Qt::Key_Return);
    QTest::keyClicks(tpl, QStringLiteral("Signed, {{team}}"));
    QString text = tpl->toPlainText();
    text.replace(QStringLiteral("You are a {{tone}} support agent"),
                 QStringLiteral("You are a support agent"));
    tpl->setPlainText(text);
    ASSERT_TRUE(QTest::qWaitFor([&] { return e->previewCurrent(); }, 5000));
    EXPECT_EQ(e->undeclared(), QStringList{QStringLiteral("team")});
    EXPECT_EQ(e->unused(), QStringList{QStringLiteral("tone")});
    auto *warnings = child<QLabel>(e, "variableWarnings");
    EXPECT_TRUE(warnings->isVisible());
    EXPECT_TRUE(warnings->text().contains(QStringLiteral("team")));
    EXPECT_TRUE(warnings->text().contains(QStringLiteral("tone")));
    EXPECT_GE(e->findChild<TemplateHighlighter *>()->undeclaredCount(), 1)
        << "the undeclared name is underlined in the editor";
    shot(e, "prompts-editor-warning.png");

    // One click declares it.
    emit warnings->linkActivated(QStringLiteral("declare:team"));
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return e->previewCurrent() && e->undeclared().isEmpty(); }, 5000));

    // Save needs a message; Ctrl+S with one saves, and the version shows at once.
    QTest::keyClick(tpl, Qt::Key_S, Qt::ControlModifier);
    EXPECT_TRUE(child<QLabel>(e, "messageError")->isVisible());
    QTest::keyClicks(child<QLineEdit>(e, "messageEdit"), QStringLiteral("Sign with the team"));
    QSignalSpy saved(w.prompts(), &PromptsController::versionSaved);
    QTest::keyClick(child<QLineEdit>(e, "messageEdit"), Qt::Key_S, Qt::ControlModifier);
    ASSERT_TRUE(saved.wait(10000));
    const auto v = saved.at(0).at(1).value<PromptVersion>();
    EXPECT_EQ(v.version, 5u);
    EXPECT_EQ(v.author, QStringLiteral("ada"));
    EXPECT_EQ(v.parentVersion, 4u);
    EXPECT_TRUE(QTest::qWaitFor([&] { return w.page()->openEditor() == nullptr; }, 5000));
    EXPECT_EQ(w.prompts()->versions()->rowCount(), 5);
    EXPECT_EQ(w.page()->selectedVersions(), std::vector<quint32>{5});
    EXPECT_EQ(w.page()->diffView()->diff().added + w.page()->diffView()->diff().changed > 0, true);
    // In the local action log, as every write.
    ASSERT_FALSE(w.console.actions()->actions().empty());
    EXPECT_EQ(w.console.actions()->actions().front().newValue, QStringLiteral("v5"));
    // The sample value is remembered for this prompt.
    EXPECT_EQ(w.prompts()
                  ->sampleValues(QStringLiteral("support-reply"))
                  .value(QStringLiteral("customer_name")),
              QStringLiteral("Ada"));
    // No draft left behind.
    EXPECT_TRUE(QTest::qWaitFor([&] { return !w.prompts()->draft("support-reply"); }, 3000));
}

TEST(PromptsFlow, NewPromptIsNamedWrittenSavedAndOpened)
{
    clearSettings();
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("support-reply")));
    const int before = w.prompts()->prompts()->rowCount();
    w.page()->promptTable()->setFocus();
    QTest::keyClick(w.page()->promptTable(), Qt::Key_N, Qt::ControlModifier | Qt::AltModifier);
    VersionEditor *e = w.page()->openEditor();
    ASSERT_NE(e, nullptr);
    QLineEdit *name = child<QLineEdit>(e, "promptNameEdit");
    EXPECT_EQ(e->focusWidget(), name) << "a new prompt starts with its name";
    EXPECT_TRUE(child<QPlainTextEdit>(e, "templateEdit")->toPlainText().isEmpty());

    // Closed half-written, the new prompt is kept and comes back.
    QTest::keyClicks(name, QStringLiteral("support-reply"));
    child<QPlainTextEdit>(e, "templateEdit")->setPlainText(QStringLiteral("Hello {{who}}"));
    e->reject();
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.page()->openEditor() == nullptr; }, 5000));
    w.page()->newPrompt();
    e = w.page()->openEditor();
    ASSERT_NE(e, nullptr);
    name = child<QLineEdit>(e, "promptNameEdit");
    EXPECT_EQ(name->text(), QStringLiteral("support-reply"));
    EXPECT_EQ(child<QPlainTextEdit>(e, "templateEdit")->toPlainText(),
              QStringLiteral("Hello {{who}}"));
    EXPECT_TRUE(child<QLabel>(e, "editorBanner")->isVisible());
    EXPECT_TRUE(child<QLabel>(e, "editorBanner")->text().contains(QStringLiteral("new prompt")));

    // A name that exists is refused here, before anything is sent.
    emit child<QLabel>(e, "variableWarnings")->linkActivated(QStringLiteral("declare:who"));
    ASSERT_TRUE(
        QTest::qWaitFor([&] { return e->previewCurrent() && e->undeclared().isEmpty(); }, 5000));
    EXPECT_TRUE(e->unused().isEmpty());
    QTest::keyClicks(child<QLineEdit>(e, "messageEdit"), QStringLiteral("First cut"));
    child<QPushButton>(e, "saveButton")->click();
    auto *nameError = child<QLabel>(e, "nameError");
    EXPECT_TRUE(nameError->isVisible());
    EXPECT_TRUE(nameError->text().contains(QStringLiteral("exists already")));

    // The service's own rule on names is shown under the name.
    name->setText(QStringLiteral("Refund Reply"));
    QSignalSpy failed(w.prompts(), &PromptsController::versionSaveFailed);
    child<QPushButton>(e, "saveButton")->click();
    ASSERT_TRUE(failed.wait(10000));
    EXPECT_TRUE(nameError->isVisible());
    EXPECT_TRUE(nameError->text().startsWith(QStringLiteral("prompt_name:")))
        << nameError->text().toStdString();
    shot(e, "prompts-new-prompt-name-error.png");

    // A good name saves; the prompt appears in the list and opens on v1.
    name->setText(QStringLiteral("refund-reply"));
    child<QLineEdit>(e, "promptDescriptionEdit")->setText(QStringLiteral("Replies to refunds"));
    EXPECT_EQ(e->draft().description, QStringLiteral("Replies to refunds"));
    QSignalSpy saved(w.prompts(), &PromptsController::versionSaved);
    child<QPushButton>(e, "saveButton")->click();
    ASSERT_TRUE(saved.wait(10000));
    const auto v = saved.at(0).at(1).value<PromptVersion>();
    EXPECT_EQ(v.promptName, QStringLiteral("refund-reply"));
    EXPECT_EQ(v.version, 1u);
    EXPECT_TRUE(QTest::qWaitFor([&] { return w.page()->openEditor() == nullptr; }, 5000));
    EXPECT_EQ(w.prompts()->prompts()->rowCount(), before + 1);
    EXPECT_EQ(w.prompts()->selectedPrompt(), QStringLiteral("refund-reply"));
    const Prompt *p = w.prompts()->prompt(QStringLiteral("refund-reply"));
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->description, QStringLiteral("Replies to refunds"));
    EXPECT_FALSE(w.prompts()->local()->newPromptDraft()) << "saved: nothing kept locally";
    EXPECT_TRUE(QTest::qWaitFor([&] { return w.prompts()->versions()->rowCount() == 1; }, 5000));
}

TEST(PromptsFlow, TheServicesValidationErrorIsShownNextToTheFieldItNames)
{
    clearSettings();
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("ticket-summary")));
    w.page()->newVersion();
    VersionEditor *e = w.page()->openEditor();
    ASSERT_NE(e, nullptr);
    // A declared name the service refuses: "variables[1].name: ...".
    auto *vars = child<QTableWidget>(e, "variablesTable");
    child<QPushButton>(e, "addVariable")->click();
    vars->item(vars->rowCount() - 1, 0)->setText(QStringLiteral("first name"));
    QTest::keyClicks(child<QLineEdit>(e, "messageEdit"), QStringLiteral("try"));
    QSignalSpy failed(w.prompts(), &PromptsController::versionSaveFailed);
    child<QPushButton>(e, "saveButton")->click();
    ASSERT_TRUE(failed.wait(10000));
    auto *varsError = child<QLabel>(e, "variablesError");
    EXPECT_TRUE(varsError->isVisible());
    EXPECT_TRUE(varsError->text().startsWith(QStringLiteral("variables[1].name:")))
        << varsError->text().toStdString();
    EXPECT_FALSE(child<QLabel>(e, "saveError")->isVisible());
    EXPECT_EQ(vars->currentRow(), vars->rowCount() - 1) << "the offending row is selected";
    EXPECT_EQ(w.prompts()->versions()->rowCount(), 3) << "nothing was saved";
    shot(e, "prompts-editor-field-error.png");
}

TEST(PromptsFlow, AVersionAddedBySomeoneElseWhileEditingIsShownBeforeSavingAnyway)
{
    clearSettings();
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("invoice-extract")));
    w.page()->newVersion();
    VersionEditor *e = w.page()->openEditor();
    ASSERT_NE(e, nullptr);
    QTest::keyClicks(child<QLineEdit>(e, "messageEdit"), QStringLiteral("Mine"));

    // Bob adds v4 while Ada edits her version from v3.
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()), QStringLiteral("bob-token"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 10000));
    PromptsClient bob(&c);
    QSignalSpy bobDone(&bob, &PromptsClient::versionCreated);
    const Prompt p = *w.prompts()->prompt(QStringLiteral("invoice-extract"));
    NewVersion n;
    n.version = *w.prompts()->version(p.name, 3);
    n.version.message = QStringLiteral("Bob's");
    n.expectedEtag = p.etag;
    n.requestId = Change::newRequestId();
    bob.createVersion(n);
    ASSERT_TRUE(bobDone.wait(10000));

    QSignalSpy failed(w.prompts(), &PromptsController::versionSaveFailed);
    child<QPushButton>(e, "saveButton")->click();
    ASSERT_TRUE(failed.wait(10000));
    auto *banner = child<QLabel>(e, "editorBanner");
    EXPECT_TRUE(banner->isVisible());
    EXPECT_TRUE(banner->text().contains(QStringLiteral("bob"))) << banner->text().toStdString();
    EXPECT_TRUE(banner->text().contains(QStringLiteral("v4")));
    EXPECT_EQ(w.prompts()->versions()->rowCount(), 4) << "bob's version shows behind the editor";
    // Deciding again saves hers as v5, still written from v3; bob's stays.
    QSignalSpy saved(w.prompts(), &PromptsController::versionSaved);
    child<QPushButton>(e, "saveButton")->click();
    ASSERT_TRUE(saved.wait(10000));
    const auto v = saved.at(0).at(1).value<PromptVersion>();
    EXPECT_EQ(v.version, 5u);
    EXPECT_EQ(v.parentVersion, 3u);
    EXPECT_EQ(w.prompts()->version(p.name, 4)->message, QStringLiteral("Bob's"));
}

TEST(PromptsFlow, ADraftSurvivesTheConsoleBeingKilledAndIsOfferedBack)
{
    clearSettings();
    auto sim = startSim();
    {
        Window w(nullptr);
        w.connect(*sim, "ada-token");
        ASSERT_TRUE(w.open(QStringLiteral("product-qa")));
        w.page()->newVersion();
        VersionEditor *e = w.page()->openEditor();
        ASSERT_NE(e, nullptr);
        auto *tpl = child<QPlainTextEdit>(e, "templateEdit");
        tpl->moveCursor(QTextCursor::End);
        QTest::keyClick(tpl, Qt::Key_Return);
        QTest::keyClicks(tpl, QStringLiteral("Answer in French."));
        // Kept as you type (a moment after the last key), then the window goes
        // away without Close or Save: what a crash leaves.
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                auto d = w.prompts()->draft(QStringLiteral("product-qa"));
                return d && d->templateText.endsWith(QStringLiteral("Answer in French."));
            },
            5000));
    }
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("product-qa")));
    auto *bar = child<QLabel>(w.page(), "draftBar");
    ASSERT_TRUE(QTest::qWaitFor([&] { return bar->isVisible(); }, 5000));
    EXPECT_TRUE(bar->text().contains(QStringLiteral("unsaved draft")));
    emit bar->linkActivated(QStringLiteral("resume"));
    VersionEditor *e = w.page()->openEditor();
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(child<QPlainTextEdit>(e, "templateEdit")
                    ->toPlainText()
                    .endsWith(QStringLiteral("Answer in French.")));
    EXPECT_TRUE(child<QLabel>(e, "editorBanner")->isVisible());
    child<QPushButton>(e, "discardButton")->click();
    EXPECT_TRUE(QTest::qWaitFor([&] { return !w.prompts()->draft("product-qa"); }, 3000));
}

TEST(PromptsFlow, PromoteOnAProductionConnectionShowsTheDiffAndNeedsTheNameThenRollBack)
{
    auto sim = startSim();
    QTemporaryDir dir;
    Cache cache;
    cache.open(dir.filePath(QStringLiteral("cache.sqlite")));
    Window w(&cache);
    w.connect(*sim, "ada-token", Environment::Prod);
    ASSERT_TRUE(w.open(QStringLiteral("support-reply")));
    ASSERT_EQ(w.label("support-reply", "production"), 3u);
    w.page()->selectVersions({4});
    auto *promote = child<QAction>(w.page(), "promoteAction");
    ASSERT_TRUE(QTest::qWaitFor([&] { return promote->isEnabled(); }, 5000))
        << promote->toolTip().toStdString();
    EXPECT_EQ(promote->text(), QStringLiteral("Promote v4"));
    promote->trigger();
    GuardedChangeDialog *d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    EXPECT_NE(child<QLabel>(d, "productionWarning"), nullptr);
    auto *diff = child<DiffView>(d, "labelMoveDiff");
    ASSERT_NE(diff, nullptr) << "the dialog shows what changes from production's version";
    EXPECT_GT(diff->wordHighlights(), 0);
    EXPECT_TRUE(child<QLabel>(d, "impact")->text().contains(QStringLiteral("v4 instead of v3")));
    auto *apply = child<QPushButton>(d, "applyButton");
    QTest::keyClicks(child<QLineEdit>(d, "reasonEdit"), QStringLiteral("v4 won the experiment"));
    EXPECT_FALSE(apply->isEnabled()) << "production needs the prompt's name typed";
    QTest::keyClicks(child<QLineEdit>(d, "confirmEdit"), QStringLiteral("support-reply"));
    EXPECT_TRUE(apply->isEnabled());
    shot(d, "prompts-promote-prod.png");
    QSignalSpy done(w.prompts(), &PromptsController::changeSucceeded);
    QTest::keyClick(child<QLineEdit>(d, "confirmEdit"), Qt::Key_Return);
    ASSERT_TRUE(done.wait(10000));
    EXPECT_EQ(w.label("support-reply", "production"), 4u);
    EXPECT_EQ(w.console.actions()->actions().front().outcome, QStringLiteral("applied"));
    EXPECT_EQ(w.console.actions()->actions().front().reason,
              QStringLiteral("v4 won the experiment"));
    // The label history shows the move (by ada, from v3) once the audit log has it.
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            const auto &m = w.prompts()->labelHistory()->moves();
            return !m.empty() && m.front().actor == QLatin1String("ada") && m.front().to == 4 &&
                   m.front().reason == QLatin1String("v4 won the experiment");
        },
        5000));

    // Roll back: production goes where it was before, v3, in one action.
    auto *rollback = child<QAction>(w.page(), "rollbackAction");
    ASSERT_TRUE(QTest::qWaitFor([&] { return rollback->isEnabled(); }, 5000));
    EXPECT_EQ(rollback->text(), QStringLiteral("Roll back to v3"));
    rollback->trigger();
    d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(
        child<QLabel>(d, "impact")->text().contains(QStringLiteral("rolls production back")))
        << child<QLabel>(d, "impact")->text().toStdString();
    confirm(d, QStringLiteral("v4 confuses refund questions"), QStringLiteral("support-reply"));
    ASSERT_TRUE(done.wait(10000));
    EXPECT_EQ(w.label("support-reply", "production"), 3u);
}

TEST(PromptsFlow, AStaleEtagShowsWhoMovedTheLabelAndTheSecondDecisionLands)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("support-reply")));
    w.page()->selectVersions({4});
    w.page()->moveLabel(QStringLiteral("production"));
    GuardedChangeDialog *d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    QTest::keyClicks(child<QLineEdit>(d, "reasonEdit"), QStringLiteral("ship v4"));

    // Meanwhile bob, on another console, moves production back to v2.
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()), QStringLiteral("bob-token"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 10000));
    PromptsClient bob(&c);
    QSignalSpy bobDone(&bob, &PromptsClient::changeApplied);
    const Prompt seen = *w.prompts()->prompt(QStringLiteral("support-reply"));
    bob.moveLabel(Change{.kind = ChangeKind::LabelMove,
                         .object = seen.name,
                         .item = QStringLiteral("production"),
                         .version = 2,
                         .reason = QStringLiteral("v3 regressed on refunds"),
                         .expectedEtag = seen.etag,
                         .requestId = Change::newRequestId()});
    ASSERT_TRUE(bobDone.wait(10000));

    // Ada confirms with the etag she saw: refused, and the dialog comes back
    // with bob's move. (The watch may already have updated her prompt; the
    // dialog's change still carries the etag she decided on.)
    QSignalSpy conflicted(w.prompts(), &PromptsController::changeConflicted);
    QTest::keyClick(child<QLineEdit>(d, "reasonEdit"), Qt::Key_Return);
    ASSERT_TRUE(conflicted.wait(10000));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            auto *again = w.page()->openDialog();
            auto *view = child<QLabel>(again, "conflictView");
            return view && !view->isHidden() && view->text().contains(QStringLiteral("bob")) &&
                   view->text().contains(QStringLiteral("v2"));
        },
        10000));
    GuardedChangeDialog *again = w.page()->openDialog();
    shot(again, "prompts-conflict.png");
    EXPECT_EQ(child<QLineEdit>(again, "reasonEdit")->text(), QStringLiteral("ship v4"));
    EXPECT_EQ(w.label("support-reply", "production"), 2u) << "bob's move shows behind the dialog";
    QSignalSpy done(w.prompts(), &PromptsController::changeSucceeded);
    QTest::keyClick(child<QLineEdit>(again, "reasonEdit"), Qt::Key_Return);
    ASSERT_TRUE(done.wait(10000));
    EXPECT_EQ(w.label("support-reply", "production"), 4u);
    EXPECT_EQ(w.console.actions()->actions().size(), 2u) << "the conflict and the move are logged";
}

TEST(PromptsFlow, AViewerCannotWriteAndAnOperatorCannotMoveProductionButCanMoveStaging)
{
    clearSettings();
    auto sim = startSim();
    {
        Window w(nullptr);
        w.connect(*sim, "vera-token");
        ASSERT_TRUE(w.open(QStringLiteral("ticket-summary")));
        w.page()->newVersion();
        VersionEditor *e = w.page()->openEditor();
        ASSERT_NE(e, nullptr);
        QTest::keyClicks(child<QLineEdit>(e, "messageEdit"), QStringLiteral("try"));
        QSignalSpy failed(w.prompts(), &PromptsController::versionSaveFailed);
        child<QPushButton>(e, "saveButton")->click();
        ASSERT_TRUE(failed.wait(10000));
        EXPECT_TRUE(child<QLabel>(e, "saveError")->text().contains(QStringLiteral("role")));
        e->reject();
        auto *newVersion = child<QAction>(w.page(), "newVersionAction");
        EXPECT_TRUE(QTest::qWaitFor([&] { return !newVersion->isEnabled(); }, 5000));
        EXPECT_EQ(newVersion->toolTip(), QStringLiteral("viewer role: operator needed"));
        EXPECT_FALSE(child<QAction>(w.page(), "promoteAction")->isEnabled());
        w.prompts()->discardDraft(QStringLiteral("ticket-summary"));
    }
    Window w(nullptr);
    w.connect(*sim, "otto-token");
    ASSERT_TRUE(w.open(QStringLiteral("ticket-summary")));
    w.page()->selectVersions({3});
    w.page()->moveLabel(QStringLiteral("production"));
    GuardedChangeDialog *d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    QSignalSpy rejected(w.prompts(), &PromptsController::changeRejected);
    confirm(d, QStringLiteral("ship the word cap"));
    ASSERT_TRUE(rejected.wait(10000));
    EXPECT_EQ(rejected.at(0).at(1).value<RpcError>().code, RpcCode::PermissionDenied);
    auto *promote = child<QAction>(w.page(), "promoteAction");
    EXPECT_TRUE(QTest::qWaitFor([&] { return !promote->isEnabled(); }, 5000));
    EXPECT_TRUE(promote->toolTip().contains(QStringLiteral("admin")))
        << promote->toolTip().toStdString();
    EXPECT_FALSE(child<QAction>(w.page(), "rollbackAction")->isEnabled());
    // Staging is still the operator's to move, and new versions still work.
    EXPECT_TRUE(child<QAction>(w.page(), "newVersionAction")->isEnabled());
    w.page()->selectVersions({2});
    w.page()->moveLabel(QStringLiteral("staging"));
    d = w.page()->openDialog();
    ASSERT_NE(d, nullptr);
    QSignalSpy done(w.prompts(), &PromptsController::changeSucceeded);
    confirm(d, QStringLiteral("stage v2 again for the comparison"));
    ASSERT_TRUE(done.wait(10000));
    EXPECT_EQ(w.label("ticket-summary", "staging"), 2u);
    EXPECT_EQ(w.label("ticket-summary", "production"), 2u) << "unchanged";
}

TEST(PromptsFlow, AnotherPersonsNewVersionArrivesOnTheWatchWithANotification)
{
    auto sim = startSim();
    Window w(nullptr);
    w.connect(*sim, "ada-token");
    ASSERT_TRUE(w.open(QStringLiteral("invoice-extract")));
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.prompts()->isWatching(); }, 10000));
    Connection c;
    c.connectTo(QString::fromStdString(sim->address()), QStringLiteral("bob-token"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return c.isReady(); }, 10000));
    PromptsClient bob(&c);
    const Prompt p = *w.prompts()->prompt(QStringLiteral("invoice-extract"));
    NewVersion n;
    n.version = *w.prompts()->version(p.name, 3);
    n.version.templateText += QStringLiteral("\nNever invent a vendor.");
    n.version.message = QStringLiteral("No invented vendors");
    n.version.parentVersion = 3;
    n.expectedEtag = p.etag;
    n.requestId = Change::newRequestId();
    QElapsedTimer t;
    t.start();
    bob.createVersion(n);
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.prompts()->versions()->rowCount() == 4; }, 5000));
    EXPECT_LT(t.elapsed(), 2000) << "within a second or so, not at a poll";
    bool notified = false;
    for (const auto &e : w.console.notifications()->entries())
        notified = notified || (e.title.contains(QStringLiteral("bob")) &&
                                e.title.contains(QStringLiteral("v4")) &&
                                e.detail.contains(QStringLiteral("No invented vendors")));
    EXPECT_TRUE(notified);
}

TEST(PromptsFlow, OfflineTheCacheShowsPromptsVersionsHistoryAndDiffsStaleWithWritesDisabled)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
    {
        auto sim = startSim();
        Cache cache;
        cache.open(path);
        Window w(&cache);
        w.connect(*sim, "ada-token");
        ASSERT_TRUE(w.open(QStringLiteral("meeting-notes")));
        QSignalSpy flushed(&cache, &Cache::flushed);
        cache.flush();
        ASSERT_TRUE(flushed.wait(30000));
        w.console.shutdown();
    }
    Cache cache;
    cache.open(path);
    Window w(&cache);
    w.console.session()->connectTo(QStringLiteral("127.0.0.1:1"), QStringLiteral("sim"));
    ASSERT_TRUE(QTest::qWaitFor([&] { return w.promptRows()->rowCount() == 6; }, 30000));
    ASSERT_TRUE(QTest::qWaitFor(
        [&] {
            return w.prompts()->selectedPrompt() == QLatin1String("meeting-notes") &&
                   w.prompts()->versions()->rowCount() == 5 &&
                   w.prompts()->labelHistory()->rowCount() >= 4;
        },
        10000))
        << w.prompts()->selectedPrompt().toStdString() << " " << w.prompts()->versions()->rowCount()
        << " " << w.prompts()->labelHistory()->rowCount();
    auto *banner = child<QLabel>(w.page(), "staleBanner");
    ASSERT_TRUE(QTest::qWaitFor([&] { return banner->isVisible(); }, 5000));
    EXPECT_TRUE(banner->text().contains(QStringLiteral("ago")));
    // Diffs are computed from the cached versions.
    w.page()->selectVersions({5});
    EXPECT_GT(w.page()->diffView()->wordHighlights(), 0);
    EXPECT_GT(w.page()->diffView()->fieldChanges().size(), 0u) << "v5 switched models";
    // Writing is disabled, saying why.
    auto *newVersion = child<QAction>(w.page(), "newVersionAction");
    EXPECT_FALSE(newVersion->isEnabled());
    EXPECT_TRUE(newVersion->toolTip().startsWith(QStringLiteral("not connected")))
        << newVersion->toolTip().toStdString();
    EXPECT_FALSE(child<QAction>(w.page(), "promoteAction")->isEnabled());
    EXPECT_FALSE(child<QAction>(w.page(), "rollbackAction")->isEnabled());
    EXPECT_TRUE(
        child<QLabel>(w.page(), "promptsHint")->text().contains(QStringLiteral("disabled")));
    shot(&w.window, "prompts-offline.png");
}

int main(int argc, char **argv)
{
    sb::GrpcRuntime grpcRuntime;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Drafts and sample values go to QSettings: keep the user's own apart.
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("switchboard-tests"));
    // One settings file per test process (ctest runs them side by side); a
    // child this process starts (the killed-console test) inherits the name.
    if (qEnvironmentVariableIsEmpty("SB_TEST_SETTINGS_NAME"))
        qputenv("SB_TEST_SETTINGS_NAME",
                QByteArray("prompts-flow-") +
                    QByteArray::number(QCoreApplication::applicationPid()));
    QCoreApplication::setApplicationName(qEnvironmentVariable("SB_TEST_SETTINGS_NAME"));
    qRegisterMetaType<sb::Change>();
    qRegisterMetaType<sb::RpcError>();
    qRegisterMetaType<sb::ConflictInfo>();
    qRegisterMetaType<sb::PromptVersion>();
    qRegisterMetaType<sb::PromptEvent>();
    qRegisterMetaType<std::vector<sb::LocalAction>>();
    ::testing::InitGoogleTest(&argc, argv);
    const int rc = RUN_ALL_TESTS();
    sb::CallTracker::cancelAllAndWait(std::chrono::seconds(3));
    return rc;
}
