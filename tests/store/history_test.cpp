// What the Audit page reads from the cache, per endpoint, on real files: the
// service's audit events over a time range (loadAudit), and the console's own
// action log (recordAction/loadActions): committed before it is acknowledged,
// upserted by request id, all or nothing on a full disk, bounded by retention.

#include "store_test_util.h"

#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <sqlite3.h>

namespace sb::test {

namespace {

const QString kA = QStringLiteral("a.example:443");
const QString kB = QStringLiteral("b.example:443");

class HistoryTest : public ::testing::Test
{
protected:
    void SetUp() override { ASSERT_TRUE(m_dir.isValid()); }
    QString path() const { return m_dir.filePath(QStringLiteral("cache.sqlite")); }

    void openOk(Cache &cache)
    {
        const auto result = openAndWait(cache, path());
        ASSERT_TRUE(result.has_value()) << "opened() never came";
        ASSERT_TRUE(result->first) << qPrintable(result->second);
    }

    QTemporaryDir m_dir;
};

} // namespace

TEST_F(HistoryTest, LoadAuditIsNewestFirstPerEndpointWithRangeAndLimit)
{
    std::vector<AuditEvent> a;
    for (int i = 0; i < 700; ++i)
        a.push_back(sampleAudit(i, 1000 + i));
    std::vector<AuditEvent> b{sampleAudit(9001, 5000), sampleAudit(9002, 500)};
    {
        Cache cache;
        openOk(cache);
        // Oldest first and interleaved with b's on purpose.
        cache.saveAuditEvents(kA, {a.begin(), a.begin() + 350});
        cache.saveAuditEvents(kB, b);
        cache.saveAuditEvents(kA, {a.begin() + 350, a.end()});
    }
    Cache cache; // from the file, not from anything in memory
    openOk(cache);

    const auto all = loadAudit(cache, kA);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->first, kA);
    // More than the snapshot carries (kSnapshotAuditLimit).
    ASSERT_EQ(all->second.size(), 700u);
    EXPECT_EQ(all->second.front(), a[699]);
    EXPECT_EQ(all->second.back(), a[0]);
    for (std::size_t i = 1; i < all->second.size(); ++i)
        ASSERT_GT(all->second[i - 1].timeMs, all->second[i].timeMs);

    const auto recent = loadAudit(cache, kA, 1600);
    ASSERT_TRUE(recent);
    ASSERT_EQ(recent->second.size(), 100u); // sinceMs is inclusive
    EXPECT_EQ(recent->second.front(), a[699]);
    EXPECT_EQ(recent->second.back(), a[600]);

    const auto newestTen = loadAudit(cache, kA, 0, 10);
    ASSERT_TRUE(newestTen);
    ASSERT_EQ(newestTen->second.size(), 10u);
    EXPECT_EQ(newestTen->second.back(), a[690]);

    const auto unlimited = loadAudit(cache, kA, 0, 0);
    ASSERT_TRUE(unlimited);
    EXPECT_EQ(unlimited->second.size(), 700u);

    const auto fromB = loadAudit(cache, kB);
    ASSERT_TRUE(fromB);
    EXPECT_EQ(fromB->first, kB);
    EXPECT_EQ(fromB->second, (std::vector<AuditEvent>{b[0], b[1]}));

    const auto none = loadAudit(cache, QStringLiteral("never-seen:1"));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->first, QStringLiteral("never-seen:1"));
    EXPECT_TRUE(none->second.empty());
}

TEST_F(HistoryTest, AuditEventsAtTheSameMillisecondComeNewestIdFirst)
{
    Cache cache;
    openOk(cache);
    cache.saveAuditEvents(kA, {sampleAudit(1, 7), sampleAudit(3, 7), sampleAudit(2, 7)});
    const auto got = loadAudit(cache, kA);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->second,
              (std::vector<AuditEvent>{sampleAudit(3, 7), sampleAudit(2, 7), sampleAudit(1, 7)}));
}

TEST_F(HistoryTest, AuditRetentionKeepsTheNewestPerEndpoint)
{
    Cache cache;
    openOk(cache);
    std::vector<AuditEvent> many;
    for (int i = 0; i < Cache::kAuditRetention + 50; ++i)
        many.push_back(sampleAudit(i, 1000 + i));
    cache.saveAuditEvents(kA, many);
    cache.saveAuditEvents(kB, {sampleAudit(1, 1)}); // older than all of a's, but b's own
    const auto a = loadAudit(cache, kA, 0, 0);
    ASSERT_TRUE(a);
    ASSERT_EQ(a->second.size(), std::size_t(Cache::kAuditRetention));
    EXPECT_EQ(a->second.back(), many[50]);
    const auto b = loadAudit(cache, kB);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->second.size(), 1u);
}

namespace {

QString actionRows(const QString &file, const QString &endpoint, const QString &requestId)
{
    return queryFile(file, QStringLiteral("SELECT count(*) FROM local_actions WHERE endpoint='%1' "
                                          "AND request_id='%2'")
                               .arg(endpoint, requestId));
}

} // namespace

TEST_F(HistoryTest, RecordedActionIsCommittedBeforeItIsAcknowledged)
{
    Cache cache;
    openOk(cache);
    const LocalAction action = sampleAction(1, 1700000000000);

    // Look at the file from another connection the moment the answer
    // arrives, before anything else runs: the row must already be there.
    std::optional<QString> rowsWhenAcknowledged;
    std::optional<ActionRecorded> answer;
    QObject::connect(&cache, &Cache::actionRecorded, &cache,
                     [&](const QString &ep, const QString &id, bool ok, const QString &error) {
                         rowsWhenAcknowledged = actionRows(path(), ep, id);
                         answer = ActionRecorded{ep, id, ok, error};
                     });
    ASSERT_TRUE(recordAction(cache, kA, action));
    ASSERT_TRUE(answer);
    EXPECT_TRUE(answer->ok) << qPrintable(answer->error);
    EXPECT_TRUE(answer->error.isEmpty());
    EXPECT_EQ(answer->endpoint, kA);
    EXPECT_EQ(answer->requestId, action.requestId);
    EXPECT_EQ(rowsWhenAcknowledged, QStringLiteral("1"));

    // A second Cache on the same file (the first still open) reads it back whole.
    Cache other;
    openOk(other);
    const auto loaded = loadActions(other, kA);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->first, kA);
    EXPECT_EQ(loaded->second, std::vector<LocalAction>{action});
}

TEST_F(HistoryTest, ActionsUpsertByEndpointAndRequestIdAndLoadNewestFirst)
{
    Cache cache;
    openOk(cache);
    LocalAction first = sampleAction(1, 1000);
    first.outcome = QStringLiteral("failed");
    first.detail = QStringLiteral("deadline exceeded");
    first.auditId.clear();
    ASSERT_TRUE(recordAction(cache, kA, first));
    // The retry with the same request id lands: its entry replaces the first.
    LocalAction retried = first;
    retried.timeMs = 1500;
    retried.outcome = QStringLiteral("applied");
    retried.detail.clear();
    retried.auditId = QStringLiteral("audit-77");
    ASSERT_TRUE(recordAction(cache, kA, retried));
    // The same request id on another endpoint is another action.
    LocalAction elsewhere = first;
    elsewhere.outcome = QStringLiteral("denied");
    ASSERT_TRUE(recordAction(cache, kB, elsewhere));
    for (int i = 2; i <= 5; ++i)
        cache.recordAction(kA, sampleAction(i, 1000 * i));
    const auto last = recordAction(cache, kA, sampleAction(6, 6000));
    ASSERT_TRUE(last && last->ok) << qPrintable(last ? last->error : QString());

    const auto a = loadActions(cache, kA);
    ASSERT_TRUE(a);
    const std::vector<LocalAction> newestFirst{sampleAction(6, 6000), sampleAction(5, 5000),
                                               sampleAction(4, 4000), sampleAction(3, 3000),
                                               sampleAction(2, 2000), retried};
    EXPECT_EQ(a->second, newestFirst);
    const auto b = loadActions(cache, kB);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->second, std::vector<LocalAction>{elsewhere});

    const auto since = loadActions(cache, kA, 3000);
    ASSERT_TRUE(since);
    EXPECT_EQ(since->second,
              (std::vector<LocalAction>(newestFirst.begin(), newestFirst.begin() + 4)));
    const auto two = loadActions(cache, kA, 0, 2);
    ASSERT_TRUE(two);
    EXPECT_EQ(two->second,
              (std::vector<LocalAction>(newestFirst.begin(), newestFirst.begin() + 2)));
    const auto all = loadActions(cache, kA, 0, 0);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->second.size(), newestFirst.size());
    const auto none = loadActions(cache, QStringLiteral("never-seen:1"));
    ASSERT_TRUE(none);
    EXPECT_EQ(none->first, QStringLiteral("never-seen:1"));
    EXPECT_TRUE(none->second.empty());
}

TEST_F(HistoryTest, RecordActionOnAFullDiskSaysSoAndWritesNothing)
{
    Cache cache;
    WriteFailures failures(cache);
    openOk(cache);
    const LocalAction kept = sampleAction(1, 1000);
    ASSERT_TRUE(recordAction(cache, kA, kept));

    cache.setSizeLimit(1); // frozen at its current size: a full disk as SQLite sees it
    LocalAction big = sampleAction(2, 2000);
    big.detail = QString(300000, QLatin1Char('c')); // a long conflict summary needs new pages
    const auto answer = recordAction(cache, kA, big);
    ASSERT_TRUE(answer);
    EXPECT_FALSE(answer->ok);
    EXPECT_EQ(answer->endpoint, kA);
    EXPECT_EQ(answer->requestId, big.requestId);
    EXPECT_TRUE(answer->error.contains(QStringLiteral("full"))) << qPrintable(answer->error);
    EXPECT_TRUE(answer->error.contains(big.title)) << qPrintable(answer->error);
    EXPECT_TRUE(answer->error.contains(QStringLiteral("local action log")))
        << qPrintable(answer->error);
    // Reported once, on the action's own answer.
    ASSERT_TRUE(flushAndWait(cache));
    EXPECT_TRUE(failures.messages().isEmpty()) << qPrintable(failures.messages().join('\n'));

    // No partial row; the earlier entry is intact; the file is sound.
    EXPECT_EQ(actionRows(path(), kA, big.requestId), QStringLiteral("0"));
    const auto loaded = loadActions(cache, kA);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->second, std::vector<LocalAction>{kept});
    EXPECT_EQ(queryFile(path(), QStringLiteral("PRAGMA integrity_check")), QStringLiteral("ok"));

    // Space is back: the same entry goes in.
    cache.setSizeLimit(0);
    const auto again = recordAction(cache, kA, big);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->ok) << qPrintable(again->error);
    const auto after = loadActions(cache, kA);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->second, (std::vector<LocalAction>{big, kept}));
}

TEST_F(HistoryTest, RecordActionWithoutRequestIdIsRefused)
{
    Cache cache;
    openOk(cache);
    LocalAction action = sampleAction(1, 1000);
    action.requestId.clear();
    const auto answer = recordAction(cache, kA, action);
    ASSERT_TRUE(answer);
    EXPECT_FALSE(answer->ok);
    EXPECT_TRUE(answer->error.contains(QStringLiteral("request id"))) << qPrintable(answer->error);
    EXPECT_EQ(queryFile(path(), QStringLiteral("SELECT count(*) FROM local_actions")),
              QStringLiteral("0"));
}

TEST_F(HistoryTest, RecordActionOnARefusedFileAnswersWithTheReason)
{
    {
        sqlite3 *db = nullptr;
        ASSERT_EQ(sqlite3_open(path().toUtf8().constData(), &db), SQLITE_OK);
        sqlite3_exec(db, "PRAGMA user_version = 99;", nullptr, nullptr, nullptr);
        sqlite3_close(db);
    }
    Cache cache;
    const auto opened = openAndWait(cache, path());
    ASSERT_TRUE(opened && !opened->first);
    const auto answer = recordAction(cache, kA, sampleAction(1, 1000));
    ASSERT_TRUE(answer);
    EXPECT_FALSE(answer->ok);
    EXPECT_TRUE(answer->error.contains(QStringLiteral("newer"))) << qPrintable(answer->error);
    const auto actions = loadActions(cache, kA);
    ASSERT_TRUE(actions);
    EXPECT_TRUE(actions->second.empty());
    const auto audit = loadAudit(cache, kA);
    ASSERT_TRUE(audit);
    EXPECT_TRUE(audit->second.empty());
}

TEST_F(HistoryTest, ActionRetentionKeepsTheNewestPerEndpoint)
{
    {
        Cache cache;
        openOk(cache); // creates the schema
    }
    {
        // A full log, written directly: 10,000 separate recordAction commits
        // would each wait for a disk sync.
        sqlite3 *db = nullptr;
        ASSERT_EQ(sqlite3_open(path().toUtf8().constData(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db,
                               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n "
                               "WHERE i < 10000) INSERT INTO local_actions SELECT "
                               "'a.example:443', printf('old-%05d', i), i, 'model/m', 't', '', "
                               "'', '', 0, 'applied', '', '', 'x' FROM n;"
                               "INSERT INTO local_actions VALUES ('b.example:443', 'b-1', 0, "
                               "'model/m', 't', '', '', '', 0, 'applied', '', '', 'x');",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK)
            << sqlite3_errmsg(db);
        sqlite3_close(db);
    }
    Cache cache;
    openOk(cache);
    for (int i = 1; i <= 3; ++i) {
        const auto answer = recordAction(cache, kA, sampleAction(i, 20000 + i));
        ASSERT_TRUE(answer && answer->ok);
    }
    const auto a = loadActions(cache, kA, 0, 0);
    ASSERT_TRUE(a);
    ASSERT_EQ(a->second.size(), std::size_t(Cache::kActionRetention));
    EXPECT_EQ(a->second.front(), sampleAction(3, 20003));
    EXPECT_EQ(a->second.back().requestId, QStringLiteral("old-00004")); // 1..3 pruned
    const auto b = loadActions(cache, kB);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->second.size(), 1u); // another endpoint's log is not pruned by a's
}

TEST(LocalActionFor, CarriesEveryFieldOfTheChange)
{
    Change c;
    c.kind = ChangeKind::ModelEnabled;
    c.object = QStringLiteral("atlas-xl");
    c.enabled = false;
    c.oldValue = QStringLiteral("enabled");
    c.newValue = QStringLiteral("disabled");
    c.reason = QStringLiteral("p99 at 9 s");
    c.expectedEtag = QStringLiteral("etag-1");
    c.requestId = QStringLiteral("req-1");
    c.revertAfter = std::chrono::minutes(15);
    const LocalAction a = localActionFor(c, 1234, QStringLiteral("alice"));
    EXPECT_EQ(a.requestId, QStringLiteral("req-1"));
    EXPECT_EQ(a.timeMs, 1234);
    EXPECT_EQ(a.target, QStringLiteral("model/atlas-xl"));
    EXPECT_EQ(a.title, QStringLiteral("Disable model atlas-xl"));
    EXPECT_EQ(a.oldValue, QStringLiteral("enabled"));
    EXPECT_EQ(a.newValue, QStringLiteral("disabled"));
    EXPECT_EQ(a.reason, QStringLiteral("p99 at 9 s"));
    EXPECT_EQ(a.revertAfterSec, 900);
    EXPECT_EQ(a.actor, QStringLiteral("alice"));
    EXPECT_TRUE(a.outcome.isEmpty()); // the caller's, once the service has answered
    EXPECT_TRUE(a.auditId.isEmpty());
}

} // namespace sb::test
