// Label history read from the audit log's label.move events, and the
// version a rollback goes to.

#include "core/label_history.h"

#include <gtest/gtest.h>

using namespace sb;

namespace {

AuditEvent move(const QString &id, qint64 t, const QString &from, const QString &to,
                const QString &prompt = "support-reply")
{
    return AuditEvent{.id = id,
                      .timeMs = t,
                      .actor = "dev.chen",
                      .role = "admin",
                      .action = "label.move",
                      .target = "prompt/" + prompt,
                      .oldValue = from,
                      .newValue = to,
                      .reason = "why " + id,
                      .requestId = "r-" + id};
}

} // namespace

TEST(LabelHistory, ParsesTheSimsFormatAndLenientVariants)
{
    auto m = labelMoveFrom(move("a1", 10, "production -> 2", "production -> 3"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->prompt, "support-reply");
    EXPECT_EQ(m->label, "production");
    EXPECT_EQ(m->from, 2u);
    EXPECT_EQ(m->to, 3u);
    EXPECT_EQ(m->actor, "dev.chen");
    EXPECT_EQ(m->reason, "why a1");
    m = labelMoveFrom(move("a2", 10, "", "canary → v4"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->from, 0u);
    EXPECT_EQ(m->label, "canary");
    m = labelMoveFrom(move("a3", 10, "v2", "staging: 5"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->from, 2u);
    EXPECT_EQ(m->to, 5u);
}

TEST(LabelHistory, UnreadableOrForeignEventsAreSkippedNotGuessed)
{
    EXPECT_FALSE(labelMoveFrom(move("b1", 1, "production -> 2", "somewhere new")));
    EXPECT_FALSE(labelMoveFrom(move("b2", 1, "staging -> 2", "production -> 3"))); // two labels
    EXPECT_FALSE(labelMoveFrom(move("b3", 1, "", "3")));                           // no label
    AuditEvent route = move("b4", 1, "enabled", "disabled");
    route.action = "fallback.disable";
    route.target = "route/chat";
    EXPECT_FALSE(labelMoveFrom(route));
    AuditEvent version = move("b5", 1, "v1", "v2");
    version.action = "version.create";
    EXPECT_FALSE(labelMoveFrom(version));
}

TEST(LabelHistory, MovesOfOnePromptNewestFirstWithoutDuplicates)
{
    const std::vector<AuditEvent> events{
        move("audit-9", 100, "", "production -> 1"),
        move("audit-12", 300, "production -> 1", "production -> 2"),
        move("audit-10", 200, "", "staging -> 2"),
        move("audit-12", 300, "production -> 1", "production -> 2"), // seen twice
        move("audit-11", 250, "", "production -> 1", "other-prompt"),
    };
    const auto moves = labelMovesOf("support-reply", events);
    ASSERT_EQ(moves.size(), 3u);
    EXPECT_EQ(moves[0].auditId, "audit-12");
    EXPECT_EQ(moves[1].auditId, "audit-10");
    EXPECT_EQ(moves[2].auditId, "audit-9");
}

TEST(LabelHistory, RollbackGoesWhereTheLabelPointedBeforeItsLastMove)
{
    const auto moves =
        labelMovesOf("support-reply", {move("audit-1", 100, "", "production -> 1"),
                                       move("audit-2", 200, "production -> 1", "production -> 2"),
                                       move("audit-3", 250, "", "staging -> 3"),
                                       move("audit-4", 300, "production -> 2", "production -> 3")});
    EXPECT_EQ(previousVersionOf(moves, "production", 3), 2u);
    EXPECT_EQ(previousVersionOf(moves, "staging", 3), std::nullopt); // created, nothing before
    // The history does not end where the label is now: no guess.
    EXPECT_EQ(previousVersionOf(moves, "production", 4), std::nullopt);
    EXPECT_EQ(previousVersionOf({}, "production", 3), std::nullopt);
    // After a rollback, the previous version is the one rolled back from.
    auto after = moves;
    after.insert(after.begin(),
                 *labelMoveFrom(move("audit-5", 400, "production -> 3", "production -> 2")));
    EXPECT_EQ(previousVersionOf(after, "production", 2), 3u);
}
