#include "store/series_summary_pack.h"

#include <zlib.h>

namespace sb::store::rollup_codec {

QByteArray packSummaries(const QByteArray &entries)
{
    uLongf size = compressBound(uLong(entries.size()));
    QByteArray out(qsizetype(1 + 10 + size), Qt::Uninitialized);
    qsizetype at = 0;
    out[at++] = kPacked;
    for (quint64 v = quint64(entries.size());; v >>= 7) {
        out[at++] = char(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
        if (v < 0x80)
            break;
    }
    if (compress2(reinterpret_cast<Bytef *>(out.data() + at), &size,
                  reinterpret_cast<const Bytef *>(entries.constData()), uLong(entries.size()),
                  6) != Z_OK)
        return entries; // kept unpacked: still readable
    if (at + qsizetype(size) >= entries.size())
        return entries; // a second or two: packing would not pay
    out.truncate(at + qsizetype(size));
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
    QByteArray out(qsizetype(length), Qt::Uninitialized);
    uLongf size = uLongf(length);
    if (uncompress(reinterpret_cast<Bytef *>(out.data()), &size,
                   reinterpret_cast<const Bytef *>(stored.constData() + at),
                   uLong(stored.size() - at)) != Z_OK ||
        size != length)
        return {};
    return out;
}

} // namespace sb::store::rollup_codec
