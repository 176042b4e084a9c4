#pragma once

// A 1 s row's summaries (store/series_rollups.h), packed. Its summaries
// blob (60 entries of counts and float quantiles, ~2.6 KB) is what is left
// of a minute once retention has dropped its per-second sketches, and zlib
// halves it, so since schema 11 it is written packed (retention no longer
// rewrites the row; before, compaction packed it). A packed blob starts with
// kPacked (0xff, never a slot, so no unpacked blob starts with it), then the
// entries' length as a varint and their deflate stream. Blobs that would not
// shrink (a second or two) and older rows are stored as they are.

#include <QByteArray>

namespace sb::store::rollup_codec {

inline constexpr char kPacked = char(0xff);
inline constexpr qsizetype kMaxUnpacked = 64 * 1024; // 60 entries are far smaller

QByteArray packSummaries(const QByteArray &entries);
// The entries of a stored summaries blob, inflated when packed; empty when a
// packed blob is damaged (a gap, like any damaged row).
QByteArray unpackSummaries(const QByteArray &stored);

} // namespace sb::store::rollup_codec
