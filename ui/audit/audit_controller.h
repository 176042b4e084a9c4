#pragma once

// AuditController: the audit capability without widgets. Fetches the
// service's audit log (on connect, every 30 s, and at once when the routing
// watch reports a change), merges it with this console's local action log,
// keeps both in the cache and shows them stale offline.

#include "core/types.h"
#include "ui/audit/audit_model.h"
#include "ui/session.h"

#include <QHash>
#include <QObject>
#include <QTimer>

namespace sb {

class RoutingClient;
class ActionLog;
struct CacheSnapshot;

class AuditController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 30000;

    AuditController(Session *session, ActionLog *actions, QObject *parent = nullptr);

    AuditModel *model() { return &m_model; }
    Freshness freshness() const;
    void refresh();
    // An event seen elsewhere (the routing watch, a write's answer).
    void addEvent(const AuditEvent &event);

signals:
    void freshnessChanged();

private:
    void rebuild();

    Session *m_session;
    ActionLog *m_actions;
    RoutingClient *m_client;
    AuditModel m_model;
    QHash<QString, AuditEvent> m_events; // by id
    Freshness m_fresh;
    QTimer m_timer;
};

} // namespace sb
