#pragma once

// AlertsController: the console's SLO alerts. Feeds the latency controller's
// live seconds (not imported history) into an SloMonitor, evaluates it once
// a second, and for each state change writes the notification log (firing
// is trouble; recovered is news) and emits `alertChanged` for the desktop
// notifier. SLOs come from settings (alerts/default/*, alerts/route/<r>/*:
// errorObjective, p95Ms, p99Ms); the default watches only the error rate at
// 99 %. No widgets.

#include "core/slo_monitor.h"

#include <QObject>
#include <QTimer>
#include <functional>

namespace sb {

class LatencyController;
class NotificationLog;

class AlertsController : public QObject
{
    Q_OBJECT
public:
    AlertsController(LatencyController *latency, NotificationLog *log, QObject *parent = nullptr);
    ~AlertsController() override;

    // Replaces every SLO (tests, or after the settings change).
    void setSlos(const RouteSlo &defaults, const QHash<QString, RouteSlo> &routes = {});
    // The SLO a route is watched by now.
    RouteSlo slo(const QString &route) const { return m_monitor.slo(route); }
    // Seconds since the epoch; the console's clock (core/clock.h) unless a test sets one.
    void setClock(std::function<qint64()> nowSec) { m_now = std::move(nowSec); }
    // Evaluates now (the timer does this every second).
    void evaluate();

    // Every watched objective, worst first.
    std::vector<SloAlert> current() const { return m_monitor.current(); }
    int firingCount() const;

    static RouteSlo defaultSlo();
    // The SLOs in QSettings (no secrets there, only numbers).
    static void readSettings(RouteSlo *defaults, QHash<QString, RouteSlo> *routes);
    // Writes them (from any thread): the default, and the routes that have their own.
    static void writeSettings(const RouteSlo &defaults, const QHash<QString, RouteSlo> &routes);
    // The SLOs the open windows watch (from memory; the settings if none is open).
    static void currentSlos(RouteSlo *defaults, QHash<QString, RouteSlo> *routes);
    // The SLO editor's Save: every open window's controller watches these
    // from now on, and they are written to the settings off the GUI thread.
    static void applyEverywhere(const RouteSlo &defaults, const QHash<QString, RouteSlo> &routes);

signals:
    void alertChanged(const sb::SloAlert &alert);

private:
    LatencyController *m_latency;
    NotificationLog *m_log;
    SloMonitor m_monitor;
    RouteSlo m_defaults;
    QHash<QString, RouteSlo> m_routeSlos;
    QTimer m_timer;
    std::function<qint64()> m_now;
};

} // namespace sb
