#pragma once

// RoutingWatch: RoutingService.WatchRouting, so toggles, reverts and circuit
// changes show the moment they happen rather than at the next poll. Every
// event after the snapshot (fallback and model toggles, primary bypass
// changes, auto-reverts, circuit changes) arrives through `changed`. The
// service sends the whole table first (and again after every reconnect, so
// nothing needs resuming); then one event per change. A dropped stream
// reconnects with backoff and jitter; `finished` fires once per start(),
// after stop() or when the service refuses for good.

#include "client/resuming_watch.h"
#include "core/types.h"

#include <vector>

namespace sb {

class RoutingWatch : public ResumingWatch
{
    Q_OBJECT
public:
    explicit RoutingWatch(Connection *connection, QObject *parent = nullptr);

signals:
    void snapshotReceived(const sb::RoutingTable &table);
    // A route or model changed (either may be empty), with its audit event if
    // any (an auto-revert's actor is `auto-revert`, a circuit's
    // `circuit-breaker`).
    void changed(const std::vector<sb::Route> &routes, const std::vector<sb::Model> &models,
                 const sb::AuditEvent &event);

private:
    class Reactor;
    void startReactor(const std::shared_ptr<grpc::Channel> &channel,
                      const WatchLink &link) override;
};

} // namespace sb
