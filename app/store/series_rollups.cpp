#include "store/series_rollups.h"

#include <QByteArray>
#include <bit>
#include <limits>
#include <map>
#include <sqlite3.h>

namespace sb::store {

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

// The stored form of a sketch: LEB128 varints (bucket counts of one second
// are mostly one byte), sum/min/max as raw doubles. About a quarter of
// LatencySketch::serialize()'s fixed four bytes per bucket.
constexpr char kSketchFormat = 1;

void putVarint(QByteArray &out, quint64 v)
{
    while (v >= 0x80) {
        out.append(char(v | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}

void putDouble(QByteArray &out, double d)
{
    const auto bits = std::bit_cast<quint64>(d);
    for (int i = 0; i < 8; ++i)
        out.append(char(bits >> (8 * i)));
}

QByteArray encodeSketch(const LatencySketch &s)
{
    QByteArray out;
    out.reserve(40 + qsizetype(s.buckets().size()) * 2);
    out.append(kSketchFormat);
    putVarint(out, zigzag(s.scale()));
    putVarint(out, zigzag(s.offset()));
    putVarint(out, s.zeroCount());
    putVarint(out, s.count());
    putDouble(out, s.sum());
    putDouble(out, s.min());
    putDouble(out, s.max());
    putVarint(out, s.buckets().size());
    for (uint32_t c : s.buckets())
        putVarint(out, c);
    return out;
}

class Reader
{
public:
    // Reads [from, end) of bytes that must outlive the reader.
    Reader(const char *from, const char *end) : m_p(from), m_end(end) {}
    bool ok() const { return m_ok; }
    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p == m_end) {
                m_ok = false;
                return 0;
            }
            const auto byte = quint8(*m_p++);
            v |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return v;
        }
        m_ok = false;
        return 0;
    }
    qint64 signedVarint()
    {
        const quint64 v = varint();
        return qint64(v >> 1) ^ -qint64(v & 1);
    }
    double real()
    {
        if (m_end - m_p < 8) {
            m_ok = false;
            return 0;
        }
        quint64 bits = 0;
        for (int i = 0; i < 8; ++i)
            bits |= quint64(quint8(m_p[i])) << (8 * i);
        m_p += 8;
        return std::bit_cast<double>(bits);
    }
    bool atEnd() const { return m_p == m_end; }

private:
    const char *m_p;
    const char *m_end;
    bool m_ok = true;
};

std::optional<LatencySketch> decodeSketch(const QByteArray &bytes)
{
    if (bytes.isEmpty() || bytes.front() != kSketchFormat)
        return std::nullopt;
    Reader r(bytes.constData() + 1, bytes.constData() + bytes.size()); // after the format byte
    const qint64 scale = r.signedVarint();
    const qint64 offset = r.signedVarint();
    const quint64 zero = r.varint();
    const quint64 count = r.varint();
    const double sum = r.real();
    const double mn = r.real();
    const double mx = r.real();
    const quint64 n = r.varint();
    if (!r.ok() || n > LatencySketch::kMaxBuckets || scale < LatencySketch::kMinScale ||
        scale > LatencySketch::kMaxScale || offset < std::numeric_limits<int32_t>::min() ||
        offset > std::numeric_limits<int32_t>::max())
        return std::nullopt;
    std::vector<uint64_t> counts(n);
    for (auto &c : counts)
        c = r.varint();
    if (!r.ok() || !r.atEnd())
        return std::nullopt;
    return LatencySketch::fromParts(int(scale), zero, int32_t(offset), counts, count, sum, mn, mx);
}

// An empty sketch is stored as NULL: most TTFT columns of embeddings, errors only.
void bindSketch(Statement &q, int index, const LatencySketch &s)
{
    if (s.count() == 0)
        q.bindNull(index);
    else
        q.bind(index, encodeSketch(s));
}

LatencySketch sketchAt(const Statement &q, int column)
{
    if (q.isNull(column))
        return LatencySketch();
    // A damaged blob reads as empty rather than failing the whole range.
    return decodeSketch(q.blob(column)).value_or(LatencySketch());
}

SeriesAggregate aggregateAt(const Statement &q, int first)
{
    SeriesAggregate a;
    a.count = quint64(q.int64(first));
    a.errors = quint64(q.int64(first + 1));
    a.fallbacks = quint64(q.int64(first + 2));
    a.tokens = quint64(q.int64(first + 3));
    a.tokenSamples = quint64(q.int64(first + 4));
    a.latency = sketchAt(q, first + 5);
    a.ttft = sketchAt(q, first + 6);
    return a;
}

constexpr const char *kInsertSecond =
    "INSERT OR IGNORE INTO series_rollups (series, resolution, start_ms, count, errors, "
    "fallbacks, tokens, token_samples, latency, ttft) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)";
constexpr const char *kUpsertMinute =
    "INSERT OR REPLACE INTO series_rollups (series, resolution, start_ms, count, errors, "
    "fallbacks, tokens, token_samples, latency, ttft) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)";
constexpr const char *kSelectOne =
    "SELECT count, errors, fallbacks, tokens, token_samples, latency, ttft FROM series_rollups "
    "WHERE series=?1 AND resolution=?2 AND start_ms=?3";
constexpr const char *kSelectRange =
    "SELECT start_ms, count, errors, fallbacks, tokens, token_samples, latency, ttft "
    "FROM series_rollups WHERE series=?1 AND resolution=?2 AND start_ms>=?3 AND start_ms<?4 "
    "ORDER BY start_ms";

void bindRow(Statement &q, qint64 id, qint64 resolution, qint64 startMs, const SeriesAggregate &a)
{
    q.bind(1, id)
        .bind(2, resolution)
        .bind(3, startMs)
        .bind(4, qint64(a.count))
        .bind(5, qint64(a.errors))
        .bind(6, qint64(a.fallbacks))
        .bind(7, qint64(a.tokens))
        .bind(8, qint64(a.tokenSamples));
    bindSketch(q, 9, a.latency);
    bindSketch(q, 10, a.ttft);
}

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
    // Remembered only once the row is surely there; a rolled-back insert
    // would otherwise leave a stale id (forget() is called on rollback too).
    m_ids.insert(k, id);
    return id;
}

void SeriesRollups::appendSeconds(const QString &endpoint, const std::vector<SeriesRollup> &seconds)
{
    std::map<std::pair<qint64, qint64>, SeriesAggregate> minutes; // (series, minute) → new part
    Statement &insert = m_db.prepare(kInsertSecond);
    for (const SeriesRollup &r : seconds) {
        const qint64 id = idFor(endpoint, r.key);
        const qint64 t = floorTo(r.startMs, kSecondMs);
        bindRow(insert, id, kSecondMs, t, r.aggregate);
        insert.exec();
        if (sqlite3_changes(m_db.handle()) == 1)
            minutes[{id, floorTo(t, kMinuteMs)}].merge(r.aggregate);
    }
    insert.reset();
    for (auto &[where, part] : minutes) {
        Statement &old = m_db.prepare(kSelectOne);
        old.bind(1, where.first).bind(2, kMinuteMs).bind(3, where.second);
        if (old.step())
            part.merge(aggregateAt(old, 0));
        old.reset();
        Statement &upsert = m_db.prepare(kUpsertMinute);
        bindRow(upsert, where.first, kMinuteMs, where.second, part);
        upsert.exec();
        upsert.reset();
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

std::vector<SeriesPoint> SeriesRollups::load(const SeriesQuery &q)
{
    std::vector<SeriesPoint> out;
    if (q.fromMs >= q.toMs)
        return out;
    const qint64 resolution = q.resolution == Resolution::Minute ? kMinuteMs : kSecondMs;
    const std::vector<qint64> ids = idsFor(q);
    // One read transaction, so a route's series are read at one moment.
    m_db.exec("BEGIN");
    struct EndRead
    {
        Database &db;
        ~EndRead() { sqlite3_exec(db.handle(), "COMMIT", nullptr, nullptr, nullptr); }
    } endRead{m_db};
    std::map<qint64, SeriesAggregate> merged;
    for (qint64 id : ids) {
        Statement &r = m_db.prepare(kSelectRange);
        r.bind(1, id).bind(2, resolution).bind(3, q.fromMs).bind(4, q.toMs);
        if (ids.size() == 1) {
            // One series: summarise row by row, no merge map.
            while (r.step())
                out.push_back(SeriesStore::summarize(r.int64(0), resolution, aggregateAt(r, 1)));
            r.reset();
            return out;
        }
        while (r.step())
            merged[r.int64(0)].merge(aggregateAt(r, 1));
        r.reset();
    }
    out.reserve(merged.size());
    for (const auto &[t, a] : merged)
        out.push_back(SeriesStore::summarize(t, resolution, a));
    return out;
}

std::vector<qint64> SeriesRollups::allIds()
{
    std::vector<qint64> ids;
    Statement &s = m_db.prepare("SELECT id FROM series");
    while (s.step())
        ids.push_back(s.int64(0));
    s.reset();
    return ids;
}

qint64 SeriesRollups::deleteBefore(qint64 resolution, qint64 beforeMs)
{
    qint64 n = 0;
    // Per series, so each delete is a range of the primary key, not a scan.
    for (qint64 id : allIds()) {
        m_db.prepare("DELETE FROM series_rollups WHERE series=?1 AND resolution=?2 "
                     "AND start_ms<?3")
            .bind(1, id)
            .bind(2, resolution)
            .bind(3, beforeMs)
            .exec();
        n += sqlite3_changes(m_db.handle());
    }
    return n;
}

qint64 SeriesRollups::oldest(qint64 resolution)
{
    qint64 oldest = std::numeric_limits<qint64>::max();
    for (qint64 id : allIds()) {
        Statement &q = m_db.prepare("SELECT start_ms FROM series_rollups WHERE series=?1 AND "
                                    "resolution=?2 ORDER BY start_ms LIMIT 1");
        q.bind(1, id).bind(2, resolution);
        if (q.step())
            oldest = std::min(oldest, q.int64(0));
        q.reset();
    }
    return oldest;
}

qint64 SeriesRollups::bytesInUse()
{
    const qint64 pages = m_db.queryInt("PRAGMA page_count");
    const qint64 free = m_db.queryInt("PRAGMA freelist_count");
    return (pages - free) * m_db.queryInt("PRAGMA page_size");
}

SeriesPruneResult SeriesRollups::prune(const SeriesRetention &retention, qint64 nowMs)
{
    SeriesPruneResult result;
    result.deletedRows += deleteBefore(kSecondMs, nowMs - retention.secondsMs);
    result.deletedRows += deleteBefore(kMinuteMs, nowMs - retention.minutesMs);

    // The per-route quantile rows (what the route summary reads offline) age
    // like the seconds; per (endpoint, route) so each delete is a key range.
    std::vector<std::pair<QString, QString>> routes;
    Statement &r = m_db.prepare("SELECT DISTINCT endpoint, route FROM latency_rollups");
    while (r.step())
        routes.emplace_back(r.text(0), r.text(1));
    r.reset();
    for (const auto &[endpoint, route] : routes) {
        m_db.prepare("DELETE FROM latency_rollups WHERE endpoint=?1 AND route=?2 AND "
                     "resolution=1000 AND second_ms<?3")
            .bind(1, endpoint)
            .bind(2, route)
            .bind(3, nowMs - retention.secondsMs)
            .exec();
        result.deletedRows += sqlite3_changes(m_db.handle());
    }

    // Over budget: the oldest detail goes first. Freed pages are reused by
    // later writes, so the file stops growing at about the budget.
    for (int round = 0; retention.maxBytes > 0 && round < 1000; ++round) {
        if (bytesInUse() <= retention.maxBytes)
            break;
        const qint64 sec = oldest(kSecondMs);
        qint64 n = 0;
        if (sec != std::numeric_limits<qint64>::max()) {
            n = deleteBefore(kSecondMs, sec + 3600 * 1000);
        } else {
            const qint64 min = oldest(kMinuteMs);
            if (min == std::numeric_limits<qint64>::max())
                break;
            n = deleteBefore(kMinuteMs, min + SeriesRetention::kDayMs);
        }
        result.deletedRows += n;
        if (n == 0)
            break;
    }
    result.bytesAfter = bytesInUse();
    return result;
}

qint64 SeriesRollups::rowCount()
{
    return m_db.queryInt("SELECT count(*) FROM series_rollups");
}

} // namespace sb::store
