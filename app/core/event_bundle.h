#pragma once

// The incident bundle: a time range of the timeline as one JSON file, so the
// timeline can be read on another machine ("Import incident"). Decoding
// checks everything and refuses a bad file with one sentence naming what is
// wrong (and which event); it never throws and never crashes (fuzzed in
// tests/fuzz/event_bundle_fuzz.cpp).
//
//   {"format": "switchboard-incident", "version": 1, "origin": "sim",
//    "exported": <ms>, "from": <ms>, "to": <ms>, "events": [ {event}, ... ]}
//
// with each event as core/timeline_event.h's toJson().

#include "core/timeline_event.h"

#include <QByteArray>
#include <optional>

namespace sb {

struct EventBundle
{
    static constexpr int kVersion = 1;
    static constexpr qsizetype kMaxBytes = 64 * 1024 * 1024;
    static constexpr int kMaxEvents = 200000;

    QString origin; // the endpoint (or profile) it was exported from
    qint64 exportedMs = 0;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    std::vector<TimelineEvent> events; // ascending by time
    bool operator==(const EventBundle &) const = default;
};

QByteArray encodeBundle(const EventBundle &bundle);

struct BundleDecode
{
    std::optional<EventBundle> bundle;
    QString error; // one sentence when bundle is empty
};
BundleDecode decodeBundle(const QByteArray &bytes);

// The bundle's events as this console keeps imported ones: the same times,
// kinds, actors, targets and payloads, keyed apart from its own events
// ("import:" + id, so importing twice adds nothing) and marked with where they
// came from (source "import (<file>): <original source>").
std::vector<TimelineEvent> importedEvents(const EventBundle &bundle, const QString &fileName);

} // namespace sb
