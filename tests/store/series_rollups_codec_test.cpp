// The stored form of rollups (store/series_rollups_codec.h): every bucket
// layout gives back the sketch it was given, summaries give back the point,
// and damaged bytes are refused without reading out of bounds.

#include "../support/deflated_summaries.h"
#include "store/series_rollups_codec.h"
#include "store/series_summary_pack.h"

#include <bit>
#include <gtest/gtest.h>
#include <limits>
#include <random>

namespace sb::test {

namespace codec = store::rollup_codec;

namespace {

LatencySketch sketch(std::mt19937 &rng, int samples, double sigma, bool huge = false)
{
    std::lognormal_distribution<double> d(std::log(90.0), sigma);
    LatencySketch s;
    for (int i = 0; i < samples; ++i)
        s.record(i % 13 == 0 ? 0.0 : d(rng));
    if (huge) {
        for (int i = 0; i < 70'000; ++i)
            s.record(90.0); // one bucket past every nibble and one-byte varint
    }
    return s;
}

std::size_t varintBytes(quint64 v)
{
    std::size_t n = 1;
    for (; v >= 0x80; v >>= 7)
        ++n;
    return n;
}

// The layout the encoder must choose, sized the plain way, bucket by bucket:
// 0 dense, 1 sparse, 2 nibble, 3 Rice (of the counts or, once a count
// passes a nibble, of their differences; at the best of three parameters
// around the mean); the first smallest in the order dense, Rice, sparse,
// nibble.
int smallestLayout(const LatencySketch &s)
{
    const auto &b = s.buckets();
    std::size_t dense = varintBytes(b.size()), sparse = 0, nibble = varintBytes(b.size()),
                populated = 0, gap = 0;
    quint64 total = 0;
    for (uint32_t c : b) {
        dense += varintBytes(c);
        total += c;
        if (c >= 15)
            nibble += varintBytes(c - 15);
        if (c == 0) {
            ++gap;
            continue;
        }
        sparse += varintBytes(gap) + varintBytes(c);
        ++populated;
        gap = 0;
    }
    sparse += varintBytes(populated);
    nibble += (b.size() + 1) / 2;
    const quint64 mean = total / b.size();
    const int k0 = std::max(1, mean == 0 ? 0 : int(std::bit_width(mean)) - 1);
    std::size_t rice = std::numeric_limits<std::size_t>::max();
    for (int k : {k0 - 1, k0, std::min(31, k0 + 1)}) {
        quint64 bits = 0;
        for (uint32_t c : b)
            bits += (c >> k) + 1 + quint64(k);
        rice = std::min(rice, varintBytes(b.size()) + 1 + std::size_t((bits + 7) / 8));
    }
    // Rice codes of the zigzagged differences, once some count passes a nibble.
    std::vector<quint64> deltas;
    quint64 sum = 0;
    uint32_t previous = 0, largest = 0;
    for (uint32_t c : b) {
        const qint64 d = qint64(c) - qint64(previous);
        deltas.push_back((quint64(d) << 1) ^ quint64(d >> 63));
        sum += deltas.back();
        previous = c;
        largest = std::max(largest, c);
    }
    const quint64 meanDelta = sum / b.size();
    const int m = std::max(1, meanDelta == 0 ? 0 : int(std::bit_width(meanDelta)) - 1);
    for (int k : {m - 1, m, std::min(31, m + 1)}) {
        quint64 bits = 0;
        for (quint64 v : deltas)
            bits += (v >> k) + 1 + quint64(k);
        if (largest >= 15)
            rice = std::min(rice, varintBytes(b.size()) + 1 + std::size_t((bits + 7) / 8));
    }
    int layout = 0;
    std::size_t best = dense;
    for (const auto &[l, size] : {std::pair{3, rice}, std::pair{1, sparse}, std::pair{2, nibble}}) {
        if (size < best) {
            layout = l;
            best = size;
        }
    }
    return layout;
}

} // namespace

TEST(SeriesRollupsCodec, TheEncoderPicksTheSmallestLayoutAtEveryCountSize)
{
    // Counts around every size boundary the encoder's sizing shortcuts rely
    // on: nibbles (15), one- and two-byte varints (128, 16384), four bytes
    // (2^21), over a few buckets or many.
    std::mt19937 rng(12);
    int seen[4] = {0, 0, 0, 0};
    for (uint32_t big : {0u, 14u, 15u, 142u, 143u, 200u, 16'398u, 16'399u, 1u << 21, 3u << 22}) {
        for (int samples : {1, 6, 40, 300, 5000}) {
            LatencySketch s = sketch(rng, samples, 0.4);
            std::vector<uint64_t> counts(s.buckets().begin(), s.buckets().end());
            if (big > 0 && !counts.empty())
                counts[counts.size() / 2] = big;
            quint64 n = s.zeroCount();
            for (auto c : counts)
                n += c;
            const auto shaped = LatencySketch::fromParts(s.scale(), s.zeroCount(), s.offset(),
                                                         counts, n, s.sum(), s.min(), s.max());
            ASSERT_TRUE(shaped);
            if (shaped->buckets().empty())
                continue;
            const QByteArray bytes = codec::encodeSketch(*shaped);
            const int layout = quint8(bytes.front()) >> 6;
            EXPECT_EQ(layout, smallestLayout(*shaped)) << big << " " << samples;
            ++seen[layout];
            const auto back = codec::decodeSketch(bytes.constData(), bytes.size());
            ASSERT_TRUE(back && *back == *shaped) << big << " " << samples;
        }
    }
    EXPECT_GT(seen[1], 0); // sparse
    EXPECT_GT(seen[3], 0); // Rice
}

TEST(SeriesRollupsCodec, EveryLayoutGivesBackTheSketchAndTheSmallestWins)
{
    std::mt19937 rng(3);
    // Sparse (few samples), nibble (a busy second), dense (large counts).
    const std::vector<std::pair<int, bool>> shapes = {{5, false}, {300, false}, {20'000, true}};
    std::vector<std::size_t> sizes;
    for (const auto &[n, huge] : shapes) {
        const LatencySketch s = sketch(rng, n, 0.5, huge);
        const QByteArray bytes = codec::encodeSketch(s);
        const auto back = codec::decodeSketch(bytes.constData(), bytes.size());
        ASSERT_TRUE(back) << n;
        EXPECT_EQ(*back, s) << n;
        // Never more than the v1 varint layout: a byte per bucket plus the header.
        EXPECT_LE(std::size_t(bytes.size()), 40 + s.buckets().size() * 3) << n;
        sizes.push_back(std::size_t(bytes.size()));
    }
    EXPECT_LT(sizes[0], 40u); // five samples: a few (gap, count) pairs
    // A busy second: Rice codes, under 3 bits a bucket (the nibble layout took 4).
    const LatencySketch busy = sketch(rng, 300, 0.5);
    EXPECT_LT(std::size_t(codec::encodeSketch(busy).size()), busy.buckets().size() * 3 / 8 + 40);
    // A busy minute (counts in the tens): Rice with a larger parameter, still
    // under a byte a bucket, and back exactly.
    const LatencySketch minute = sketch(rng, 18'000, 0.5);
    const QByteArray bytes = codec::encodeSketch(minute);
    EXPECT_LT(std::size_t(bytes.size()), minute.buckets().size() + 40);
    // Its counts follow a smooth curve: coded as differences (flag 0x80 on
    // the parameter byte after the header and the bucket count).
    EXPECT_EQ(quint8(bytes.front()) >> 6, 3);
    const auto back = codec::decodeSketch(bytes.constData(), bytes.size());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, minute);
}

TEST(SeriesRollupsCodec, SummariesAndSketchesRoundTrip)
{
    std::mt19937 rng(4);
    SeriesAggregate a;
    a.count = 301;
    a.errors = 7;
    a.fallbacks = 12;
    a.tokens = 90'000;
    a.tokenSamples = 290;
    a.latency = sketch(rng, 294, 0.7);
    a.ttft = sketch(rng, 290, 0.4);
    const SeriesPoint p = SeriesStore::summarize(5000, 1000, a);
    QByteArray summary;
    codec::appendSummary(summary, p);
    SeriesPoint back;
    back.timeMs = 5000;
    back.durationMs = 1000;
    ASSERT_TRUE(codec::readSummary(summary.constData(), summary.size(), back));
    EXPECT_EQ(back, p);
    const QByteArray sk = codec::encodeSketches(a);
    SeriesAggregate b;
    ASSERT_TRUE(codec::readSketches(sk.constData(), sk.size(), b));
    EXPECT_EQ(b.latency, a.latency);
    EXPECT_EQ(b.ttft, a.ttft);
    // An errors-only second: no quantiles, no sketches stored.
    SeriesAggregate errors;
    errors.count = errors.errors = 4;
    QByteArray small;
    codec::appendSummary(small, SeriesStore::summarize(0, 1000, errors));
    EXPECT_LE(small.size(), 8);
    EXPECT_EQ(codec::encodeSketches(errors).size(), 2);
}

TEST(SeriesRollupsCodec, DamagedBytesAreRefusedNeverOverread)
{
    std::mt19937 rng(5);
    for (int n : {3, 300, 5000}) {
        const QByteArray good = codec::encodeSketch(sketch(rng, n, 0.9));
        for (qsizetype cut = 0; cut < good.size(); ++cut) {
            // A copy of exactly `cut` bytes, so a sanitizer sees any overread.
            const QByteArray part = good.left(cut);
            EXPECT_FALSE(codec::decodeSketch(part.constData(), part.size())) << n << " " << cut;
        }
        std::uniform_int_distribution<int> byte(0, 255);
        for (int trial = 0; trial < 300; ++trial) {
            QByteArray bad = good;
            bad[std::uniform_int_distribution<qsizetype>(0, bad.size() - 1)(rng)] = char(byte(rng));
            (void)codec::decodeSketch(bad.constData(), bad.size()); // must not crash
            (void)codec::parseEntries(bad);
        }
    }
    QByteArray entries;
    codec::appendEntry(entries, 3, "abc", 3);
    codec::appendEntry(entries, 7, "de", 2);
    const auto parsed = codec::parseEntries(entries);
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->size(), 2u);
    EXPECT_EQ((*parsed)[1].slot, 7);
    EXPECT_EQ(QByteArray((*parsed)[1].data, (*parsed)[1].size), QByteArray("de"));
    EXPECT_FALSE(codec::parseEntries(entries.left(entries.size() - 1)));
    QByteArray unordered;
    codec::appendEntry(unordered, 7, "x", 1);
    codec::appendEntry(unordered, 3, "y", 1);
    EXPECT_FALSE(codec::parseEntries(unordered));
}

TEST(SeriesRollupsCodec, PackedSummariesComeBackExactlyAndDamagedOnesAsAGap)
{
    std::mt19937 rng(8);
    QByteArray entries;
    for (int slot = 0; slot < 60; ++slot) {
        SeriesAggregate a;
        a.count = 300;
        a.latency = sketch(rng, 300, 0.5);
        if (slot % 3 == 0)
            a.ttft = sketch(rng, 40, 1.5); // some seconds stream
        if (slot % 7 == 0) { // a coarser scale: quantiles off the default scale's buckets
            LatencySketch coarse(3);
            coarse.merge(a.latency);
            a.latency = coarse;
        }
        QByteArray one;
        codec::appendSummary(one, SeriesStore::summarize(slot * 1000, 1000, a));
        codec::appendEntry(entries, slot, one.constData(), one.size());
    }
    const QByteArray packed = codec::packSummaries(entries);
    // What packing is for; independent seconds are the worst case for the
    // differences (a real minute's neighbouring seconds are closer).
    EXPECT_LT(packed.size(), entries.size() * 85 / 100);
    EXPECT_EQ(packed.front(), codec::kPacked);
    EXPECT_EQ(codec::unpackSummaries(packed), entries);
    EXPECT_EQ(codec::unpackSummaries(entries), entries); // unpacked rows read as they are
    for (qsizetype cut = 1; cut < packed.size(); ++cut)
        EXPECT_TRUE(codec::unpackSummaries(packed.left(cut)).isEmpty()) << cut;
    QByteArray huge = packed;
    huge[1] = char(0xff); // a claimed length past kMaxUnpacked: refused, nothing allocated
    huge[2] = char(0xff);
    huge[3] = char(0x7f);
    EXPECT_TRUE(codec::unpackSummaries(huge).isEmpty());

    // The deflate layout schema 10 wrote still reads.
    const QByteArray zlibRow = deflatedSummaries(entries);
    EXPECT_EQ(codec::unpackSummaries(zlibRow), entries);
    for (qsizetype cut = 1; cut < zlibRow.size(); ++cut)
        EXPECT_TRUE(codec::unpackSummaries(zlibRow.left(cut)).isEmpty()) << cut;
}

} // namespace sb::test
