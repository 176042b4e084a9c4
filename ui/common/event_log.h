#pragma once

// EventLog: the incident timeline (the flight recorder) for the session's
// endpoint. Everything that happens becomes a TimelineEvent here: this
// console's guarded changes (from the action log), others' changes and
// circuit changes (from the watch streams), drills, disconnects (a gap from
// losing the connection to getting it back) and the user's notes. Each event
// is kept in memory (newest first) and written to the cache's events table
// on the cache's worker thread; when the endpoint changes, its events are
// loaded back from the cache, so the timeline works offline. The same event
// reported twice (a change seen locally and on the watch) is one event.
// Widget-free; the Console wires the sources in.

#include "core/timeline_event.h"

#include <QHash>
#include <QObject>
#include <vector>

namespace sb {

class Session;

class EventLog : public QObject
{
    Q_OBJECT
public:
    static constexpr int kLoadLimit = 10000;

    explicit EventLog(Session *session, QObject *parent = nullptr);

    // Upserts by id (supersedes() decides) and writes it to the cache.
    void record(const TimelineEvent &event);
    void record(const std::vector<TimelineEvent> &events);
    // A note at fromMs (a band to toMs when toMs > fromMs), by this user.
    TimelineEvent addNote(const QString &text, qint64 fromMs, qint64 toMs = 0);
    // A drill seen starting (ours) or listed (anyone's): one event per drill
    // id; later sightings only move its end.
    void recordDrill(const Drill &drill, bool ours);
    // A drill stopped before its end.
    void endDrill(const QString &drillId, qint64 atMs);

    // Newest first (this run's and the cache's).
    const std::vector<TimelineEvent> &events() const { return m_events; }
    const TimelineEvent *find(const QString &id) const;
    // Who notes are by: $USER, else "this console".
    static QString localActor();

signals:
    void changed();
    void eventRecorded(const sb::TimelineEvent &event);

private:
    bool upsert(const TimelineEvent &event); // false when nothing changed
    void onLoaded(const QString &endpoint, const std::vector<TimelineEvent> &events);

    Session *m_session;
    std::vector<TimelineEvent> m_events; // newest first
    qint64 m_lostAtMs = 0;               // when the connection went, 0 while connected
};

} // namespace sb
