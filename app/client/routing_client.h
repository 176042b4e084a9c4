#pragma once

// RoutingClient: typed, asynchronous access to switchboard.v1.RoutingService:
// the routing table, safe toggles of a model, a fallback step or a route's
// primary bypass (reason, expected etag, optional auto-revert, request id)
// and the audit log.

#include "client/rpc_error.h"
#include "core/change.h"
#include "core/types.h"

#include <QObject>
#include <memory>
#include <vector>

namespace sb {

class Connection;
class PostGuard;

class RoutingClient : public QObject
{
    Q_OBJECT
public:
    explicit RoutingClient(Connection *connection, QObject *parent = nullptr);
    ~RoutingClient() override;

    void fetchTable();
    // Sends a ModelEnabled, FallbackEnabled or ForceFallback change (other
    // kinds fail with INVALID_ARGUMENT without a call). On success
    // modelChanged (ModelEnabled) or routeChanged (the others) comes first,
    // then changeApplied; on failure changeFailed, with the conflict's current
    // object on a stale etag.
    void apply(const Change &change);
    void listAudit(int pageSize = 200);

signals:
    void tableReceived(const sb::RoutingTable &table);
    // A write took effect: the object as it is now, and the audit event recorded.
    void routeChanged(const sb::Route &route, const sb::AuditEvent &event);
    void modelChanged(const sb::Model &model, const sb::AuditEvent &event);
    void changeApplied(const sb::Change &change, const sb::AuditEvent &event);
    void changeFailed(const sb::Change &change, const sb::RpcError &error);
    void auditListed(const std::vector<sb::AuditEvent> &events);
    void failed(const QString &operation, const sb::RpcError &error);

private:
    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
};

} // namespace sb
