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

    // Replaces every SLO (tests, or after the settings change).
    void setSlos(const RouteSlo &defaults, const QHash<QString, RouteSlo> &routes = {});
    // Seconds since the epoch; the wall clock unless a test sets one.
    void setClock(std::function<qint64()> nowSec) { m_now = std::move(nowSec); }
    // Evaluates now (the timer does this every second).
    void evaluate();

    // Every watched objective, worst first.
    std::vector<SloAlert> current() const { return m_monitor.current(); }
    int firingCount() const;

    static RouteSlo defaultSlo();
    // The SLOs in QSettings (no secrets there, only numbers).
    static void readSettings(RouteSlo *defaults, QHash<QString, RouteSlo> *routes);

signals:
    void alertChanged(const sb::SloAlert &alert);

private:
    LatencyController *m_latency;
    NotificationLog *m_log;
    SloMonitor m_monitor;
    QHash<QString, RouteSlo> m_routeSlos;
    QTimer m_timer;
    std::function<qint64()> m_now;
};

} // namespace sb
