// History through the real controller, headless: the sim (in-process, real
// gRPC on loopback) streams into a LatencyController with a real cache file;
// the window closes (controller, session and cache gone), a new one opens the
// same file and reads the seconds back exactly as they were shown; then,
// with the clock moved past the retention, the prune timer's job really
// removes the expired seconds and keeps the minutes. Also the retention the
// user types (--history-retention) and its QSettings round trip.

#include "core/series_retention.h"
#include "sim/sim_server.h"
#include "store/cache.h"
#include "ui/latency/latency_controller.h"
#include "ui/session.h"

#include <QApplication>
#include <QDateTime>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <gtest/gtest.h>

using namespace sb;

namespace {

const char *kToken = "retention-test-token-51c2";

bool openCache(Cache &cache, const QString &path)
{
    QSignalSpy opened(&cache, &Cache::opened);
    cache.open(path);
    return opened.wait(30000) && opened.first().first().toBool();
}

// Asks for a range and waits for the answer.
std::optional<std::vector<SeriesPoint>> history(LatencyController &c, const SeriesKey &key,
                                                qint64 from, qint64 to, Resolution r)
{
    QSignalSpy loaded(&c, &LatencyController::historyLoaded);
    if (!c.loadHistory(QStringLiteral("chart"), key.route, key.model, key.variant, from, to, r))
        return std::nullopt;
    if (!loaded.wait(30000))
        return std::nullopt;
    return loaded.first().at(4).value<std::vector<SeriesPoint>>();
}

} // namespace

TEST(LatencyRetention, HistoryRoundTripsThroughTheCacheFileAndThePruneRemovesExpiredSeconds)
{
    sim::SimOptions o;
    o.rate = 200;
    o.tokens[kToken] = {sim::Role::Operator, "alice"};
    sim::SimServer server(o);
    std::string err;
    ASSERT_TRUE(server.start(&err)) << err;
    const QString address = QString::fromStdString(server.address());
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("cache.sqlite"));

    SeriesKey key;
    std::vector<SeriesPoint> shown;
    {
        Cache cache;
        ASSERT_TRUE(openCache(cache, file));
        Session session(&cache);
        LatencyController controller(&session);
        session.connectTo(address, QStringLiteral("sim"), QString::fromLatin1(kToken));
        // A few closed seconds of one series.
        std::optional<SeriesId> id;
        ASSERT_TRUE(QTest::qWaitFor(
            [&] {
                for (SeriesId s : controller.store().seriesIds()) {
                    if (controller.store().secondCount(s) >= 4) {
                        id = s;
                        return true;
                    }
                }
                return false;
            },
            30000));
        key = *controller.store().key(*id);
        shown = controller.store().range(*id, 0, controller.store().newestMs() + 1000,
                                         Resolution::Second);
    } // the window closes: pending seconds written, the cache drained and closed
    ASSERT_GE(shown.size(), 4u);
    const qint64 from = shown.front().timeMs, to = shown.back().timeMs + 1000;

    Cache cache;
    ASSERT_TRUE(openCache(cache, file));
    Session session(&cache);
    LatencyController controller(&session);
    session.connectTo(address, QStringLiteral("sim"), QString::fromLatin1(kToken));
    const auto back = history(controller, key, from, to, Resolution::Second);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->size(), shown.size());
    for (std::size_t i = 0; i < shown.size(); ++i)
        EXPECT_EQ((*back)[i], shown[i]) << i; // counts and quantiles as they were drawn
    const auto minutes = history(controller, key, from - from % 60'000, to, Resolution::Minute);
    ASSERT_TRUE(minutes);
    ASSERT_FALSE(minutes->empty());

    // This window's stream began with a backfill of the last seconds, some
    // of them in [from, to): they reach the cache with its next flush (and
    // are ignored, being stored already). Let that flush pass before the
    // clock jumps, or it would write them back after the prune below.
    QTest::qWait(LatencyController::kCacheFlushMs + 1000);
    // Eight days later (the clock is the one thing faked): seconds (kept 7 d) go, minutes stay.
    SeriesRetention keep;
    keep.secondsMs = 7 * SeriesRetention::kDayMs;
    keep.minutesMs = 90 * SeriesRetention::kDayMs;
    controller.setRetention(keep);
    controller.setClock(
        [] { return QDateTime::currentMSecsSinceEpoch() + 8 * SeriesRetention::kDayMs; });
    QSignalSpy pruned(&cache, &Cache::seriesPruned);
    controller.prune();
    ASSERT_TRUE(pruned.wait(30000));
    EXPECT_GT(pruned.last().first().value<SeriesPruneResult>().deletedRows, 0);
    const auto gone = history(controller, key, from, to, Resolution::Second);
    ASSERT_TRUE(gone);
    EXPECT_TRUE(gone->empty());
    const auto kept = history(controller, key, from - from % 60'000, to, Resolution::Minute);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->size(), minutes->size());
}

TEST(LatencyRetention, WhatTheUserTypesIsCheckedSavedAndRestored)
{
    QString why;
    const auto r = parseRetention(QStringLiteral("2d,30d,512MiB"), &why);
    ASSERT_TRUE(r) << why.toStdString();
    EXPECT_EQ(r->secondsMs, 2 * SeriesRetention::kDayMs);
    EXPECT_EQ(r->minutesMs, 30 * SeriesRetention::kDayMs);
    EXPECT_EQ(r->maxBytes, 512LL << 20);
    EXPECT_EQ(retentionSpec(SeriesRetention{}), QStringLiteral("7d,90d,2GiB"));
    for (const char *bad :
         {"7d,90d", "7x,90d,2GiB", "30d,7d,2GiB", "7d,90d,3MiB", "", "10s,1d,0"}) {
        why.clear();
        EXPECT_FALSE(parseRetention(QString::fromLatin1(bad), &why)) << bad;
        EXPECT_TRUE(why.contains(QStringLiteral("7d,90d,2GiB"))) << why.toStdString();
    }
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    EXPECT_EQ(loadRetention(settings).secondsMs, SeriesRetention{}.secondsMs); // nothing saved
    saveRetention(settings, *r);
    EXPECT_EQ(settings.value(QStringLiteral("history/retention")).toString(),
              QStringLiteral("2d,30d,512MiB"));
    EXPECT_EQ(loadRetention(settings).minutesMs, r->minutesMs);
    settings.setValue(QStringLiteral("history/retention"), QStringLiteral("garbage"));
    EXPECT_EQ(loadRetention(settings).minutesMs, SeriesRetention{}.minutesMs); // damaged: defaults
}

TEST(LatencyRetention, AFourthPartSaysHowLongThePerSecondSketchesStay)
{
    QString why;
    const auto two = parseRetention(QStringLiteral("7d,90d,2GiB,2d"), &why);
    ASSERT_TRUE(two) << why.toStdString();
    EXPECT_EQ(two->sketchSecondsMs, 2 * SeriesRetention::kDayMs);
    EXPECT_EQ(two->secondsMs, 7 * SeriesRetention::kDayMs);
    EXPECT_EQ(retentionSpec(*two), QStringLiteral("7d,90d,2GiB,2d"));
    // Three parts keep the default day; 0 (or as long as the seconds) keeps them all along.
    EXPECT_EQ(parseRetention(QStringLiteral("7d,90d,2GiB"), &why)->sketchSecondsMs,
              SeriesRetention::kDayMs);
    const auto all = parseRetention(QStringLiteral("3d,90d,0,0"), &why);
    ASSERT_TRUE(all) << why.toStdString();
    EXPECT_EQ(all->sketchSecondsMs, 0);
    EXPECT_EQ(retentionSpec(*all), QStringLiteral("3d,90d,0,0"));
    EXPECT_EQ(parseRetention(QStringLiteral("3d,90d,0,5d"), &why)->sketchSecondsMs, 0);
    for (const char *bad : {"7d,90d,2GiB,2x", "7d,90d,2GiB,10s", "7d,90d,2GiB,1d,1d"}) {
        why.clear();
        EXPECT_FALSE(parseRetention(QString::fromLatin1(bad), &why)) << bad;
        EXPECT_TRUE(why.contains(QStringLiteral("SKETCHES"))) << why.toStdString();
    }
    // Saved and restored with the rest.
    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
    saveRetention(settings, *two);
    EXPECT_EQ(loadRetention(settings).sketchSecondsMs, 2 * SeriesRetention::kDayMs);
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
