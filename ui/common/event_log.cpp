#include "ui/common/event_log.h"

#include "core/clock.h"
#include "store/cache.h"
#include "ui/session.h"

#include <QDateTime>
#include <algorithm>
#include <limits>

namespace sb {

namespace {

qint64 now()
{
    return clock::nowMs();
}

} // namespace

EventLog::EventLog(Session *session, QObject *parent) : QObject(parent), m_session(session)
{
    connect(session, &Session::endpointChanged, this, [this] {
        m_events.clear();
        m_lostAtMs = 0;
        emit changed();
        if (auto *cache = m_session->cache())
            cache->loadEvents(m_session->endpointKey(), 0, std::numeric_limits<qint64>::max(),
                              kLoadLimit);
    });
    connect(session, &Session::disconnected, this, [this] {
        m_lostAtMs = now();
        record(gapEvent(m_lostAtMs, 0, m_session->problem()));
    });
    connect(session, &Session::connected, this, [this] {
        if (!m_lostAtMs)
            return;
        const TimelineEvent *open = find(gapEvent(m_lostAtMs, 0, {}).id);
        TimelineEvent gap = gapEvent(m_lostAtMs, now(), {});
        if (open)
            gap.payload = open->payload;
        m_lostAtMs = 0;
        record(gap);
    });
    if (auto *cache = session->cache()) {
        connect(cache, &Cache::eventsLoaded, this,
                [this](const QString &endpoint, qint64, qint64,
                       const std::vector<TimelineEvent> &events) { onLoaded(endpoint, events); });
    }
}

QString EventLog::localActor()
{
    const QString user = qEnvironmentVariable("USER");
    return user.isEmpty() ? tr("this console") : user;
}

const TimelineEvent *EventLog::find(const QString &id) const
{
    for (const auto &e : m_events) {
        if (e.id == id)
            return &e;
    }
    return nullptr;
}

bool EventLog::upsert(const TimelineEvent &event)
{
    for (auto it = m_events.begin(); it != m_events.end(); ++it) {
        if (it->id != event.id)
            continue;
        if (*it == event || !supersedes(event, *it))
            return false;
        m_events.erase(it);
        break;
    }
    auto at = std::find_if(m_events.begin(), m_events.end(),
                           [&](const TimelineEvent &e) { return e.timeMs <= event.timeMs; });
    m_events.insert(at, event);
    return true;
}

void EventLog::record(const TimelineEvent &event)
{
    record(std::vector<TimelineEvent>{event});
}

void EventLog::record(const std::vector<TimelineEvent> &events)
{
    std::vector<TimelineEvent> changedEvents;
    for (const auto &e : events) {
        if (e.id.isEmpty() || e.id.endsWith(QLatin1Char(':')))
            continue; // no key (e.g. an action without a request id): cannot be deduplicated
        if (upsert(e))
            changedEvents.push_back(e);
    }
    if (changedEvents.empty())
        return;
    if (auto *cache = m_session->cache())
        cache->recordEvents(m_session->endpointKey(), changedEvents);
    for (const auto &e : changedEvents)
        emit eventRecorded(e);
    emit changed();
}

TimelineEvent EventLog::addNote(const QString &text, qint64 fromMs, qint64 toMs)
{
    TimelineEvent e = noteEvent(text, fromMs, toMs, localActor());
    record(e);
    return e;
}

void EventLog::recordDrill(const Drill &drill, bool ours)
{
    TimelineEvent e = eventFromDrill(drill, ours ? localActor() : QStringLiteral("service"),
                                     ours ? QStringLiteral("local") : QStringLiteral("drills"));
    if (const TimelineEvent *old = find(e.id)) {
        TimelineEvent kept = *old;
        kept.endMs = old->endMs && old->endMs < e.endMs ? old->endMs : e.endMs;
        record(kept);
        return;
    }
    record(e);
}

void EventLog::endDrill(const QString &drillId, qint64 atMs)
{
    const TimelineEvent *old = find(QStringLiteral("drill:") + drillId);
    if (!old || (old->endMs && old->endMs <= atMs))
        return;
    TimelineEvent e = *old;
    e.endMs = std::max(atMs, e.timeMs + 1);
    e.payload.insert(QStringLiteral("stoppedEarly"), true);
    record(e);
}

void EventLog::onLoaded(const QString &endpoint, const std::vector<TimelineEvent> &events)
{
    if (endpoint != m_session->endpointKey())
        return;
    bool any = false;
    for (const auto &e : events) {
        if (find(e.id))
            continue; // this run's is newer
        auto at = std::find_if(m_events.begin(), m_events.end(),
                               [&](const TimelineEvent &x) { return x.timeMs <= e.timeMs; });
        m_events.insert(at, e);
        any = true;
    }
    if (any)
        emit changed();
}

} // namespace sb
