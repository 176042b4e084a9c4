#pragma once

// Console: everything the window shows for one endpoint, without widgets:
// the session (the endpoint's lifecycle), one controller per capability, the
// local action log and the notification log. Tests build it headless.

#include <QObject>

namespace sb {

class Cache;
class Session;
class ActionLog;
class NotificationLog;
class LatencyController;
class PromptsController;
class ExperimentsController;
class RoutingController;
class AuditController;
class AlertsController;
class EventLog;

class Console : public QObject
{
    Q_OBJECT
public:
    explicit Console(Cache *cache, QObject *parent = nullptr);
    ~Console() override;

    Session *session() const { return m_session; }
    ActionLog *actions() const { return m_actions; }
    NotificationLog *notifications() const { return m_notifications; }
    LatencyController *latency() const { return m_latency; }
    PromptsController *prompts() const { return m_prompts; }
    ExperimentsController *experiments() const { return m_experiments; }
    RoutingController *routing() const { return m_routing; }
    AuditController *audit() const { return m_audit; }
    AlertsController *alerts() const { return m_alerts; }
    EventLog *events() const { return m_events; }

    // Stops streams and cancels calls before teardown.
    void shutdown();

private:
    void wireTimeline();

    Session *m_session;
    ActionLog *m_actions;
    NotificationLog *m_notifications;
    LatencyController *m_latency;
    PromptsController *m_prompts;
    ExperimentsController *m_experiments;
    RoutingController *m_routing;
    AuditController *m_audit;
    AlertsController *m_alerts;
    EventLog *m_events;
};

} // namespace sb
