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
    detail::unary<v1::RoutingService, v1::GetRoutingTableResponse>(
        *m_connection, v1::GetRoutingTableRequest{},
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->GetRoutingTable(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](const grpc::Status &s, auto &call) {
            if (!s.ok()) {
                auto err = convert::toError(s, call.ctx);
                guard->post([this, err] { emit failed(QStringLiteral("routing table"), err); });
                return;
            }
            RoutingTable t;
            for (const auto &r : call.resp.routes())
                t.routes.push_back(convert::toCore(r));
            for (const auto &m : call.resp.models())
                t.models.push_back(convert::toCore(m));
            t.timeMs = convert::toMs(call.resp.time());
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
    detail::unary<v1::RoutingService, v1::SetFallbackEnabledResponse>(
        *m_connection, std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->SetFallbackEnabled(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](const grpc::Status &s, auto &call) {
            if (!s.ok()) {
                auto err = convert::toError(s, call.ctx);
                guard->post([this, err] { emit failed(QStringLiteral("set fallback"), err); });
                return;
            }
            auto r = convert::toCore(call.resp.route());
            auto a = convert::toCore(call.resp.audit_event());
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
    detail::unary<v1::RoutingService, v1::SetModelEnabledResponse>(
        *m_connection, std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->SetModelEnabled(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](const grpc::Status &s, auto &call) {
            if (!s.ok()) {
                auto err = convert::toError(s, call.ctx);
                guard->post([this, err] { emit failed(QStringLiteral("set model"), err); });
                return;
            }
            auto m = convert::toCore(call.resp.model());
            auto a = convert::toCore(call.resp.audit_event());
            guard->post([this, m, a] { emit modelChanged(m, a); });
        });
}

void RoutingClient::listAudit(int pageSize)
{
    v1::ListAuditEventsRequest req;
    req.set_page_size(uint32_t(std::max(1, pageSize)));
    detail::unary<v1::RoutingService, v1::ListAuditEventsResponse>(
        *m_connection, std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->ListAuditEvents(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](const grpc::Status &s, auto &call) {
            if (!s.ok()) {
                auto err = convert::toError(s, call.ctx);
                guard->post([this, err] { emit failed(QStringLiteral("audit log"), err); });
                return;
            }
            std::vector<AuditEvent> events;
            for (const auto &a : call.resp.events())
                events.push_back(convert::toCore(a));
            guard->post([this, events = std::move(events)] { emit auditListed(events); });
        });
}

} // namespace sb
