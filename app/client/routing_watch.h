#pragma once

// RoutingWatch: RoutingService.WatchRouting, so toggles, reverts and circuit
// changes show the moment they happen rather than at the next poll. Every
// event after the snapshot (fallback and model toggles, primary bypass
// changes, auto-reverts, circuit changes) arrives through `changed`. The
// service sends the whole table first (and again after every reconnect, so
// nothing needs resuming); then one event per change. A dropped stream
// reconnects with backoff and jitter; `finished` fires once per start(),
// after stop() or when the service refuses for good.

#include "client/rpc_error.h"
#include "core/backoff.h"
#include "core/types.h"

#include <QObject>
#include <QTimer>
#include <memory>

namespace sb {

class Connection;
class PostGuard;
namespace detail {
struct ActiveCall;
}

class RoutingWatch : public QObject
{
    Q_OBJECT
public:
    explicit RoutingWatch(Connection *connection, QObject *parent = nullptr);
    ~RoutingWatch() override;

    void start();
    void stop();
    bool isWatching() const { return m_watching; }

signals:
    void snapshotReceived(const sb::RoutingTable &table);
    // A route or model changed (either may be empty), with its audit event if
    // any (an auto-revert's actor is `auto-revert`, a circuit's
    // `circuit-breaker`).
    void changed(const std::vector<sb::Route> &routes, const std::vector<sb::Model> &models,
                 const sb::AuditEvent &event);
    void finished(const sb::RpcError &status);

private:
    class Reactor;
    void startCall();
    void onCallDone(const RpcError &error, quint64 generation);

    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
    std::shared_ptr<detail::ActiveCall> m_active; // the call in flight, for stop()
    Backoff m_backoff;
    QTimer m_retryTimer;
    bool m_running = false;
    bool m_watching = false;
    quint64 m_generation = 0;
};

} // namespace sb
