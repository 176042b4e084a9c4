#include "store/series_summary_pack.h"

#include <zlib.h>

namespace sb::store::rollup_codec {

namespace {

// One deflate state per thread, reset per blob: setting one up (allocating
// and clearing its tables) cost more than packing a minute's summaries. A
// 4 KiB window covers such a blob (60 entries, ~2.6 KB); uncompress() reads
// any window up to 32 KiB, so these read like the compress2() output before.
struct Deflater
{
    z_stream z{};
    bool ok = false;
    Deflater() { ok = deflateInit2(&z, 6, Z_DEFLATED, 12, 5, Z_DEFAULT_STRATEGY) == Z_OK; }
    ~Deflater()
    {
        if (ok)
            deflateEnd(&z);
    }
    Deflater(const Deflater &) = delete;
    Deflater &operator=(const Deflater &) = delete;
};

// Likewise for reading: a day of one series is 1,440 packed blobs.
struct Inflater
{
    z_stream z{};
    bool ok = false;
    Inflater() { ok = inflateInit(&z) == Z_OK; }
    ~Inflater()
    {
        if (ok)
            inflateEnd(&z);
    }
    Inflater(const Inflater &) = delete;
    Inflater &operator=(const Inflater &) = delete;
};

} // namespace

QByteArray packSummaries(const QByteArray &entries)
{
    thread_local Deflater d;
    if (!d.ok || deflateReset(&d.z) != Z_OK)
        return entries; // kept unpacked: still readable
    const uLong bound = deflateBound(&d.z, uLong(entries.size()));
    QByteArray out(qsizetype(1 + 10 + bound), Qt::Uninitialized);
    qsizetype at = 0;
    out[at++] = kPacked;
    for (quint64 v = quint64(entries.size());; v >>= 7) {
        out[at++] = char(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
        if (v < 0x80)
            break;
    }
    d.z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(entries.constData()));
    d.z.avail_in = uInt(entries.size());
    d.z.next_out = reinterpret_cast<Bytef *>(out.data() + at);
    d.z.avail_out = uInt(bound);
    if (deflate(&d.z, Z_FINISH) != Z_STREAM_END)
        return entries;
    const auto size = qsizetype(d.z.total_out);
    if (at + size >= entries.size())
        return entries; // a second or two: packing would not pay
    out.truncate(at + size);
    return out;
}

QByteArray unpackSummaries(const QByteArray &stored)
{
    if (stored.isEmpty() || stored.front() != kPacked)
        return stored;
    quint64 length = 0;
    qsizetype at = 1;
    for (int shift = 0;; shift += 7) {
        if (at >= stored.size() || shift > 21)
            return {};
        const auto byte = quint8(stored[at++]);
        length |= quint64(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            break;
    }
    if (length == 0 || length > quint64(kMaxUnpacked))
        return {};
    thread_local Inflater d;
    if (!d.ok || inflateReset(&d.z) != Z_OK)
        return {};
    QByteArray out(qsizetype(length), Qt::Uninitialized);
    d.z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(stored.constData() + at));
    d.z.avail_in = uInt(stored.size() - at);
    d.z.next_out = reinterpret_cast<Bytef *>(out.data());
    d.z.avail_out = uInt(length);
    // The whole stream, exactly `length` bytes: no more, no less.
    if (inflate(&d.z, Z_FINISH) != Z_STREAM_END || d.z.total_out != length)
        return {};
    return out;
}

} // namespace sb::store::rollup_codec
