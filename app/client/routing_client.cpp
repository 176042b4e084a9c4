#include "client/routing_client.h"

#include "client/convert.h"
#include "client/post_guard.h"
#include "client/unary_call.h"
#include "switchboard/v1/routing_service.grpc.pb.h"

namespace sb {

namespace v1 = switchboard::v1;

RoutingClient::RoutingClient(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this))
{}

RoutingClient::~RoutingClient()
{
    m_guard->detach();
}

void RoutingClient::fetchTable()
{
    detail::unaryOrFail<v1::RoutingService, v1::GetRoutingTableResponse>(
        this, m_guard, *m_connection, QStringLiteral("routing table"), v1::GetRoutingTableRequest{},
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->GetRoutingTable(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](auto &resp) {
            RoutingTable t;
            for (const auto &r : resp.routes())
                t.routes.push_back(convert::toCore(r));
            for (const auto &m : resp.models())
                t.models.push_back(convert::toCore(m));
            t.timeMs = convert::toMs(resp.time());
            guard->post([this, t = std::move(t)] { emit tableReceived(t); });
        });
}

void RoutingClient::setFallbackEnabled(const QString &route, const QString &model, bool enabled,
                                       const QString &reason, const QString &expectedEtag,
                                       int revertAfterSec, const QString &requestId)
{
    v1::SetFallbackEnabledRequest req;
    req.set_route(route.toStdString());
    req.set_model(model.toStdString());
    req.set_enabled(enabled);
    req.set_reason(reason.toStdString());
    req.set_expected_etag(expectedEtag.toStdString());
    if (revertAfterSec > 0)
        req.mutable_revert_after()->set_seconds(revertAfterSec);
    req.set_request_id(requestId.toStdString());
    detail::unaryOrFail<v1::RoutingService, v1::SetFallbackEnabledResponse>(
        this, m_guard, *m_connection, QStringLiteral("set fallback"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->SetFallbackEnabled(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](auto &resp) {
            auto r = convert::toCore(resp.route());
            auto a = convert::toCore(resp.audit_event());
            guard->post([this, r, a] { emit fallbackChanged(r, a); });
        });
}

void RoutingClient::setModelEnabled(const QString &model, bool enabled, const QString &reason,
                                    const QString &expectedEtag, int revertAfterSec,
                                    const QString &requestId, bool allowRouteOutage)
{
    v1::SetModelEnabledRequest req;
    req.set_model(model.toStdString());
    req.set_enabled(enabled);
    req.set_reason(reason.toStdString());
    req.set_expected_etag(expectedEtag.toStdString());
    if (revertAfterSec > 0)
        req.mutable_revert_after()->set_seconds(revertAfterSec);
    req.set_request_id(requestId.toStdString());
    req.set_allow_route_outage(allowRouteOutage);
    detail::unaryOrFail<v1::RoutingService, v1::SetModelEnabledResponse>(
        this, m_guard, *m_connection, QStringLiteral("set model"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->SetModelEnabled(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](auto &resp) {
            auto m = convert::toCore(resp.model());
            auto a = convert::toCore(resp.audit_event());
            guard->post([this, m, a] { emit modelChanged(m, a); });
        });
}

void RoutingClient::listAudit(int pageSize)
{
    v1::ListAuditEventsRequest req;
    req.set_page_size(uint32_t(std::max(1, pageSize)));
    detail::unaryOrFail<v1::RoutingService, v1::ListAuditEventsResponse>(
        this, m_guard, *m_connection, QStringLiteral("audit log"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->ListAuditEvents(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](auto &resp) {
            std::vector<AuditEvent> events;
            for (const auto &a : resp.events())
                events.push_back(convert::toCore(a));
            guard->post([this, events = std::move(events)] { emit auditListed(events); });
        });
}

} // namespace sb
