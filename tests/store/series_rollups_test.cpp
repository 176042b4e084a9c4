// Series rollups in a real SQLite file: seconds and minutes carry sketches
// (a minute is the merge of its seconds, exactly), a route reads as the merge
// of its series, writing a batch twice counts once, and retention by age and
// by size removes the oldest detail first.

#include "store/series_rollups.h"
#include "store_test_util.h"

#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <random>

namespace sb::test {

namespace {

const QString kSim = QStringLiteral("sim");
const SeriesKey kChatA{QStringLiteral("chat"), QStringLiteral("atlas"), {}};
const SeriesKey kChatB{QStringLiteral("chat"), QStringLiteral("borealis"), {}};
const SeriesKey kEmbed{QStringLiteral("embed"), QStringLiteral("atlas"), {}};
constexpr qint64 kBase = 1'700'000'040'000; // a whole minute

SeriesAggregate aggregate(std::mt19937 &rng, int samples, double scaleMs)
{
    std::lognormal_distribution<double> d(std::log(scaleMs), 0.6);
    SeriesAggregate a;
    for (int i = 0; i < samples; ++i) {
        const double v = d(rng);
        ++a.count;
        if (i % 10 == 9) {
            ++a.errors;
            continue;
        }
        a.latency.record(v);
        a.ttft.record(v / 4);
        a.tokens += 20;
        ++a.tokenSamples;
    }
    a.fallbacks = a.count / 7;
    return a;
}

std::vector<SeriesRollup> seconds(const SeriesKey &key, qint64 fromMs, int n, double scaleMs,
                                  unsigned seed = 1)
{
    std::mt19937 rng(seed);
    std::vector<SeriesRollup> out;
    for (int i = 0; i < n; ++i)
        out.push_back({key, fromMs + i * 1000, aggregate(rng, 50 + i % 7, scaleMs)});
    return out;
}

SeriesQuery query(const SeriesKey &key, qint64 fromMs, qint64 toMs, Resolution r, bool wholeRoute)
{
    static quint64 tags = 0;
    SeriesQuery q;
    q.endpoint = kSim;
    q.route = key.route;
    if (!wholeRoute) {
        q.model = key.model;
        q.variant = key.variant;
    }
    q.fromMs = fromMs;
    q.toMs = toMs;
    q.resolution = r;
    q.tag = ++tags;
    return q;
}

class SeriesRollupsTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        const auto r = openAndWait(m_cache, m_dir.filePath(QStringLiteral("c.sqlite")));
        ASSERT_TRUE(r && r->first);
        const auto empty = pruneSeries(m_cache, keepAll(), kBase);
        ASSERT_TRUE(empty);
        m_emptyBytes = empty->bytesAfter; // the schema's pages, before any rollup
    }
    static SeriesRetention keepAll()
    {
        SeriesRetention none;
        none.secondsMs = none.minutesMs = 1LL << 50;
        none.maxBytes = none.sketchSecondsMs = 0;
        return none;
    }
    QTemporaryDir m_dir;
    Cache m_cache;
    qint64 m_emptyBytes = 0;
};

} // namespace

TEST_F(SeriesRollupsTest, SecondsRoundTripWithTheirSketches)
{
    const auto in = seconds(kChatA, kBase, 90, 120.0);
    m_cache.appendSeriesSeconds(kSim, in);
    const auto out =
        loadSeries(m_cache, query(kChatA, kBase, kBase + 90'000, Resolution::Second, false));
    ASSERT_TRUE(out);
    ASSERT_EQ(out->size(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
        EXPECT_EQ((*out)[i], SeriesStore::summarize(in[i].startMs, 1000, in[i].aggregate)) << i;
}

TEST_F(SeriesRollupsTest, AMinuteIsTheExactMergeOfItsSecondsEvenAcrossBatches)
{
    const auto in = seconds(kChatA, kBase, 120, 80.0);
    // Two batches splitting the first minute, as the controller's flushes do.
    m_cache.appendSeriesSeconds(kSim, {in.begin(), in.begin() + 25});
    m_cache.appendSeriesSeconds(kSim, {in.begin() + 25, in.end()});
    const auto minutes =
        loadSeries(m_cache, query(kChatA, kBase, kBase + 120'000, Resolution::Minute, false));
    ASSERT_TRUE(minutes);
    ASSERT_EQ(minutes->size(), 2u);
    for (int m = 0; m < 2; ++m) {
        SeriesAggregate all;
        for (int s = 0; s < 60; ++s)
            all.merge(in[std::size_t(m * 60 + s)].aggregate);
        EXPECT_EQ((*minutes)[std::size_t(m)],
                  SeriesStore::summarize(kBase + m * 60'000, 60'000, all));
    }
}

TEST_F(SeriesRollupsTest, WritingTheSameSecondsTwiceCountsThemOnce)
{
    const auto in = seconds(kChatA, kBase, 60, 80.0);
    m_cache.appendSeriesSeconds(kSim, in);
    m_cache.appendSeriesSeconds(kSim, in); // a replay
    const auto minutes =
        loadSeries(m_cache, query(kChatA, kBase, kBase + 60'000, Resolution::Minute, false));
    ASSERT_TRUE(minutes);
    ASSERT_EQ(minutes->size(), 1u);
    quint64 count = 0;
    for (const auto &r : in)
        count += r.aggregate.count;
    EXPECT_EQ(minutes->front().count, count);
}

TEST_F(SeriesRollupsTest, ARouteReadsAsTheMergeOfItsSeries)
{
    const auto a = seconds(kChatA, kBase, 10, 50.0, 1);
    const auto b = seconds(kChatB, kBase + 5000, 10, 900.0, 2); // bimodal together
    m_cache.appendSeriesSeconds(kSim, a);
    m_cache.appendSeriesSeconds(kSim, b);
    m_cache.appendSeriesSeconds(kSim, seconds(kEmbed, kBase, 10, 5.0, 3)); // another route
    const auto route =
        loadSeries(m_cache, query(kChatA, kBase, kBase + 60'000, Resolution::Second, true));
    ASSERT_TRUE(route);
    ASSERT_EQ(route->size(), 15u); // seconds 0..14, each once
    SeriesAggregate both = a[7].aggregate;
    both.merge(b[2].aggregate);
    EXPECT_EQ((*route)[7], SeriesStore::summarize(kBase + 7000, 1000, both));
    EXPECT_EQ((*route)[0], SeriesStore::summarize(kBase, 1000, a[0].aggregate));
    const auto one =
        loadSeries(m_cache, query(kChatB, kBase, kBase + 60'000, Resolution::Second, false));
    ASSERT_TRUE(one);
    EXPECT_EQ(one->size(), 10u);
}

TEST_F(SeriesRollupsTest, AHeatmapReadsARoutesSketchesMergedPerSecondAndPerMinute)
{
    const auto a = seconds(kChatA, kBase, 70, 50.0, 1);
    const auto b = seconds(kChatB, kBase + 5000, 10, 900.0, 2);
    m_cache.appendSeriesSeconds(kSim, a);
    m_cache.appendSeriesSeconds(kSim, b);
    const auto secs =
        loadSeriesSketches(m_cache, query(kChatA, kBase, kBase + 60'000, Resolution::Second, true));
    ASSERT_TRUE(secs);
    ASSERT_EQ(secs->size(), 60u); // the first minute's seconds, each once
    LatencySketch both = a[7].aggregate.latency;
    both.merge(b[2].aggregate.latency);
    EXPECT_EQ((*secs)[7].first, kBase + 7000);
    EXPECT_EQ((*secs)[7].second, both); // fast and slow requests of that second
    EXPECT_EQ((*secs)[0].second, a[0].aggregate.latency);
    const auto mins = loadSeriesSketches(
        m_cache, query(kChatA, kBase, kBase + 120'000, Resolution::Minute, false));
    ASSERT_TRUE(mins);
    ASSERT_EQ(mins->size(), 2u);
    LatencySketch first;
    for (int i = 0; i < 60; ++i)
        first.merge(a[std::size_t(i)].aggregate.latency);
    EXPECT_EQ(mins->front().second, first);
    LatencySketch second;
    for (int i = 60; i < 70; ++i)
        second.merge(a[std::size_t(i)].aggregate.latency);
    EXPECT_EQ(mins->back().second, second);
}

TEST_F(SeriesRollupsTest, RetentionDropsOldSecondsFirstAndKeepsTheirMinutes)
{
    m_cache.appendSeriesSeconds(kSim, seconds(kChatA, kBase, 180, 80.0));
    SeriesRetention keep;
    keep.secondsMs = 50'000;  // the newest minute of seconds (rows go by whole minutes)
    keep.minutesMs = 100'000; // the first minute is wholly older
    const qint64 now = kBase + 180'000;
    const auto pruned = pruneSeries(m_cache, keep, now);
    ASSERT_TRUE(pruned);
    EXPECT_EQ(pruned->deletedRows, 2 + 1); // rows: two minutes of seconds, the first minute
    const auto secs = loadSeries(m_cache, query(kChatA, kBase, now, Resolution::Second, false));
    ASSERT_TRUE(secs);
    ASSERT_EQ(secs->size(), 60u);
    EXPECT_EQ(secs->front().timeMs, kBase + 120'000);
    const auto mins = loadSeries(m_cache, query(kChatA, kBase, now, Resolution::Minute, false));
    ASSERT_TRUE(mins);
    ASSERT_EQ(mins->size(), 2u);
    EXPECT_EQ(mins->front().timeMs, kBase + 60'000);
}

TEST_F(SeriesRollupsTest, ASizeBudgetRemovesTheOldestHoursOfSecondsUntilItFits)
{
    // Three hours of one series, in hourly batches.
    for (int h = 0; h < 3; ++h)
        m_cache.appendSeriesSeconds(kSim, seconds(kChatA, kBase + h * 3'600'000, 3600, 80.0));
    SeriesRetention unlimited;
    unlimited.secondsMs = unlimited.minutesMs = 1LL << 50;
    unlimited.maxBytes = 0;
    const auto before = pruneSeries(m_cache, unlimited, kBase);
    ASSERT_TRUE(before);
    EXPECT_EQ(before->deletedRows, 0);
    SeriesRetention tight = unlimited;
    tight.maxBytes = m_emptyBytes + (before->bytesAfter - m_emptyBytes) / 2;
    const auto after = pruneSeries(m_cache, tight, kBase);
    ASSERT_TRUE(after);
    EXPECT_LE(after->bytesAfter, tight.maxBytes);
    EXPECT_GE(after->deletedRows, 60); // at least the oldest hour (a row per minute)
    const auto secs =
        loadSeries(m_cache, query(kChatA, kBase, kBase + 3 * 3'600'000, Resolution::Second, false));
    ASSERT_TRUE(secs);
    ASSERT_FALSE(secs->empty());
    EXPECT_GE(secs->front().timeMs, kBase + 3'600'000); // the oldest went first
    EXPECT_EQ(secs->back().timeMs, kBase + 3 * 3'600'000 - 1000);
    const auto mins =
        loadSeries(m_cache, query(kChatA, kBase, kBase + 3 * 3'600'000, Resolution::Minute, false));
    ASSERT_TRUE(mins);
    EXPECT_EQ(mins->size(), 180u); // minutes outlive their seconds
}

TEST_F(SeriesRollupsTest, SketchesOlderThanADayGoButTheirSecondsAndMinutesStay)
{
    // Two hours of a route's two series two days ago, and ten recent minutes.
    const qint64 recent = kBase + 2 * SeriesRetention::kDayMs;
    std::vector<SeriesRollup> oldA, oldB;
    SeriesRollup late; // a second of the first hour that arrives after the compaction
    for (int h = 0; h < 2; ++h) {
        oldA = seconds(kChatA, kBase + h * 3'600'000, 3600, 80.0, 1 + unsigned(h));
        oldB = seconds(kChatB, kBase + h * 3'600'000, 3600, 900.0, 7 + unsigned(h));
        if (h == 0) {
            late = oldA[30];
            oldA.erase(oldA.begin() + 30);
        }
        m_cache.appendSeriesSeconds(kSim, oldA);
        m_cache.appendSeriesSeconds(kSim, oldB);
    }
    const auto fresh = seconds(kChatA, recent, 600, 80.0, 3);
    m_cache.appendSeriesSeconds(kSim, fresh);
    const qint64 lastHour = kBase + 3'600'000; // oldA/oldB hold this hour
    const auto routeMinutesBefore = loadSeries(
        m_cache, query(kChatA, lastHour, lastHour + 3'600'000, Resolution::Minute, true));
    SeriesRetention keep; // the defaults: 7 days of seconds, their sketches 1 day
    SeriesRetention none;
    none.secondsMs = none.minutesMs = 1LL << 50;
    none.maxBytes = none.sketchSecondsMs = 0;
    const auto before = pruneSeries(m_cache, none, kBase);
    ASSERT_TRUE(before && routeMinutesBefore);

    const auto pruned = pruneSeries(m_cache, keep, recent + 600'000);
    ASSERT_TRUE(pruned);
    EXPECT_EQ(pruned->compactedRows, 2 * 120); // two series x two hours of minutes
    EXPECT_EQ(pruned->deletedRows, 0);
    EXPECT_EQ(before->compactedRows, 0);
    EXPECT_LT(pruned->bytesAfter - m_emptyBytes, (before->bytesAfter - m_emptyBytes) * 2 / 5)
        << "sketches are most of the bytes";

    // One series' chart still reads every old second, unchanged.
    const auto secs = loadSeries(
        m_cache, query(kChatA, lastHour, lastHour + 3'600'000, Resolution::Second, false));
    ASSERT_TRUE(secs);
    ASSERT_EQ(secs->size(), 3600u);
    EXPECT_EQ((*secs)[1234],
              SeriesStore::summarize(oldA[1234].startMs, 1000, oldA[1234].aggregate));
    // The route's minutes (what a route chart and the heatmap read there) are intact.
    const auto routeMinutes = loadSeries(
        m_cache, query(kChatA, lastHour, lastHour + 3'600'000, Resolution::Minute, true));
    ASSERT_TRUE(routeMinutes);
    EXPECT_EQ(*routeMinutes, *routeMinutesBefore);
    const auto heat = loadSeriesSketches(
        m_cache, query(kChatA, lastHour, lastHour + 3'600'000, Resolution::Minute, true));
    ASSERT_TRUE(heat);
    EXPECT_EQ(heat->size(), 60u);
    // Nothing recent is lost: the last ten minutes keep their sketches per second.
    const auto recentSketches = loadSeriesSketches(
        m_cache, query(kChatA, recent, recent + 600'000, Resolution::Second, false));
    ASSERT_TRUE(recentSketches);
    ASSERT_EQ(recentSketches->size(), 600u);
    EXPECT_EQ(recentSketches->back().second, fresh.back().aggregate.latency);
    // A late second into a compacted minute joins its summaries; none is lost.
    m_cache.appendSeriesSeconds(kSim, {oldA.front(), late}); // oldA.front() is a replay
    const auto again =
        loadSeries(m_cache, query(kChatA, kBase, lastHour + 3'600'000, Resolution::Second, false));
    ASSERT_TRUE(again);
    ASSERT_EQ(again->size(), 2 * 3600u);
    EXPECT_EQ((*again)[30], SeriesStore::summarize(late.startMs, 1000, late.aggregate));
    EXPECT_EQ((*again)[31].timeMs, kBase + 31'000);
    // A second pass finds nothing left to do.
    const auto twice = pruneSeries(m_cache, keep, recent + 600'000);
    ASSERT_TRUE(twice);
    EXPECT_EQ(twice->compactedRows, 0);
}

TEST_F(SeriesRollupsTest, ARouteAtOneSecondReadsCompactedMinutesAsWholeMinutes)
{
    // Three minutes of a route's two series two days ago (an old incident),
    // and two recent minutes that keep their per-second sketches.
    const qint64 later = kBase + 2 * SeriesRetention::kDayMs;
    const auto oldA = seconds(kChatA, kBase, 180, 80.0, 1);
    const auto oldB = seconds(kChatB, kBase, 180, 900.0, 2);
    m_cache.appendSeriesSeconds(kSim, oldA);
    m_cache.appendSeriesSeconds(kSim, oldB);
    m_cache.appendSeriesSeconds(kSim, seconds(kChatA, later, 120, 80.0, 3));
    m_cache.appendSeriesSeconds(kSim, seconds(kChatB, later, 120, 900.0, 4));
    const auto minutes =
        loadSeries(m_cache, query(kChatA, kBase, kBase + 180'000, Resolution::Minute, true));
    ASSERT_TRUE(minutes);
    ASSERT_EQ(minutes->size(), 3u);
    const auto pruned = pruneSeries(m_cache, SeriesRetention{}, later + 180'000);
    ASSERT_TRUE(pruned);
    ASSERT_EQ(pruned->compactedRows, 6); // two series x three old minutes

    // The old range at 1 s (what an incident export of it asks): each minute
    // whole, as the merge of both series, not a hole.
    const auto old =
        loadSeries(m_cache, query(kChatA, kBase, kBase + 180'000, Resolution::Second, true));
    ASSERT_TRUE(old);
    EXPECT_EQ(*old, *minutes);
    // From the middle of the old minutes to the recent ones: the minute that
    // holds the start comes whole, then the rest, then every recent second.
    const auto across = loadSeries(
        m_cache, query(kChatA, kBase + 90'000, later + 120'000, Resolution::Second, true));
    ASSERT_TRUE(across);
    ASSERT_EQ(across->size(), 2u + 120u);
    EXPECT_EQ((*across)[0], (*minutes)[1]);
    EXPECT_EQ((*across)[1], (*minutes)[2]);
    EXPECT_EQ((*across)[2].timeMs, later);
    EXPECT_EQ((*across)[2].durationMs, 1000);
    EXPECT_EQ(across->back().timeMs, later + 119'000);
    // One series still reads its old seconds one by one.
    const auto one =
        loadSeries(m_cache, query(kChatB, kBase, kBase + 180'000, Resolution::Second, false));
    ASSERT_TRUE(one);
    EXPECT_EQ(one->size(), 180u);
}

} // namespace sb::test
