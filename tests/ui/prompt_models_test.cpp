// The Prompts page's models under QAbstractItemModelTester with tiny
// fixtures (no sim, no cache): in-place updates that must not reset the view,
// the search and sort roles, labels where they point, label history rows,
// and the local draft's round trip.

#include "ui/prompts/prompt_models.h"
#include "ui/prompts/version_draft.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSignalSpy>
#include <gtest/gtest.h>

using namespace sb;

namespace {

constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

Prompt greeting()
{
    Prompt p{.name = QStringLiteral("greeting"),
             .description = QStringLiteral("Says hi to new customers"),
             .latestVersion = 3,
             .etag = QStringLiteral("e1"),
             .updatedMs = 2000};
    p.labels = {{QStringLiteral("staging"), 3, 1500, QStringLiteral("ana")},
                {QStringLiteral("production"), 2, 1000, QStringLiteral("bo")},
                {QStringLiteral("canary"), 3, 1600, QStringLiteral("ana")}};
    return p;
}

std::vector<PromptVersion> versionsOf(const Prompt &p)
{
    std::vector<PromptVersion> out;
    for (quint32 v = 1; v <= p.latestVersion; ++v)
        out.push_back({.promptName = p.name,
                       .version = v,
                       .templateText = QStringLiteral("Hi {{name}} %1").arg(v),
                       .model = QStringLiteral("atlas-xl"),
                       .author = QStringLiteral("ana"),
                       .message = QStringLiteral("step %1").arg(v),
                       .parentVersion = v == 3 ? 1 : v - 1,
                       .createdMs = qint64(v) * 100});
    return out;
}

} // namespace

TEST(PromptListModel, UpdatesAPromptInPlaceAndAppendsANewOneWithoutAReset)
{
    PromptListModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    m.setPrompts({greeting(), Prompt{.name = QStringLiteral("summary"), .latestVersion = 1}});
    QSignalSpy resets(&m, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    Prompt moved = greeting();
    moved.labels[1].version = 3;
    moved.etag = QStringLiteral("e2");
    m.updatePrompt(moved);
    EXPECT_EQ(resets.count(), 0);
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(m.prompt(QStringLiteral("greeting"))->etag, QStringLiteral("e2"));
    m.updatePrompt(moved); // the same again: nothing to say
    EXPECT_EQ(changed.count(), 1);
    m.updatePrompt(Prompt{.name = QStringLiteral("new-one"), .latestVersion = 1});
    EXPECT_EQ(m.rowCount(), 3);
    EXPECT_EQ(resets.count(), 0);
}

TEST(PromptListModel, SearchRoleHoldsNameDescriptionAndLabelsAndSortKeysAreNumbers)
{
    PromptListModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    m.setPrompts({greeting()});
    const QString filter = m.index(0, 0).data(PromptListModel::FilterRole).toString();
    EXPECT_TRUE(filter.contains(QStringLiteral("greeting")));
    EXPECT_TRUE(filter.contains(QStringLiteral("new customers")));
    EXPECT_TRUE(filter.contains(QStringLiteral("canary")));
    EXPECT_FALSE(filter.contains(QStringLiteral("v3"))) << "versions are not search words";
    EXPECT_EQ(m.index(0, PromptListModel::Latest).data(Qt::UserRole).toUInt(), 3u);
    EXPECT_EQ(m.index(0, PromptListModel::Updated).data(Qt::UserRole).toLongLong(), 2000);
    // Production first, then by name.
    EXPECT_EQ(m.index(0, PromptListModel::Labels).data().toString(),
              QStringLiteral("production v2 · canary v3 · staging v3"));
}

TEST(VersionListModel, NewestFirstLabelsWhereTheyPointAndALabelMoveUpdatesInPlace)
{
    VersionListModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    const Prompt p = greeting();
    m.setVersions(p, versionsOf(p));
    ASSERT_EQ(m.rowCount(), 3);
    EXPECT_EQ(m.versionAt(0)->version, 3u);
    EXPECT_EQ(m.rowOf(1), 2);
    EXPECT_EQ(
        m.index(0, VersionListModel::Labels).data(VersionListModel::LabelsRole).toStringList(),
        (QStringList{QStringLiteral("canary"), QStringLiteral("staging")}));
    EXPECT_EQ(
        m.index(1, VersionListModel::Labels).data(VersionListModel::LabelsRole).toStringList(),
        QStringList{QStringLiteral("production")});
    // v3 was written from v1, not v2: the version column says so.
    EXPECT_EQ(m.index(0, VersionListModel::Version).data().toString(),
              QStringLiteral("v3 (from v1)"));
    EXPECT_EQ(m.index(1, VersionListModel::Version).data().toString(), QStringLiteral("v2"));
    EXPECT_TRUE(m.index(1, VersionListModel::Labels)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("moved by bo")));

    QSignalSpy resets(&m, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    Prompt moved = p;
    moved.labels[1].version = 3;
    m.setPrompt(moved);
    EXPECT_EQ(resets.count(), 0) << "a label move must not lose the selected versions";
    EXPECT_EQ(changed.count(), 1);
    EXPECT_TRUE(m.index(1, VersionListModel::Labels)
                    .data(VersionListModel::LabelsRole)
                    .toStringList()
                    .isEmpty());
    EXPECT_EQ(m.index(0, VersionListModel::Labels)
                  .data(VersionListModel::LabelsRole)
                  .toStringList()
                  .front(),
              QStringLiteral("production"));
    m.clear();
    EXPECT_EQ(m.rowCount(), 0);
}

TEST(LabelHistoryModel, RowsSayWhoMovedWhichLabelFromWhereToWhereAndWhy)
{
    LabelHistoryModel m;
    QAbstractItemModelTester tester(&m, kFatal);
    m.setMoves({{.prompt = QStringLiteral("greeting"),
                 .label = QStringLiteral("production"),
                 .from = 3,
                 .to = 2,
                 .actor = QStringLiteral("bo"),
                 .timeMs = 3000,
                 .reason = QStringLiteral("v3 regressed")},
                {.prompt = QStringLiteral("greeting"),
                 .label = QStringLiteral("production"),
                 .from = 2,
                 .to = 3,
                 .actor = QStringLiteral("ana"),
                 .timeMs = 2000},
                {.prompt = QStringLiteral("greeting"),
                 .label = QStringLiteral("canary"),
                 .from = 0,
                 .to = 3,
                 .actor = QStringLiteral("ana"),
                 .timeMs = 1000}});
    ASSERT_EQ(m.rowCount(), 3);
    EXPECT_EQ(m.index(0, LabelHistoryModel::Move).data().toString(),
              QStringLiteral("v3 → v2 (back)"));
    EXPECT_EQ(m.index(1, LabelHistoryModel::Move).data().toString(), QStringLiteral("v2 → v3"));
    EXPECT_EQ(m.index(2, LabelHistoryModel::Move).data().toString(),
              QStringLiteral("created at v3"));
    EXPECT_EQ(m.index(0, LabelHistoryModel::Actor).data().toString(), QStringLiteral("bo"));
    EXPECT_EQ(m.index(0, LabelHistoryModel::Reason).data().toString(),
              QStringLiteral("v3 regressed"));
    EXPECT_EQ(m.index(0, LabelHistoryModel::Time).data(Qt::UserRole).toLongLong(), 3000);
    QSignalSpy resets(&m, &QAbstractItemModel::modelReset);
    m.setMoves(m.moves()); // unchanged: no reset
    EXPECT_EQ(resets.count(), 0);
    m.setMoves({});
    EXPECT_EQ(m.rowCount(), 0);
}

TEST(VersionDraft, RoundTripsThroughJsonWithUnsetParametersStayingUnset)
{
    VersionDraft d;
    d.prompt = QStringLiteral("greeting");
    d.parentVersion = 3;
    d.expectedEtag = QStringLiteral("e1");
    d.templateText = QString::fromUtf8("Hi {{name}} 👋\n{{#shots}}{{q}}{{/shots}}");
    d.model = QStringLiteral("atlas-xl");
    d.params.temperature = 0.0; // set to zero is not unset
    d.params.maxOutputTokens = 300;
    d.variables = {{QStringLiteral("name"), QStringLiteral("who"), true, {}},
                   {QStringLiteral("shots"), {}, false, QStringLiteral("[]")}};
    d.message = QStringLiteral("wip");
    d.savedMs = 1234;
    const auto back = VersionDraft::fromJson(d.toJson());
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, d);
    EXPECT_FALSE(back->params.topP.has_value());
    EXPECT_FALSE(VersionDraft::fromJson("not json").has_value());
    EXPECT_FALSE(VersionDraft::fromJson("{}").has_value()) << "a draft names its prompt";
    const PromptVersion v = back->toVersion();
    EXPECT_EQ(v.parentVersion, 3u);
    EXPECT_EQ(v.variables.size(), 2u);
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv); // the timeline delegate's model lives with widgets
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
