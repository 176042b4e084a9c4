#include "ui/alerts/alerts_controller.h"

#include "core/clock.h"
#include "core/series_store.h"
#include "ui/common/notification_log.h"
#include "ui/latency/latency_controller.h"

#include <QDateTime>
#include <QList>
#include <QSettings>
#include <QtConcurrent/QtConcurrentRun>

namespace sb {

namespace {

// Seconds older than this (wall clock) are history, not news.
constexpr qint64 kLiveWindowSec = 600;

RouteSlo readSlo(QSettings &s, const RouteSlo &base)
{
    RouteSlo r = base;
    r.errorObjective = s.value(QStringLiteral("errorObjective"), base.errorObjective).toDouble();
    r.p95ThresholdMs = s.value(QStringLiteral("p95Ms"), base.p95ThresholdMs).toDouble();
    r.p99ThresholdMs = s.value(QStringLiteral("p99Ms"), base.p99ThresholdMs).toDouble();
    r.policy.pendingForSec =
        s.value(QStringLiteral("pendingForSec"), base.policy.pendingForSec).toInt();
    r.policy.recoverForSec =
        s.value(QStringLiteral("recoverForSec"), base.policy.recoverForSec).toInt();
    return r;
}

void writeSlo(QSettings &s, const RouteSlo &r)
{
    s.setValue(QStringLiteral("errorObjective"), r.errorObjective);
    s.setValue(QStringLiteral("p95Ms"), r.p95ThresholdMs);
    s.setValue(QStringLiteral("p99Ms"), r.p99ThresholdMs);
    s.setValue(QStringLiteral("pendingForSec"), r.policy.pendingForSec);
    s.setValue(QStringLiteral("recoverForSec"), r.policy.recoverForSec);
}

// Every live controller (GUI thread only), so an edit reaches every window.
QList<AlertsController *> &controllers()
{
    static QList<AlertsController *> list;
    return list;
}

} // namespace

AlertsController::AlertsController(LatencyController *latency, NotificationLog *log,
                                   QObject *parent)
    : QObject(parent), m_latency(latency), m_log(log), m_monitor(defaultSlo()),
      m_now([] { return clock::nowMs() / 1000; })
{
    controllers().append(this);
    RouteSlo defaults;
    QHash<QString, RouteSlo> routes;
    readSettings(&defaults, &routes);
    setSlos(defaults, routes);
    connect(m_latency, &LatencyController::seriesUpdated, this, [this](const SeriesUpdate &u) {
        const qint64 oldest = (m_now() - kLiveWindowSec) * 1000;
        for (const auto &sec : u.seconds) {
            if (sec.secondMs < oldest)
                continue;
            if (const auto key = m_latency->store().key(sec.series))
                m_monitor.add(sec, *key);
        }
    });
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &AlertsController::evaluate);
    m_timer.start();
}

AlertsController::~AlertsController()
{
    controllers().removeAll(this);
}

void AlertsController::writeSettings(const RouteSlo &defaults,
                                     const QHash<QString, RouteSlo> &routes)
{
    QSettings s;
    s.beginGroup(QStringLiteral("alerts"));
    s.beginGroup(QStringLiteral("default"));
    writeSlo(s, defaults);
    s.endGroup();
    s.remove(QStringLiteral("route")); // a route set back to the default follows it
    s.beginGroup(QStringLiteral("route"));
    for (auto it = routes.begin(); it != routes.end(); ++it) {
        s.beginGroup(it.key());
        writeSlo(s, it.value());
        s.endGroup();
    }
    s.endGroup();
    s.endGroup();
    s.sync();
}

void AlertsController::currentSlos(RouteSlo *defaults, QHash<QString, RouteSlo> *routes)
{
    if (controllers().isEmpty()) {
        readSettings(defaults, routes);
        return;
    }
    *defaults = controllers().first()->m_defaults;
    *routes = controllers().first()->m_routeSlos;
}

void AlertsController::applyEverywhere(const RouteSlo &defaults,
                                       const QHash<QString, RouteSlo> &routes)
{
    for (AlertsController *c : std::as_const(controllers()))
        c->setSlos(defaults, routes);
    (void)QtConcurrent::run([defaults, routes] { writeSettings(defaults, routes); });
}

RouteSlo AlertsController::defaultSlo()
{
    RouteSlo s;
    s.errorObjective = 0.99;
    return s;
}

void AlertsController::readSettings(RouteSlo *defaults, QHash<QString, RouteSlo> *routes)
{
    QSettings s;
    s.beginGroup(QStringLiteral("alerts"));
    s.beginGroup(QStringLiteral("default"));
    *defaults = readSlo(s, defaultSlo());
    s.endGroup();
    s.beginGroup(QStringLiteral("route"));
    for (const QString &route : s.childGroups()) {
        s.beginGroup(route);
        routes->insert(route, readSlo(s, *defaults));
        s.endGroup();
    }
}

void AlertsController::setSlos(const RouteSlo &defaults, const QHash<QString, RouteSlo> &routes)
{
    m_monitor = SloMonitor(defaults);
    m_defaults = defaults;
    for (auto it = routes.begin(); it != routes.end(); ++it)
        m_monitor.setSlo(it.key(), it.value());
    m_routeSlos = routes;
}

int AlertsController::firingCount() const
{
    int n = 0;
    for (const auto &a : m_monitor.current())
        n += a.reading.state == AlertState::Firing ? 1 : 0;
    return n;
}

void AlertsController::evaluate()
{
    // The newest second closes about a second late: judge the one before.
    for (const SloAlert &a : m_monitor.evaluate(m_now() - 2)) {
        NotificationLog::Entry e;
        e.timeMs = clock::nowMs();
        switch (a.reading.state) {
        case AlertState::Firing:
            e.severity = NotificationLog::Severity::Trouble;
            e.title =
                tr("SLO alert: %1 %2 is burning its error budget").arg(a.route, toString(a.kind));
            break;
        case AlertState::Normal:
            if (a.previous != AlertState::Recovering)
                continue; // a pending burn that went away is not news
            e.title =
                tr("SLO alert over: %1 %2 is back within budget").arg(a.route, toString(a.kind));
            break;
        default:
            // Pending, recovering, no data: the alert list shows them; the
            // log only records what someone must act on or may stop acting on.
            emit alertChanged(a);
            continue;
        }
        e.detail = a.text;
        m_log->add(e);
        emit alertChanged(a);
    }
}

} // namespace sb
