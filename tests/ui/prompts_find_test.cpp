// The Prompts page, offscreen against the real sim over real gRPC: find a
// prompt by typing (name, description, label; sortable columns), read its
// versions and label history, and diff two versions with word highlights.
#include "prompts_flow_fixture.h"

using namespace sb;
using namespace sb::prompts_flow;

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
