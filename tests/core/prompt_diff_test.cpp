// Version diffs as the side-by-side view and the label-move dialog show them:
// lines aligned, changed words found inside changed lines, and the model,
// parameter and variable changes listed.

#include "core/prompt_diff.h"

#include <gtest/gtest.h>

using namespace sb;

namespace {

QString spanText(const QString &line, const DiffSpan &s)
{
    return line.mid(s.start, s.length);
}

} // namespace

TEST(PromptDiff, IdenticalTextsAreAllSameRows)
{
    const TextDiff d = diffText("a\nb\nc", "a\nb\nc");
    EXPECT_TRUE(d.identical());
    ASSERT_EQ(d.rows.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(d.rows[i].kind, DiffRow::Kind::Same);
        EXPECT_EQ(d.rows[i].leftLine, int(i));
        EXPECT_EQ(d.rows[i].rightLine, int(i));
    }
}

TEST(PromptDiff, AChangedLineIsPairedAndOnlyItsChangedWordsAreHighlighted)
{
    const TextDiff d = diffText("You are a support agent.\nAnswer in three short paragraphs.\nBye",
                                "You are a support agent.\nAnswer in two short paragraphs.\nBye");
    ASSERT_EQ(d.rows.size(), 3u);
    EXPECT_EQ(d.changed, 1);
    EXPECT_EQ(d.added, 0);
    EXPECT_EQ(d.removed, 0);
    const DiffRow &r = d.rows[1];
    EXPECT_EQ(r.kind, DiffRow::Kind::Changed);
    ASSERT_EQ(r.leftSpans.size(), 1);
    ASSERT_EQ(r.rightSpans.size(), 1);
    EXPECT_EQ(spanText(r.left, r.leftSpans[0]), "three");
    EXPECT_EQ(spanText(r.right, r.rightSpans[0]), "two");
}

TEST(PromptDiff, AdjacentChangedWordsJoinAcrossASpace)
{
    QList<DiffSpan> a, b;
    diffWords("the reply was shown to users", "the reply is hidden from users", &a, &b);
    ASSERT_EQ(a.size(), 1);
    ASSERT_EQ(b.size(), 1);
    EXPECT_EQ(QString("the reply was shown to users").mid(a[0].start, a[0].length), "was shown to");
    EXPECT_EQ(QString("the reply is hidden from users").mid(b[0].start, b[0].length),
              "is hidden from");
}

TEST(PromptDiff, AVariableRenameHighlightsTheNameInsideTheBraces)
{
    QList<DiffSpan> a, b;
    diffWords("Hi {{customer}}!", "Hi {{customer_name}}!", &a, &b);
    ASSERT_EQ(b.size(), 1);
    EXPECT_EQ(QString("Hi {{customer_name}}!").mid(b[0].start, b[0].length), "customer_name");
}

TEST(PromptDiff, InsertedLinesGetAnEmptyRowOnTheLeftSoLaterLinesStayAligned)
{
    const TextDiff d = diffText("one\nthree", "one\ntwo\nthree");
    ASSERT_EQ(d.rows.size(), 3u);
    EXPECT_EQ(d.added, 1);
    EXPECT_EQ(d.rows[1].kind, DiffRow::Kind::Added);
    EXPECT_EQ(d.rows[1].leftLine, -1);
    EXPECT_EQ(d.rows[1].right, "two");
    EXPECT_EQ(d.rows[2].kind, DiffRow::Kind::Same);
    EXPECT_EQ(d.rows[2].leftLine, 1);
    EXPECT_EQ(d.rows[2].rightLine, 2);
}

TEST(PromptDiff, MoreRemovedThanAddedPairsWhatItCanAndListsTheRestAsRemoved)
{
    const TextDiff d = diffText("keep\nold a\nold b\nold c\nend", "keep\nnew a\nend");
    EXPECT_EQ(d.changed, 1);
    EXPECT_EQ(d.removed, 2);
    ASSERT_EQ(d.rows.size(), 5u);
    EXPECT_EQ(d.rows[1].kind, DiffRow::Kind::Changed);
    EXPECT_EQ(d.rows[2].kind, DiffRow::Kind::Removed);
    EXPECT_EQ(d.rows[2].rightLine, -1);
    EXPECT_EQ(d.rows[3].kind, DiffRow::Kind::Removed);
    EXPECT_EQ(d.rows[4].left, "end");
    // Both directions give mirrored results.
    const TextDiff back = diffText("keep\nnew a\nend", "keep\nold a\nold b\nold c\nend");
    EXPECT_EQ(back.changed, 1);
    EXPECT_EQ(back.added, 2);
}

TEST(PromptDiff, EmptySidesAndUnicodeWork)
{
    EXPECT_EQ(diffText("", "").rows.size(), 1u);
    const TextDiff d = diffText("", QString::fromUtf8("こんにちは {{名前}}\n👋"));
    EXPECT_EQ(d.changed, 1); // the empty line pairs with the first
    EXPECT_EQ(d.added, 1);
    QList<DiffSpan> a, b;
    diffWords(QString::fromUtf8("Grüße 👋 {{名前}}"), QString::fromUtf8("Grüße 🙂 {{名前}}"),
              &a, &b);
    ASSERT_EQ(b.size(), 1);
    EXPECT_EQ(QString::fromUtf8("Grüße 🙂 {{名前}}").mid(b[0].start, b[0].length),
              QString::fromUtf8("🙂"));
}

TEST(PromptDiff, ModelParameterAndVariableChangesAreListedInOrder)
{
    PromptVersion a{.model = "atlas-xl"};
    a.params.temperature = 0.7;
    a.params.maxOutputTokens = 400;
    a.variables = {{"customer_name", "", true, ""},
                   {"product", "", false, "our product"},
                   {"history", "", false, ""}};
    PromptVersion b = a;
    b.model = "atlas-mini";
    b.params.temperature = 0.5;
    b.params.topP = 0.9;
    b.params.maxOutputTokens.reset();
    b.variables = {{"customer_name", "", true, ""},
                   {"product", "", false, "Switchboard"},
                   {"tone", "Voice of the reply", false, "friendly"}};
    const auto c = versionChanges(a, b);
    ASSERT_EQ(c.size(), 7u);
    EXPECT_EQ(c[0], (FieldChange{"model", "atlas-xl", "atlas-mini"}));
    EXPECT_EQ(c[1], (FieldChange{"temperature", "0.7", "0.5"}));
    EXPECT_EQ(c[2], (FieldChange{"top_p", "", "0.9"}));
    EXPECT_EQ(c[3], (FieldChange{"max output tokens", "400", ""}));
    EXPECT_EQ(c[4].field, "variable product");
    EXPECT_TRUE(c[4].to.contains("Switchboard"));
    EXPECT_EQ(c[5], (FieldChange{"variable history", "optional", ""}));
    EXPECT_EQ(c[6].field, "variable tone");
    EXPECT_TRUE(c[6].from.isEmpty());
    EXPECT_TRUE(c[6].to.contains("friendly"));
    EXPECT_TRUE(versionChanges(a, a).empty());
    EXPECT_EQ(describeParams(a.params), "temperature 0.7, max 400 tokens");
    EXPECT_EQ(describeParams({}), "default parameters");
}
