#include "ui/audit/audit_controller.h"

#include "client/routing_client.h"
#include "core/clock.h"
#include "store/cache.h"
#include "ui/common/action_log.h"

#include <QDateTime>

namespace sb {

AuditController::AuditController(Session *session, ActionLog *actions, QObject *parent)
    : QObject(parent), m_session(session), m_actions(actions),
      m_client(new RoutingClient(session->connection(), this))
{
    connect(m_client, &RoutingClient::auditListed, this,
            [this](const std::vector<AuditEvent> &events) {
                for (const auto &e : events)
                    m_events.insert(e.id, e);
                m_fresh = {clock::nowMs(), true};
                if (auto *cache = m_session->cache())
                    cache->saveAuditEvents(m_session->endpointKey(), events);
                rebuild();
                emit freshnessChanged();
            });
    connect(m_client, &RoutingClient::failed, m_session, &Session::reportFailure);
    connect(m_actions, &ActionLog::changed, this, &AuditController::rebuild);
    connect(m_session, &Session::snapshotLoaded, this, [this](const CacheSnapshot &s) {
        if (m_fresh.live)
            return;
        for (const auto &e : s.audit)
            m_events.insert(e.id, e);
        // The audit log is saved with the routing table's fetches.
        m_fresh.fetchedMs = s.routingFetchedMs;
        rebuild();
        emit freshnessChanged();
    });
    connect(m_session, &Session::connected, this, &AuditController::refresh);
    connect(m_session, &Session::endpointChanged, this, [this] {
        m_events.clear();
        m_fresh = {};
        rebuild();
    });
    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (m_session->isReady())
            refresh();
    });
    m_timer.start();
}

Freshness AuditController::freshness() const
{
    return {m_fresh.fetchedMs, m_fresh.live && m_session->isReady()};
}

void AuditController::refresh()
{
    m_client->listAudit(500);
}

void AuditController::addEvent(const AuditEvent &event)
{
    if (event.id.isEmpty())
        return;
    m_events.insert(event.id, event);
    if (auto *cache = m_session->cache())
        cache->saveAuditEvents(m_session->endpointKey(), {event});
    rebuild();
}

void AuditController::rebuild()
{
    std::vector<AuditEvent> events;
    events.reserve(std::size_t(m_events.size()));
    for (const auto &e : m_events)
        events.push_back(e);
    m_model.setData(events, m_actions->actions());
}

} // namespace sb
