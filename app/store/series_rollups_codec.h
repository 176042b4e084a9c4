#pragma once

// The stored form of series rollups (store/series_rollups.h), schema 7
// (the Rice layout since schema 10: a file holding it is refused by older builds).
//
// A chunk row holds one series over one minute: at 1 s up to 60 seconds, at
// 1 min the one minute. It carries two blobs, each a run of entries
// ascending by slot (the interval's index in the chunk, 0..59):
//   slot (1 byte) · payload length (varint) · payload
// - summary: what a chart plots (counts, then the quantiles as float32,
//   exactly SeriesStore::summarize()'s), so a read never decodes a sketch;
// - sketches: the latency and TTFT sketches, lossless, for merges (minutes,
//   whole routes, heatmaps).
// A sketch is encoded in whichever of four bucket layouts is smallest:
// dense varints, sparse (gap, count) pairs, 4-bit counts with varint
// escapes, or Rice codes (a busy second: a few hundred buckets of counts
// 0..3 at about 2 bits each; the parameter follows the mean count, so a busy
// minute's larger counts fit too; since schema 11 optionally of the
// zigzagged differences of neighbouring counts, flag 0x80 on the parameter
// byte: a busy minute's counts follow a smooth curve, so its differences are
// smaller than its counts). sum, min and max stay doubles, so a decoded
// sketch equals the one encoded.
// Decoding rejects malformed bytes (nullopt), never reads out of bounds.

#include "core/series.h"
#include "core/series_store.h"

#include <QByteArray>
#include <optional>
#include <vector>

namespace sb::store::rollup_codec {

QByteArray encodeSketch(const LatencySketch &s);
void appendSketch(QByteArray &out, const LatencySketch &s);
std::optional<LatencySketch> decodeSketch(const char *data, qsizetype size);

// The point's counts and quantiles (its time and duration come from the row).
void appendSummary(QByteArray &out, const SeriesPoint &p);
bool readSummary(const char *data, qsizetype size, SeriesPoint &p);

// Both sketches of one interval, each length-prefixed (0: empty).
QByteArray encodeSketches(const SeriesAggregate &a);
void appendSketches(QByteArray &out, const SeriesAggregate &a);
// Counts come from the summary; only the sketches are read here.
bool readSketches(const char *data, qsizetype size, SeriesAggregate &a);
// The latency sketch alone (the first of the two); nullopt when damaged.
std::optional<LatencySketch> readLatency(const char *data, qsizetype size);

struct Entry
{
    int slot = 0;
    const char *data = nullptr; // into the blob it was parsed from
    qsizetype size = 0;
};
// The entries of a blob, ascending by slot; nullopt when malformed.
std::optional<std::vector<Entry>> parseEntries(const QByteArray &blob);
void appendEntry(QByteArray &out, int slot, const char *data, qsizetype size);

} // namespace sb::store::rollup_codec
