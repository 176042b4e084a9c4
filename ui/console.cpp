#include "ui/console.h"

#include "client/latency_stream.h"
#include "core/clock.h"
#include "ui/alerts/alerts_controller.h"
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
#include <QHash>
#include <memory>

namespace sb {

Console::Console(Cache *cache, QObject *parent)
    : QObject(parent), m_session(new Session(cache, this)),
      m_actions(new ActionLog(m_session, this)), m_notifications(new NotificationLog(this)),
      m_latency(new LatencyController(m_session, this)),
      m_prompts(new PromptsController(m_session, m_actions, m_notifications, this)),
      m_experiments(new ExperimentsController(m_session, m_actions, this)),
      m_routing(new RoutingController(m_session, m_actions, m_notifications, this)),
      m_audit(new AuditController(m_session, m_actions, this)),
      m_alerts(new AlertsController(m_latency, m_notifications, this)),
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
    connect(m_routing, &RoutingController::drillStopped, m_events,
            [this](const QString &id) { m_events->endDrill(id, clock::nowMs()); });
    connect(m_routing, &RoutingController::drillsChanged, m_events, [this] {
        for (const Drill &d : m_routing->drills())
            m_events->recordDrill(d, false);
    });
    // An SLO alert is a range: from when it fired to when it is normal again.
    auto starts = std::make_shared<QHash<QString, qint64>>();
    connect(m_alerts, &AlertsController::alertChanged, m_events, [this, starts](const SloAlert &a) {
        const QString key = a.route + QLatin1Char('/') + toString(a.kind);
        if (a.reading.state == AlertState::Firing && !starts->contains(key))
            starts->insert(key, a.reading.firingSinceSec * 1000);
        if (!starts->contains(key))
            return;
        TimelineEvent e;
        e.timeMs = starts->value(key);
        e.id = QStringLiteral("alert:%1:%2").arg(key).arg(e.timeMs);
        e.kind = EventKind::Alert;
        e.actor = QStringLiteral("slo");
        e.source = QStringLiteral("local");
        e.target = QStringLiteral("route/") + a.route;
        e.summary = a.text;
        e.payload.insert(QStringLiteral("state"), QString::fromLatin1(toString(a.reading.state)));
        if (a.reading.state == AlertState::Normal || a.reading.state == AlertState::NoData) {
            e.endMs = clock::nowMs();
            starts->remove(key);
        }
        m_events->record(e);
    });
}

void Console::shutdown()
{
    m_latency->stream()->stop();
    m_session->connection()->disconnectFrom();
}

} // namespace sb
