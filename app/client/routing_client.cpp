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

// The guarded-write fields every routing write carries the same way.
template <class Req> static void fillGuarded(Req &req, const Change &change)
{
    req.set_reason(change.reason.toStdString());
    req.set_expected_etag(change.expectedEtag.toStdString());
    if (change.revertAfter.count() > 0)
        req.mutable_revert_after()->set_seconds(change.revertAfter.count());
    req.set_request_id(change.requestId.toStdString());
}

void RoutingClient::apply(const Change &change)
{
    // SetFallbackEnabled and SetPrimaryBypassed both answer with the route
    // and its audit event.
    const auto routeAnswer = [this, guard = m_guard, change](auto &resp) {
        auto r = convert::toCore(resp.route());
        auto a = convert::toCore(resp.audit_event());
        guard->post([this, change, r, a] {
            emit routeChanged(r, a);
            emit changeApplied(change, a);
        });
    };
    switch (change.kind) {
    case ChangeKind::FallbackEnabled: {
        v1::SetFallbackEnabledRequest req;
        req.set_route(change.object.toStdString());
        req.set_model(change.item.toStdString());
        req.set_enabled(change.enabled);
        fillGuarded(req, change);
        detail::unaryWrite<v1::RoutingService, v1::SetFallbackEnabledResponse>(
            this, m_guard, *m_connection, change, std::move(req),
            [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
                async->SetFallbackEnabled(ctx, rq, rs, std::move(cb));
            },
            routeAnswer);
        return;
    }
    case ChangeKind::ForceFallback: {
        v1::SetPrimaryBypassedRequest req;
        req.set_route(change.object.toStdString());
        req.set_bypassed(change.enabled);
        fillGuarded(req, change);
        detail::unaryWrite<v1::RoutingService, v1::SetPrimaryBypassedResponse>(
            this, m_guard, *m_connection, change, std::move(req),
            [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
                async->SetPrimaryBypassed(ctx, rq, rs, std::move(cb));
            },
            routeAnswer);
        return;
    }
    case ChangeKind::ModelEnabled: {
        v1::SetModelEnabledRequest req;
        req.set_model(change.object.toStdString());
        req.set_enabled(change.enabled);
        fillGuarded(req, change);
        req.set_allow_route_outage(change.allowRouteOutage);
        detail::unaryWrite<v1::RoutingService, v1::SetModelEnabledResponse>(
            this, m_guard, *m_connection, change, std::move(req),
            [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
                async->SetModelEnabled(ctx, rq, rs, std::move(cb));
            },
            [this, guard = m_guard, change](auto &resp) {
                auto m = convert::toCore(resp.model());
                auto a = convert::toCore(resp.audit_event());
                guard->post([this, change, m, a] {
                    emit modelChanged(m, a);
                    emit changeApplied(change, a);
                });
            });
        return;
    }
    default:
        break;
    }
    RpcError err;
    err.code = RpcCode::InvalidArgument;
    err.message = QStringLiteral("kind: not a routing change");
    m_guard->post([this, change, err] { emit changeFailed(change, err); });
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
