// libFuzzer target: the cache's chunk codec (store/series_rollups_codec.h),
// what every series_chunks row is read through. The first byte picks what
// the rest is: 0 one sketch (any of the four bucket layouts), 1 a row's
// sketches blob (entries of two length-prefixed sketches), 2 a row's
// summary blob (entries of counts and quantiles). Whatever decodes must
// behave: a sketch re-encodes to one that decodes equal, with ordered
// quantiles inside [min, max]; a summary re-encodes to the same bytes as
// its own re-encoding; entries come back ascending, inside the blob; 3 a
// stored summaries blob (store/series_summary_pack.h): what unpacks stays
// within kMaxUnpacked and parses like any summaries blob, and an unpacked
// blob (never starting with 0xff) comes back from packing exactly.

#include "fuzz_require.h"
#include "store/series_rollups_codec.h"
#include "store/series_summary_pack.h"

#include <cmath>
#include <cstring>

using sb::fuzz::require;
namespace codec = sb::store::rollup_codec;

namespace {

void checkSketch(const sb::LatencySketch &s)
{
    const QByteArray again = codec::encodeSketch(s);
    const auto back = codec::decodeSketch(again.constData(), again.size());
    require(back && *back == s, "decode(encode(s)) == s");
    require(s.buckets().size() <= sb::LatencySketch::kMaxBuckets, "bucket bound");
    double previous = 0;
    for (double q : {0.0, 0.5, 0.9, 0.99, 1.0}) {
        const double v = s.quantile(q);
        require(std::isfinite(v) && v >= previous && v <= s.max(), "quantiles ordered, <= max");
        previous = v;
    }
}

void entries(const QByteArray &blob, bool sketches)
{
    const auto parsed = codec::parseEntries(blob);
    if (!parsed)
        return;
    int last = -1;
    for (const codec::Entry &e : *parsed) {
        require(e.slot > last && e.slot < 60, "slots ascending within a minute");
        require(e.data >= blob.constData() && e.size >= 0 &&
                    e.data + e.size <= blob.constData() + blob.size(),
                "an entry lies inside its blob");
        last = e.slot;
        if (sketches) {
            sb::SeriesAggregate a;
            if (codec::readSketches(e.data, e.size, a)) {
                checkSketch(a.latency);
                checkSketch(a.ttft);
                const auto latency = codec::readLatency(e.data, e.size);
                require(latency && *latency == a.latency, "readLatency agrees");
                QByteArray re;
                codec::appendSketches(re, a);
                sb::SeriesAggregate b;
                require(codec::readSketches(re.constData(), re.size(), b) &&
                            b.latency == a.latency && b.ttft == a.ttft,
                        "both sketches round-trip");
            }
            continue;
        }
        sb::SeriesPoint p;
        if (!codec::readSummary(e.data, e.size, p))
            continue;
        QByteArray once, twice;
        codec::appendSummary(once, p);
        sb::SeriesPoint q;
        require(codec::readSummary(once.constData(), once.size(), q), "a summary re-reads");
        codec::appendSummary(twice, q);
        require(once == twice, "a summary re-encodes stably");
    }
    // Rebuilt entry by entry, the blob parses to the same entries.
    QByteArray rebuilt;
    for (const codec::Entry &e : *parsed)
        codec::appendEntry(rebuilt, e.slot, e.data, e.size);
    const auto again = codec::parseEntries(rebuilt);
    require(again && again->size() == parsed->size(), "entries rebuild");
}

void packed(const QByteArray &stored)
{
    const QByteArray entriesBlob = codec::unpackSummaries(stored);
    require(entriesBlob.size() <= codec::kMaxUnpacked, "unpacked within its bound");
    const bool isPacked = !stored.isEmpty() && (stored.front() == codec::kPacked ||
                                                stored.front() == codec::kZlibPacked);
    if (isPacked)
        entries(entriesBlob, false);
    else
        require(entriesBlob == stored, "an unpacked blob reads as it is");
    if (stored.isEmpty() || isPacked || stored.size() > codec::kMaxUnpacked)
        return;
    const QByteArray again = codec::packSummaries(stored);
    require(again.size() <= stored.size(), "packing never grows a blob");
    require(codec::unpackSummaries(again) == stored, "unpack(pack(b)) == b");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    switch (data[0] % 4) {
    case 0:
        if (const auto s = codec::decodeSketch(rest.constData(), rest.size()))
            checkSketch(*s);
        break;
    case 1:
        entries(rest, true);
        break;
    case 2:
        entries(rest, false);
        break;
    default:
        packed(rest);
        break;
    }
    return 0;
}
