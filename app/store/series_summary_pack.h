#pragma once

// A 1 s row's summaries (store/series_rollups.h), packed. Its summaries
// blob (60 entries of counts and float quantiles, ~2.6 KB) is what is left
// of a minute once retention has dropped its per-second sketches, so since
// schema 11 it is written packed and never rewritten (schema 10 packed it
// when compacting).
//
// A packed blob starts with a marker no unpacked blob starts with (those
// start with a slot, 0..59):
// - kPacked (0xfe), the columns layout: the number of entries (varint), then
//   per entry the slot's gap from the last one (varint), the seven counts as
//   zigzagged differences from the entry before, then its quantiles (the
//   latency five when latencyCount > 0, the TTFT three when ttftCount > 0)
//   as zigzagged differences of their float bits from the last entry that
//   had them, all varints. Neighbouring seconds' counts and quantiles are
//   close, so this is about as small as deflate and decodes ~10x faster.
// - kZlibPacked (0xff): the entries' length as a varint, then their zlib
//   stream. Schema 10's compaction wrote it (and schema 11 before the
//   columns); still read.
// Blobs that would not shrink (a second or two), blobs whose entries are not
// all summaries appendSummary() writes, and older rows are stored as they are.

#include <QByteArray>

namespace sb::store::rollup_codec {

inline constexpr char kPacked = char(0xfe);
inline constexpr char kZlibPacked = char(0xff);
inline constexpr qsizetype kMaxUnpacked = 64 * 1024; // 60 entries are far smaller

QByteArray packSummaries(const QByteArray &entries);
// The entries of a stored summaries blob, decoded when packed; empty when a
// packed blob is damaged (a gap, like any damaged row).
QByteArray unpackSummaries(const QByteArray &stored);

} // namespace sb::store::rollup_codec
