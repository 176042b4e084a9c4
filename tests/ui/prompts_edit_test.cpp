// Writing prompts, offscreen against the real sim: the version editor's
// variable warnings, live preview and kept sample values; a new prompt; a
// field-named validation error shown next to the field; someone else's
// version arriving while editing; a draft that survives the console being
// killed.
#include "prompts_flow_fixture.h"

using namespace sb;
using namespace sb::prompts_flow;

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
