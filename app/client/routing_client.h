#pragma once

// RoutingClient: typed, asynchronous access to switchboard.v1.RoutingService:
// the routing table, safe toggles (reason, expected etag, optional auto-revert,
// request id) and the audit log.

#include "client/rpc_error.h"
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
    // revertAfterSec 0 = permanent.
    void setFallbackEnabled(const QString &route, const QString &model, bool enabled,
                            const QString &reason, const QString &expectedEtag, int revertAfterSec,
                            const QString &requestId);
    void setModelEnabled(const QString &model, bool enabled, const QString &reason,
                         const QString &expectedEtag, int revertAfterSec, const QString &requestId,
                         bool allowRouteOutage = false);
    void listAudit(int pageSize = 200);

signals:
    void tableReceived(const sb::RoutingTable &table);
    void fallbackChanged(const sb::Route &route, const sb::AuditEvent &event);
    void modelChanged(const sb::Model &model, const sb::AuditEvent &event);
    void auditListed(const std::vector<sb::AuditEvent> &events);
    void failed(const QString &operation, const sb::RpcError &error);

private:
    Connection *m_connection;
    std::shared_ptr<PostGuard> m_guard;
};

} // namespace sb
