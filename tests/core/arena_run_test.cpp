// How an arena vote becomes the contract's feedback, and the votes a
// Bradley-Terry ranking is computed from.

#include "core/arena_run.h"

#include <gtest/gtest.h>

using namespace sb;

namespace {

ArenaRun threeColumns()
{
    ArenaRun r;
    r.requestId = QStringLiteral("cmp-1");
    r.experimentId = QStringLiteral("exp-1");
    for (const char *id : {"control", "b", "c"}) {
        ArenaOutput o;
        o.variantId = QString::fromLatin1(id);
        r.outputs.push_back(o);
    }
    return r;
}

} // namespace

TEST(ArenaRun, BestOfThreeIsAPreferenceOverEachOtherColumn)
{
    ArenaRun r = threeColumns();
    r.vote = ArenaVote::Prefer;
    r.preferredVariantId = QStringLiteral("b");
    r.hallucinated = {QStringLiteral("c")};
    const auto f = feedbackFor(r);
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0].kind, FeedbackKind::Preference);
    EXPECT_EQ(f[0].variantId, QStringLiteral("b"));
    EXPECT_EQ(f[0].otherVariantId, QStringLiteral("control"));
    EXPECT_FALSE(f[0].tie);
    EXPECT_EQ(f[1].otherVariantId, QStringLiteral("c"));
    EXPECT_EQ(f[2].kind, FeedbackKind::Hallucination);
    EXPECT_EQ(f[2].variantId, QStringLiteral("c"));
    for (const auto &x : f) {
        EXPECT_EQ(x.subjectId, QStringLiteral("cmp-1"));
        EXPECT_EQ(x.experimentId, QStringLiteral("exp-1"));
        EXPECT_TRUE(x.requestId.startsWith(QStringLiteral("cmp-1/")));
    }
    // Request ids are stable, so sending the same vote again is idempotent.
    EXPECT_EQ(feedbackFor(r)[0].requestId, f[0].requestId);
    EXPECT_NE(f[0].requestId, f[1].requestId);
}

TEST(ArenaRun, TieIsEveryPairTiedAndAllBadIsARatingOfOne)
{
    ArenaRun r = threeColumns();
    r.vote = ArenaVote::Tie;
    const auto tie = feedbackFor(r);
    ASSERT_EQ(tie.size(), 3u); // 3 pairs
    for (const auto &x : tie) {
        EXPECT_EQ(x.kind, FeedbackKind::Preference);
        EXPECT_TRUE(x.tie);
    }
    r.vote = ArenaVote::AllBad;
    const auto bad = feedbackFor(r);
    ASSERT_EQ(bad.size(), 3u);
    for (const auto &x : bad) {
        EXPECT_EQ(x.kind, FeedbackKind::Rating);
        EXPECT_EQ(x.score, 1u);
    }
    r.vote = ArenaVote::None;
    EXPECT_TRUE(feedbackFor(r).empty());
}

TEST(ArenaRun, PairOutcomesForBradleyTerry)
{
    ArenaRun a = threeColumns();
    a.vote = ArenaVote::Prefer;
    a.preferredVariantId = QStringLiteral("c");
    ArenaRun t = threeColumns();
    t.vote = ArenaVote::Tie;
    ArenaRun bad = threeColumns();
    bad.vote = ArenaVote::AllBad;
    const QStringList ids = {QStringLiteral("control"), QStringLiteral("b"), QStringLiteral("c")};
    const auto outcomes = pairOutcomes({a, t, bad}, ids);
    ASSERT_EQ(outcomes.size(), 5u); // c beat 2, 3 tied pairs, nothing from "all bad"
    EXPECT_EQ(outcomes[0].a, 2);
    EXPECT_EQ(outcomes[0].b, 0);
    EXPECT_EQ(outcomes[0].winsA, 1.0);
    EXPECT_EQ(outcomes[2].winsA, 0.5);
    EXPECT_EQ(outcomes[2].winsB, 0.5);
    const auto bt = stats::bradleyTerry(3, outcomes, 0);
    EXPECT_GT(bt.logStrength[2], bt.logStrength[1]);
}
