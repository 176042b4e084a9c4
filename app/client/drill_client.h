#pragma once

// DrillClient: typed, asynchronous access to switchboard.sim.v1.DrillService,
// the sim's fault injection (outages, latency spikes, error bursts on a
// model) that on-call rehearses with and demos show a fallback saving the day
// with. Not part of the contract: a real service answers UNIMPLEMENTED, which
// reaches `failed` as RpcCode::Unimplemented (the console then hides its drill
// controls). The sim requires the admin role.

#include "client/rpc_error.h"
#include "core/types.h"

#include <QObject>
#include <chrono>
#include <memory>
#include <vector>

namespace sb {

class Connection;
class PostGuard;

class DrillClient : public QObject
{
    Q_OBJECT
public:
    explicit DrillClient(Connection *connection, QObject *parent = nullptr);
    ~DrillClient() override;

    // magnitude: LatencySpike's latency multiplier (> 1), ErrorBurst's error
    // rate (0..1]; ignored for Outage. duration: 1 s .. 1 h; the drill ends
    // by itself after it.
    void start(const QString &model, DrillKind kind, double magnitude,
               std::chrono::seconds duration);
    void stop(const QString &id);
    void list(); // the drills running now

signals:
    void drillStarted(const sb::Drill &drill);
    void drillStopped(const QString &id);
    void drillsListed(const std::vector<sb::Drill> &drills);
    // operation: "start drill", "stop drill" or "list drills".
    void failed(const QString &operation, const sb::RpcError &error);

private:
    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
};

} // namespace sb
