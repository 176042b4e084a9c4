#include "core/command_index.h"

#include <gtest/gtest.h>

using sb::CommandEntry;
using sb::CommandIndex;

namespace {

CommandEntry entry(const char *id, const char *title, const char *kind = "Action",
                   const char *keywords = "")
{
    CommandEntry e;
    e.id = QString::fromUtf8(id);
    e.title = QString::fromUtf8(title);
    e.kind = QString::fromUtf8(kind);
    e.keywords = QString::fromUtf8(keywords);
    return e;
}

CommandIndex consoleIndex()
{
    CommandIndex index;
    index.setEntries({
        entry("page:latency", "Latency", "Page"),
        entry("page:prompts", "Prompts", "Page"),
        entry("page:experiments", "Experiments", "Page"),
        entry("page:routing", "Routing", "Page"),
        entry("page:audit", "Audit log", "Page"),
        entry("action:new-version", "New version", "Action", "prompt edit"),
        entry("action:new-prompt", "New prompt", "Action"),
        entry("action:new-experiment", "New experiment", "Action"),
        entry("model:atlas-xl:disable", "Disable atlas-xl", "Model", "chat support"),
        entry("model:atlas-mini:disable", "Disable atlas-mini", "Model", "chat"),
        entry("model:nova-large:disable", "Disable nova-large", "Model", "extract"),
        entry("route:chat", "Route chat", "Route"),
        entry("prompt:support-reply", "support-reply", "Prompt", "Replies to support tickets"),
        entry("profile:prod-eu", "Switch to prod-eu", "Profile"),
    });
    return index;
}

QStringList titles(const CommandIndex &index, const QString &query, int n = 3)
{
    QStringList out;
    for (const auto &m : index.match(query, n))
        out << index.entry(m.entry).title;
    return out;
}

} // namespace

TEST(CommandIndex, EveryWordMustAppearInOrderButNotTogether)
{
    const CommandIndex index = consoleIndex();
    EXPECT_EQ(
        titles(index, QStringLiteral("dsbl atl"), 5),
        (QStringList{QStringLiteral("Disable atlas-xl"), QStringLiteral("Disable atlas-mini")}));
    EXPECT_TRUE(titles(index, QStringLiteral("xyz")).isEmpty());
    // Letters out of order do not match.
    EXPECT_TRUE(titles(index, QStringLiteral("ltaency")).isEmpty());
}

TEST(CommandIndex, WordsMayComeInAnyOrder)
{
    const CommandIndex index = consoleIndex();
    EXPECT_EQ(titles(index, QStringLiteral("xl disable"), 1),
              QStringList{QStringLiteral("Disable atlas-xl")});
}

TEST(CommandIndex, AnAcronymFindsItsEntryFirst)
{
    const CommandIndex index = consoleIndex();
    EXPECT_EQ(titles(index, QStringLiteral("nv"), 1), QStringList{QStringLiteral("New version")});
    EXPECT_EQ(titles(index, QStringLiteral("ne"), 1),
              QStringList{QStringLiteral("New experiment")});
    EXPECT_EQ(titles(index, QStringLiteral("dax"), 1),
              QStringList{QStringLiteral("Disable atlas-xl")});
}

TEST(CommandIndex, APrefixOfTheTitleBeatsTheSameLettersScattered)
{
    const CommandIndex index = consoleIndex();
    // "pro" starts "Prompts" and sits inside "support-reply" and "New prompt".
    EXPECT_EQ(titles(index, QStringLiteral("pro"), 1), QStringList{QStringLiteral("Prompts")});
    const QStringList rout = titles(index, QStringLiteral("rout"), 2);
    EXPECT_TRUE(rout.contains(QStringLiteral("Routing")) &&
                rout.contains(QStringLiteral("Route chat")))
        << rout.join(QStringLiteral(", ")).toStdString();
}

TEST(CommandIndex, KeywordsAndKindMatchButCountLessThanTheTitle)
{
    const CommandIndex index = consoleIndex();
    // "tickets" is only in support-reply's description.
    EXPECT_EQ(titles(index, QStringLiteral("tickets"), 1),
              QStringList{QStringLiteral("support-reply")});
    // "chat" is in a route's title and in two models' keywords: the title first.
    EXPECT_EQ(titles(index, QStringLiteral("chat"), 3).value(0), QStringLiteral("Route chat"));
    EXPECT_EQ(titles(index, QStringLiteral("chat"), 3).size(), 3);
}

TEST(CommandIndex, RecentChoicesComeFirstAmongEqualMatchesAndOnAnEmptyQuery)
{
    CommandIndex index = consoleIndex();
    const QStringList before = titles(index, QStringLiteral("disable"), 3);
    ASSERT_EQ(before.size(), 3);
    const qint64 now = 1'800'000'000'000;
    index.setRecent({{QStringLiteral("model:nova-large:disable"), now - 60'000},
                     {QStringLiteral("page:audit"), now - 10'000}},
                    now);
    EXPECT_EQ(titles(index, QStringLiteral("disable"), 1),
              QStringList{QStringLiteral("Disable nova-large")});
    // Empty: most recent first, then the rest in the order given.
    EXPECT_EQ(titles(index, QString(), 3),
              (QStringList{QStringLiteral("Audit log"), QStringLiteral("Disable nova-large"),
                           QStringLiteral("Latency")}));
    // A much better match still beats a recent weak one.
    EXPECT_EQ(titles(index, QStringLiteral("lat"), 1), QStringList{QStringLiteral("Latency")});
}

TEST(CommandIndex, HitsMarkTheTitleLettersTheQueryMatched)
{
    const CommandIndex index = consoleIndex();
    const auto m = index.match(QStringLiteral("dax"), 1);
    ASSERT_EQ(m.size(), 1u);
    // D(0) isable a(8) tlas- x(14) l
    EXPECT_EQ(m[0].titleHits, (std::vector<int>{0, 8, 14}));
}

TEST(CommandIndex, CaseAndCamelCaseWordStarts)
{
    CommandIndex index;
    index.setEntries({entry("a", "openLatencyHeatmap"), entry("b", "OpenLegacyHome")});
    // Upper-case letters inside a word start words: both match on them.
    const auto olh = index.match(QStringLiteral("OLH"), 2);
    ASSERT_EQ(olh.size(), 2u);
    for (const auto &m : olh)
        EXPECT_EQ(m.titleHits.size(), 3u);
    EXPECT_EQ(index.match(QStringLiteral("OLH"), 2)[1].titleHits, (std::vector<int>{0, 4, 11}));
    // The letter after a word start, kept together, decides.
    EXPECT_EQ(titles(index, QStringLiteral("olhe"), 1),
              QStringList{QStringLiteral("openLatencyHeatmap")});
}

TEST(CommandIndex, OddInputNeverCrashes)
{
    CommandIndex index = consoleIndex();
    for (const QString &q : {QStringLiteral("   "), QString(QChar(0)), QStringLiteral("🙂"),
                             QString(500, QLatin1Char('a')), QStringLiteral("a b c d e f g h")})
        (void)index.match(q);
    index.setEntries({});
    EXPECT_TRUE(index.match(QStringLiteral("x")).empty());
    EXPECT_TRUE(index.match(QString()).empty());
}

TEST(CommandIndex, TypingLetterByLetterFindsWhatTheWholeQueryFindsAtOnce)
{
    // The index narrows from the previous keystroke's matches; that must be
    // the same as matching the finished query on a fresh index.
    CommandIndex typed = consoleIndex();
    const QString query = QStringLiteral("dis a x");
    for (qsizetype n = 1; n <= query.size(); ++n)
        (void)typed.match(query.left(n));
    const auto narrowed = typed.match(query);
    const auto fresh = consoleIndex().match(query);
    ASSERT_EQ(narrowed.size(), fresh.size());
    for (size_t i = 0; i < fresh.size(); ++i)
        EXPECT_EQ(narrowed[i].entry, fresh[i].entry);
    // Deleting letters widens again.
    EXPECT_EQ(typed.match(QStringLiteral("d")).size(),
              consoleIndex().match(QStringLiteral("d")).size());
}
