#include "store/series_rollups.h"

#include "store/series_rollups_codec.h"
#include "store/series_summary_pack.h"

#include <QByteArray>
#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <sqlite3.h>

namespace sb::store {

namespace codec = rollup_codec;

namespace {

qint64 floorTo(qint64 ms, qint64 unit)
{
    return ms - ((ms % unit) + unit) % unit;
}

QString idKey(const QString &endpoint, const SeriesKey &k)
{
    const QChar sep(0x1f);
    return endpoint + sep + k.route + sep + k.model + sep + k.variant;
}

constexpr const char *kSelectChunk = "SELECT summary, sketches FROM series_chunks "
                                     "WHERE series=?1 AND resolution=?2 AND start_ms=?3";
constexpr const char *kWriteChunk =
    "INSERT OR REPLACE INTO series_chunks (series, resolution, start_ms, summary, sketches) "
    "VALUES (?1,?2,?3,?4,?5)";
constexpr const char *kSelectSecondSketches =
    "SELECT sketches FROM series_second_sketches WHERE id=?1";
constexpr const char *kWriteSecondSketches =
    "INSERT OR REPLACE INTO series_second_sketches (id, sketches) VALUES (?1,?2)";
constexpr const char *kSelectSummaries =
    "SELECT start_ms, summary FROM series_chunks WHERE series=?1 AND resolution=?2 "
    "AND start_ms>=?3 AND start_ms<?4 ORDER BY start_ms";
// A row's sketches: a minute's beside its summary, a second's in
// series_second_sketches (none once retention dropped them: NULL).
#define SB_ROW_SKETCHES                                                                            \
    "CASE WHEN c.resolution=1000 THEN s.sketches ELSE c.sketches END FROM series_chunks c "        \
    "LEFT JOIN series_second_sketches s ON c.resolution=1000 AND "                                 \
    "s.id=c.start_ms/60000*16777216+c.series WHERE c.series=?1 AND c.resolution=?2 AND "           \
    "c.start_ms>=?3 AND c.start_ms<?4 ORDER BY c.start_ms"
constexpr const char *kSelectSketches = "SELECT c.start_ms, " SB_ROW_SKETCHES;
constexpr const char *kSelectBoth = "SELECT c.start_ms, c.summary, " SB_ROW_SKETCHES;
#undef SB_ROW_SKETCHES
static_assert(SeriesRollups::kSeriesSpan == 16777216 && SeriesRollups::kChunkMs == 60000,
              "the key in the SQL above");

// One interval of a chunk row, both blobs' entries.
struct Stored
{
    codec::Entry summary;
    codec::Entry sketches;
};

// A row's intervals by slot; empty when the row is damaged (its two blobs
// must list the same slots). A compacted row (sketches dropped after
// SeriesRetention::sketchSecondsMs) has an empty sketches blob: its entries
// carry summaries only (sketches.data null).
std::map<int, Stored> parseRow(const QByteArray &summary, const QByteArray &sketches)
{
    std::map<int, Stored> out;
    const auto a = codec::parseEntries(summary);
    if (a && sketches.isEmpty()) {
        for (const codec::Entry &e : *a)
            out.emplace(e.slot, Stored{e, {}});
        return out;
    }
    const auto b = codec::parseEntries(sketches);
    if (!a || !b || a->size() != b->size())
        return out;
    for (std::size_t i = 0; i < a->size(); ++i) {
        if ((*a)[i].slot != (*b)[i].slot)
            return {};
        out.emplace((*a)[i].slot, Stored{(*a)[i], (*b)[i]});
    }
    return out;
}

// An interval's aggregate back from its entries (nullopt when damaged).
std::optional<SeriesAggregate> aggregateOf(const Stored &s)
{
    SeriesPoint p;
    SeriesAggregate a;
    if (!s.sketches.data)
        return std::nullopt; // compacted: no sketches to merge
    if (!codec::readSummary(s.summary.data, s.summary.size, p) ||
        !codec::readSketches(s.sketches.data, s.sketches.size, a))
        return std::nullopt;
    a.count = p.count;
    a.errors = p.errors;
    a.fallbacks = p.fallbacks;
    a.tokens = p.tokens;
    a.tokenSamples = p.tokenSamples;
    return a;
}

// Blobs being built for one chunk row, slot by slot (ascending).
struct RowBuilder
{
    QByteArray summary;
    QByteArray sketches;
    bool summariesOnly = false; // a compacted row stays one: no sketches added

    void keep(int slot, const Stored &s)
    {
        codec::appendEntry(summary, slot, s.summary.data, s.summary.size);
        if (!summariesOnly)
            codec::appendEntry(sketches, slot, s.sketches.data, s.sketches.size);
    }
    void add(int slot, qint64 timeMs, qint64 durationMs, const SeriesAggregate &a)
    {
        // Each entry is built in a buffer kept across calls (its length goes first).
        thread_local QByteArray one;
        one.resize(0);
        codec::appendSummary(one, SeriesStore::summarize(timeMs, durationMs, a));
        codec::appendEntry(summary, slot, one.constData(), one.size());
        if (summariesOnly)
            return;
        one.resize(0);
        codec::appendSketches(one, a);
        codec::appendEntry(sketches, slot, one.constData(), one.size());
    }
    // A second's row: its summaries packed (they stay as written, retention
    // never rewrites them) and its sketches apart; a minute's: both in one.
    void write(Database &db, qint64 id, qint64 resolution, qint64 startMs) const
    {
        const bool seconds = resolution == SeriesRollups::kSecondMs;
        db.prepare(kWriteChunk)
            .bind(1, id)
            .bind(2, resolution)
            .bind(3, startMs)
            .bind(4, seconds ? codec::packSummaries(summary) : summary)
            .bind(5, seconds ? QByteArray("") : sketches)
            .exec();
        if (!seconds || summariesOnly)
            return;
        db.prepare(kWriteSecondSketches)
            .bind(1, SeriesRollups::secondSketchesKey(id, startMs))
            .bind(2, sketches)
            .exec();
    }
};

} // namespace

qint64 SeriesRollups::idFor(const QString &endpoint, const SeriesKey &key)
{
    const QString k = idKey(endpoint, key);
    if (auto it = m_ids.constFind(k); it != m_ids.constEnd())
        return it.value();
    m_db.prepare("INSERT OR IGNORE INTO series (endpoint, route, model, variant) "
                 "VALUES (?1,?2,?3,?4)")
        .bind(1, endpoint)
        .bind(2, key.route)
        .bind(3, key.model)
        .bind(4, key.variant)
        .exec();
    Statement &q = m_db.prepare(
        "SELECT id FROM series WHERE endpoint=?1 AND route=?2 AND model=?3 AND variant=?4");
    q.bind(1, endpoint).bind(2, key.route).bind(3, key.model).bind(4, key.variant);
    const qint64 id = q.step() ? q.int64(0) : -1;
    q.reset();
    if (id < 0 || id >= kSeriesSpan) // series_second_sketches' key holds 24 bits of it
        throw SqliteError(SQLITE_FULL, "the cache holds too many series (2^24)");
    // Remembered only once the row is surely there; a rolled-back insert
    // would otherwise leave a stale id (forget() is called on rollback too).
    m_ids.insert(k, id);
    return id;
}

void SeriesRollups::writeChunk(qint64 id, qint64 resolution, qint64 startMs,
                               const std::map<int, const SeriesAggregate *> &fresh,
                               SeriesAggregate *inserted)
{
    Statement &old = m_db.prepare(kSelectChunk);
    old.bind(1, id).bind(2, resolution).bind(3, startMs);
    QByteArray oldSummary, oldSketches;
    const bool found = old.step();
    if (found) {
        oldSummary = codec::unpackSummaries(old.blob(0));
        oldSketches = old.blob(1);
    }
    old.reset();
    if (found && resolution == kSecondMs) {
        // Absent once retention dropped them: the row keeps summaries only.
        Statement &s = m_db.prepare(kSelectSecondSketches);
        s.bind(1, secondSketchesKey(id, startMs));
        if (s.step())
            oldSketches = s.blob(0);
        s.reset();
    }
    // A damaged row reads as empty and is replaced by what arrives now.
    const std::map<int, Stored> stored = parseRow(oldSummary, oldSketches);
    RowBuilder row;
    row.summariesOnly = !stored.empty() && !stored.begin()->second.sketches.data;
    bool added = false;
    auto next = fresh.begin();
    auto addNew = [&](int upTo) {
        for (; next != fresh.end() && next->first < upTo; ++next) {
            row.add(next->first, startMs + next->first * resolution, resolution, *next->second);
            added = true;
            if (inserted)
                inserted->merge(*next->second);
        }
    };
    for (const auto &[slot, s] : stored) {
        addNew(slot);
        row.keep(slot, s); // seconds are immutable: a replayed one is ignored
        if (next != fresh.end() && next->first == slot)
            ++next;
    }
    addNew(std::numeric_limits<int>::max());
    if (!added)
        return; // every second was stored already
    row.write(m_db, id, resolution, startMs);
}

void SeriesRollups::mergeMinute(qint64 id, qint64 minuteMs, const SeriesAggregate &part)
{
    Statement &old = m_db.prepare(kSelectChunk);
    old.bind(1, id).bind(2, kMinuteMs).bind(3, minuteMs);
    SeriesAggregate all = part;
    if (old.step()) {
        // The blobs outlive the entries parsed from them.
        const QByteArray summary = codec::unpackSummaries(old.blob(0)), sketches = old.blob(1);
        const auto stored = parseRow(summary, sketches);
        if (auto it = stored.find(0); it != stored.end()) {
            if (const auto a = aggregateOf(it->second))
                all.merge(*a);
        }
    }
    old.reset();
    RowBuilder row;
    row.add(0, minuteMs, kMinuteMs, all);
    row.write(m_db, id, kMinuteMs, minuteMs);
}

void SeriesRollups::appendSeconds(const QString &endpoint, const std::vector<SeriesRollup> &seconds)
{
    // (series, minute) → second of the minute → its aggregate; within one
    // batch the first copy of a second wins, as against the stored ones.
    std::map<std::pair<qint64, qint64>, std::map<int, const SeriesAggregate *>> chunks;
    QHash<SeriesKey, qint64> ids; // this batch's, without building the endpoint's key per row
    for (const SeriesRollup &r : seconds) {
        auto id = ids.constFind(r.key);
        if (id == ids.constEnd())
            id = ids.insert(r.key, idFor(endpoint, r.key));
        const qint64 t = floorTo(r.startMs, kSecondMs);
        const qint64 chunk = floorTo(t, kChunkMs);
        chunks[{id.value(), chunk}].emplace(int((t - chunk) / kSecondMs), &r.aggregate);
    }
    for (const auto &[where, fresh] : chunks) {
        // Only the seconds really added go into their minute, so a replay
        // never counts twice and a minute stays the exact merge of its seconds.
        SeriesAggregate added;
        writeChunk(where.first, kSecondMs, where.second, fresh, &added);
        if (added.count > 0 || added.latency.count() > 0)
            mergeMinute(where.first, where.second, added);
    }
}

std::vector<qint64> SeriesRollups::idsFor(const SeriesQuery &q)
{
    std::vector<qint64> ids;
    Statement &s = m_db.prepare("SELECT id, model, variant FROM series "
                                "WHERE endpoint=?1 AND route=?2");
    s.bind(1, q.endpoint).bind(2, q.route);
    while (s.step()) {
        if (q.model && s.text(1) != *q.model)
            continue;
        if (q.variant && s.text(2) != *q.variant)
            continue;
        ids.push_back(s.int64(0));
    }
    s.reset();
    return ids;
}

void SeriesRollups::readSummaries(qint64 id, qint64 resolution, const SeriesQuery &q,
                                  std::vector<SeriesPoint> &out)
{
    Statement &r = m_db.prepare(kSelectSummaries);
    r.bind(1, id).bind(2, resolution).bind(3, floorTo(q.fromMs, kChunkMs)).bind(4, q.toMs);
    while (r.step()) {
        const qint64 start = r.int64(0);
        const QByteArray blob = codec::unpackSummaries(r.blob(1));
        const auto entries = codec::parseEntries(blob);
        if (!entries)
            continue; // a damaged row is a gap, not a failed range
        for (const codec::Entry &e : *entries) {
            SeriesPoint p;
            p.timeMs = start + e.slot * resolution;
            p.durationMs = resolution;
            if (p.timeMs < q.fromMs || p.timeMs >= q.toMs || !codec::readSummary(e.data, e.size, p))
                continue;
            out.push_back(p);
        }
    }
    r.reset();
}

void SeriesRollups::mergeRange(qint64 id, qint64 resolution, const SeriesQuery &q,
                               std::map<qint64, SeriesAggregate> &merged,
                               std::set<qint64> *compacted)
{
    Statement &r = m_db.prepare(kSelectBoth);
    r.bind(1, id).bind(2, resolution).bind(3, floorTo(q.fromMs, kChunkMs)).bind(4, q.toMs);
    while (r.step()) {
        const qint64 start = r.int64(0);
        const QByteArray summary = codec::unpackSummaries(r.blob(1)), sketches = r.blob(2);
        for (const auto &[slot, s] : parseRow(summary, sketches)) {
            const qint64 t = start + slot * resolution;
            if (t < q.fromMs || t >= q.toMs)
                continue;
            if (!s.sketches.data && compacted) {
                compacted->insert(start); // the whole row is summaries only
                break;
            }
            if (const auto a = aggregateOf(s))
                merged[t].merge(*a);
        }
    }
    r.reset();
}

namespace {

// One read transaction, so the rows of several series are read at one moment;
// it ends (COMMIT) however the read returns.
struct ReadTransaction
{
    explicit ReadTransaction(Database &db) : db(db) { db.exec("BEGIN"); }
    ~ReadTransaction() { sqlite3_exec(db.handle(), "COMMIT", nullptr, nullptr, nullptr); }
    ReadTransaction(const ReadTransaction &) = delete;
    ReadTransaction &operator=(const ReadTransaction &) = delete;
    Database &db;
};

} // namespace

std::vector<SeriesPoint> SeriesRollups::load(const SeriesQuery &q)
{
    std::vector<SeriesPoint> out;
    if (q.fromMs >= q.toMs)
        return out;
    const qint64 resolution = q.resolution == Resolution::Minute ? kMinuteMs : kSecondMs;
    const std::vector<qint64> ids = idsFor(q);
    // One read transaction, so a route's series are read at one moment.
    const ReadTransaction read(m_db);
    if (ids.size() == 1) {
        // One series: its stored summaries, no sketch decoded.
        out.reserve(std::size_t(std::min<qint64>((q.toMs - q.fromMs) / resolution + 1, 1 << 20)));
        readSummaries(ids.front(), resolution, q, out);
        return out;
    }
    std::map<qint64, SeriesAggregate> merged;
    std::set<qint64> compacted; // minutes whose seconds kept no sketches
    for (qint64 id : ids)
        mergeRange(id, resolution, q, merged, resolution == kSecondMs ? &compacted : nullptr);
    out.reserve(merged.size() + compacted.size());
    for (const auto &[t, a] : merged) {
        if (!compacted.count(floorTo(t, kChunkMs))) // else the minute stands for it
            out.push_back(SeriesStore::summarize(t, resolution, a));
    }
    if (compacted.empty())
        return out;
    // A route's seconds there cannot be merged any more: its minute, whole
    // (one point of 60 s, which may start before fromMs), so the range has no
    // hole. One read of the minutes that span them, per series.
    SeriesQuery span = q;
    span.fromMs = *compacted.begin();
    span.toMs = *compacted.rbegin() + kMinuteMs;
    std::map<qint64, SeriesAggregate> whole;
    for (qint64 id : ids)
        mergeRange(id, kMinuteMs, span, whole, nullptr);
    for (const qint64 minute : compacted) {
        if (auto it = whole.find(minute); it != whole.end())
            out.push_back(SeriesStore::summarize(minute, kMinuteMs, it->second));
    }
    std::sort(out.begin(), out.end(),
              [](const SeriesPoint &a, const SeriesPoint &b) { return a.timeMs < b.timeMs; });
    return out;
}

TimedSketches SeriesRollups::loadSketches(const SeriesQuery &q)
{
    if (q.fromMs >= q.toMs)
        return {};
    const qint64 resolution = q.resolution == Resolution::Minute ? kMinuteMs : kSecondMs;
    const std::vector<qint64> ids = idsFor(q);
    const ReadTransaction read(m_db);
    std::map<qint64, LatencySketch> merged;
    for (qint64 id : ids) {
        Statement &r = m_db.prepare(kSelectSketches);
        r.bind(1, id).bind(2, resolution).bind(3, floorTo(q.fromMs, kChunkMs)).bind(4, q.toMs);
        while (r.step()) {
            const qint64 start = r.int64(0);
            const QByteArray blob = r.blob(1);
            const auto entries = codec::parseEntries(blob);
            if (!entries)
                continue; // a damaged row is a gap
            for (const codec::Entry &e : *entries) {
                const qint64 t = start + e.slot * resolution;
                if (t < q.fromMs || t >= q.toMs)
                    continue;
                if (auto sketch = codec::readLatency(e.data, e.size); sketch && sketch->count())
                    merged[t].merge(*sketch);
            }
        }
        r.reset();
    }
    return {std::make_move_iterator(merged.begin()), std::make_move_iterator(merged.end())};
}

qint64 SeriesRollups::rowCount()
{
    return m_db.queryInt("SELECT count(*) FROM series_chunks");
}

} // namespace sb::store
