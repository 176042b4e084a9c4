#include "ui/console.h"

#include "client/latency_stream.h"
#include "ui/audit/audit_controller.h"
#include "ui/common/action_log.h"
#include "ui/common/event_log.h"
#include "ui/common/notification_log.h"
#include "ui/experiments/experiments_controller.h"
#include "ui/latency/latency_controller.h"
#include "ui/prompts/prompts_controller.h"
#include "ui/routing/routing_controller.h"
#include "ui/routing/routing_model.h"
#include "ui/session.h"

#include <QDateTime>

namespace sb {

Console::Console(Cache *cache, QObject *parent)
    : QObject(parent), m_session(new Session(cache, this)),
      m_actions(new ActionLog(m_session, this)), m_notifications(new NotificationLog(this)),
      m_latency(new LatencyController(m_session, this)),
      m_prompts(new PromptsController(m_session, m_actions, m_notifications, this)),
      m_experiments(new ExperimentsController(m_session, m_actions, this)),
      m_routing(new RoutingController(m_session, m_actions, m_notifications, this)),
      m_audit(new AuditController(m_session, m_actions, this)),
      m_events(new EventLog(m_session, this))
{
    wireTimeline();
    connect(m_routing, &RoutingController::auditEventSeen, m_audit, &AuditController::addEvent);
    // The experiments room reads routes, models and their prices from the
    // routing table (the setup dialog, the arena's live cost estimate).
    auto shareRouting = [this] { m_experiments->setRoutingTable(m_routing->model()->table()); };
    connect(m_routing->model(), &QAbstractItemModel::modelReset, m_experiments, shareRouting);
    m_latency->setAuditModel(m_audit->model()); // markers on the latency charts
    // Any capability turning live or stale updates every banner at once.
    for (QObject *c :
         std::initializer_list<QObject *>{m_prompts, m_experiments, m_routing, m_audit})
        connect(c, SIGNAL(freshnessChanged()), m_session, SIGNAL(freshnessChanged()));
}

Console::~Console() = default;

// Everything the incident timeline records, from where it is first seen.
void Console::wireTimeline()
{
    connect(m_actions, &ActionLog::actionRecording, m_events,
            [this](const LocalAction &a) { m_events->record(eventFromLocalAction(a)); });
    connect(m_routing, &RoutingController::auditEventSeen, m_events, [this](const AuditEvent &e) {
        m_events->record(eventFromAudit(e, QStringLiteral("watch:routing")));
    });
    connect(m_prompts, &PromptsController::labelEventSeen, m_events, [this](const AuditEvent &e) {
        m_events->record(eventFromAudit(e, QStringLiteral("watch:prompts")));
    });
    connect(m_routing, &RoutingController::drillStarted, m_events,
            [this](const Drill &d) { m_events->recordDrill(d, true); });
    connect(m_routing, &RoutingController::drillStopped, m_events, [this](const QString &id) {
        m_events->endDrill(id, QDateTime::currentMSecsSinceEpoch());
    });
    connect(m_routing, &RoutingController::drillsChanged, m_events, [this] {
        for (const Drill &d : m_routing->drills())
            m_events->recordDrill(d, false);
    });
}

void Console::shutdown()
{
    m_latency->stream()->stop();
    m_session->connection()->disconnectFrom();
}

} // namespace sb
