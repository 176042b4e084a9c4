// The Rice sketch layout and the schema version that marks it (v10), on real
// SQLite files: a version-9 file holding rows in the older nibble layout is
// migrated and its seconds still read back (values and heatmap sketches); a
// file this build wrote is refused by a build that knows only version 9,
// with a message saying it is newer, and left untouched, instead of being
// read as gaps.

#include "store/schema.h"
#include "store/series_rollups_codec.h"
#include "store_test_util.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <random>

namespace sb::test {

namespace {

namespace codec = store::rollup_codec;

const QString kSim = QStringLiteral("sim");
const SeriesKey kChat{QStringLiteral("chat"), QStringLiteral("atlas"), {}};
constexpr qint64 kMinute = 1'700'000'040'000;

void putVarint(QByteArray &out, quint64 v)
{
    for (; v >= 0x80; v >>= 7)
        out.append(char(v | 0x80));
    out.append(char(v));
}

// A sketch as a version-9 build wrote it: the 4-bit layout (2), counts of 15
// and more escaped as varints after the nibbles.
QByteArray nibbleSketch(const LatencySketch &s)
{
    QByteArray out;
    out.append(char((2 << 6) | (s.scale() + 16)));
    putVarint(out, (quint64(qint64(s.offset())) << 1) ^ quint64(qint64(s.offset()) >> 63));
    putVarint(out, s.zeroCount());
    for (double d : {s.sum(), s.min(), s.max()})
        out.append(reinterpret_cast<const char *>(&d), sizeof d);
    const auto &b = s.buckets();
    putVarint(out, b.size());
    for (std::size_t i = 0; i < b.size(); i += 2) {
        const uint32_t lo = std::min<uint32_t>(b[i], 15);
        const uint32_t hi = i + 1 < b.size() ? std::min<uint32_t>(b[i + 1], 15) : 0;
        out.append(char(lo | (hi << 4)));
    }
    for (uint32_t c : b) {
        if (c >= 15)
            putVarint(out, c - 15);
    }
    return out;
}

SeriesAggregate busySecond(std::mt19937 &rng)
{
    std::lognormal_distribution<double> d(std::log(120.0), 0.5);
    SeriesAggregate a;
    for (int i = 0; i < 300; ++i) {
        ++a.count;
        a.latency.record(d(rng));
    }
    return a;
}

QByteArray fileHash(const QString &file)
{
    QFile f(file);
    return f.open(QIODevice::ReadOnly)
               ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256)
               : QByteArray();
}

SeriesQuery chatQuery(Resolution r)
{
    SeriesQuery q;
    q.endpoint = kSim;
    q.route = kChat.route;
    q.model = kChat.model;
    q.variant = kChat.variant;
    q.fromMs = kMinute;
    q.toMs = kMinute + 60'000;
    q.resolution = r;
    return q;
}

} // namespace

TEST(SketchLayoutVersion, AVersion9FileInTheNibbleLayoutIsMigratedAndStillReads)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v9.sqlite"));
    std::mt19937 rng(4);
    std::vector<SeriesAggregate> seconds;
    {
        // What a version-9 console left: one minute of a series at 1 s.
        store::Database db;
        db.open(file);
        store::prepareDatabase(db, store::migrations().first(9));
        db.exec("INSERT INTO series (endpoint, route, model, variant) "
                "VALUES ('sim', 'chat', 'atlas', '')");
        QByteArray summary, sketches;
        for (int slot = 0; slot < 60; ++slot) {
            seconds.push_back(busySecond(rng));
            QByteArray one;
            codec::appendSummary(
                one, SeriesStore::summarize(kMinute + slot * 1000, 1000, seconds.back()));
            codec::appendEntry(summary, slot, one.constData(), one.size());
            const QByteArray latency = nibbleSketch(seconds.back().latency);
            QByteArray both;
            putVarint(both, quint64(latency.size()));
            both.append(latency);
            putVarint(both, 0); // no TTFT
            codec::appendEntry(sketches, slot, both.constData(), both.size());
        }
        db.prepare("INSERT INTO series_chunks VALUES (1, 1000, ?1, ?2, ?3)")
            .bind(1, kMinute)
            .bind(2, summary)
            .bind(3, sketches)
            .exec();
    }
    ASSERT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")), QStringLiteral("9"));

    Cache cache;
    const auto opened = openAndWait(cache, file);
    ASSERT_TRUE(opened && opened->first) << qPrintable(opened ? opened->second : "");
    EXPECT_EQ(queryFile(file, QStringLiteral("PRAGMA user_version")),
              QString::number(store::currentSchemaVersion()));
    // The chart's points are the stored seconds...
    const auto points = loadSeries(cache, chatQuery(Resolution::Second));
    ASSERT_TRUE(points);
    ASSERT_EQ(points->size(), 60u);
    EXPECT_EQ(points->at(7), SeriesStore::summarize(kMinute + 7000, 1000, seconds[7]));
    // ...and the heatmap's sketches decode from the nibble layout, exactly.
    const auto sketches = loadSeriesSketches(cache, chatQuery(Resolution::Second));
    ASSERT_TRUE(sketches);
    ASSERT_EQ(sketches->size(), 60u) << "old-layout seconds read as gaps";
    EXPECT_EQ(sketches->at(7).second, seconds[7].latency);
    // A second written now goes in beside them, in the new layout, and the
    // minute still merges.
    SeriesRollup late{kChat, kMinute + 60'000, busySecond(rng)};
    cache.appendSeriesSeconds(kSim, {late});
    auto next = chatQuery(Resolution::Second);
    next.fromMs = kMinute + 60'000;
    next.toMs = kMinute + 61'000;
    const auto fresh = loadSeriesSketches(cache, next);
    ASSERT_TRUE(fresh && fresh->size() == 1u);
    EXPECT_EQ(fresh->front().second, late.aggregate.latency);
}

TEST(SketchLayoutVersion, AVersion9BuildRefusesAFileThisBuildWroteAsNewer)
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("v10.sqlite"));
    {
        Cache cache;
        const auto opened = openAndWait(cache, file);
        ASSERT_TRUE(opened && opened->first);
        std::mt19937 rng(5);
        cache.appendSeriesSeconds(kSim, {{kChat, kMinute, busySecond(rng)}});
        ASSERT_TRUE(flushAndWait(cache));
    }
    // The stored sketch is Rice-coded (layout 3), which a version-9 decoder
    // cannot read.
    const QByteArray blob = QByteArray::fromHex(
        queryFile(file, QStringLiteral("SELECT hex(sketches) FROM series_second_sketches"))
            .toLatin1());
    const auto entries = codec::parseEntries(blob);
    ASSERT_TRUE(entries && entries->size() == 1u);
    const auto *p = reinterpret_cast<const quint8 *>(entries->front().data);
    const std::size_t lengthBytes = p[0] < 0x80 ? 1 : 2; // the latency sketch's length
    EXPECT_EQ(p[lengthBytes] >> 6, 3) << "not Rice-coded";
    const QByteArray before = fileHash(file);
    store::Database db;
    db.open(file);
    try {
        store::prepareDatabase(db, store::migrations().first(9)); // what a v9 build runs
        FAIL() << "a version-9 build opened a file of this build";
    } catch (const store::SchemaError &e) {
        EXPECT_TRUE(e.message().contains(QStringLiteral("newer Switchboard")))
            << qPrintable(e.message());
        EXPECT_TRUE(e.message().contains(
            QStringLiteral("schema version %1").arg(store::currentSchemaVersion())))
            << qPrintable(e.message());
        EXPECT_TRUE(e.message().contains(QStringLiteral("knows up to 9")))
            << qPrintable(e.message());
    }
    EXPECT_EQ(fileHash(file), before) << "the refused file was modified";
}

} // namespace sb::test
