#pragma once

// A summaries blob in the deflate layout (store/series_summary_pack.h,
// marker kZlibPacked): what schema 10's compaction wrote and this build
// still reads. The marker, the entries' length as a varint, then a zlib
// stream (qCompress() puts a 4-byte length before one).

#include "store/series_summary_pack.h"

#include <QByteArray>

namespace sb::test {

inline QByteArray deflatedSummaries(const QByteArray &entries)
{
    QByteArray out(1, store::rollup_codec::kZlibPacked);
    for (quint64 v = quint64(entries.size());; v >>= 7) {
        out.append(char(v >= 0x80 ? (v & 0x7f) | 0x80 : v));
        if (v < 0x80)
            break;
    }
    return out + qCompress(entries, 6).mid(4);
}

} // namespace sb::test
