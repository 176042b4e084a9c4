#pragma once

// TimelineEvent: one entry of the incident timeline (the flight recorder):
// what happened when, who did it, where it was seen and what it was about.
// The console's own guarded changes, changes by others from the watch
// streams, circuits opening and closing, drills, gaps in the connection,
// alerts and the user's notes all become one of these, kept per endpoint in
// the cache's events table and drawn on the Timeline page and the charts.
//
// `id` is the event's key within an endpoint, so the same thing seen twice is
// one event: a change is keyed by its request id whether it comes from this
// console's action log or back on the watch stream, a drill by its id, a gap
// by when it began. When both report it, the console's own record wins
// (supersedes()).
//
// No credentials belong here (the table is plain SQLite): payloads carry what
// the action log and the audit events carry, nothing from headers.

#include "core/local_action.h"
#include "core/types.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <optional>
#include <vector>

namespace sb {

enum class EventKind
{
    LocalChange,  // this console's guarded change (routing, labels, experiments)
    OthersChange, // a change by someone else, from a watch stream
    Circuit,      // a circuit breaker opened or closed
    Drill,        // a rehearsal (a range: start to end)
    Gap,          // the connection was lost (a range: disconnect to reconnect)
    Alert,        // an SLO alert
    Note,         // the user's note (a point or a range)
    NB_KINDS
};

// Stable names, as stored and exported: "local-change", "others-change",
// "circuit", "drill", "gap", "alert", "note".
QString kindName(EventKind kind);
std::optional<EventKind> kindFromName(QStringView name);
// For people: "Local change", "Others' change", ...
QString kindLabel(EventKind kind);

struct TimelineEvent
{
    QString id;        // unique within an endpoint; see the file comment
    qint64 timeMs = 0; // when it happened (a range: when it began)
    qint64 endMs = 0;  // a range's end; 0 = a point (or a range still open)
    EventKind kind = EventKind::Note;
    QString actor;       // who: "alice", "circuit-breaker", "you"
    QString source;      // where it was seen: "local", "watch:routing", "import (file)"
    QString target;      // what it is about: "route/chat", "model/atlas-xl"
    QString summary;     // one line for people
    QJsonObject payload; // the rest (old/new value, reason, request id, ...)

    bool isRange() const { return endMs > timeMs; }
    bool operator==(const TimelineEvent &) const = default;
};

// Whether `incoming` replaces `existing` (same id): always, except that a
// change seen on a watch stream never replaces this console's own record of it.
bool supersedes(const TimelineEvent &incoming, const TimelineEvent &existing);

// The events for what the console and the streams report. Keys: "change:" +
// request id (else "audit:" + the audit id), "drill:" + id, "gap:" + start.
TimelineEvent eventFromLocalAction(const LocalAction &action);
// A routing or prompt-label change from a watch stream (circuit.* actions
// become Circuit events); source e.g. "watch:routing".
TimelineEvent eventFromAudit(const AuditEvent &event, const QString &source);
TimelineEvent eventFromDrill(const Drill &drill, const QString &actor, const QString &source);
TimelineEvent gapEvent(qint64 fromMs, qint64 toMs, const QString &detail);
// A note at fromMs (a band to toMs when toMs > fromMs); id from fromMs and the text.
TimelineEvent noteEvent(const QString &text, qint64 fromMs, qint64 toMs, const QString &actor);

// The event as one JSON object (the bundle's and the events table's shape)
// and back; nullopt with why for anything malformed.
QJsonObject toJson(const TimelineEvent &event);
std::optional<TimelineEvent> eventFromJson(const QJsonObject &object, QString *why);

} // namespace sb

Q_DECLARE_METATYPE(sb::TimelineEvent)
