#include "client/drill_client.h"

#include "client/convert.h"
#include "client/post_guard.h"
#include "client/unary_call.h"
#include "switchboard/sim/v1/drill_service.grpc.pb.h"

namespace sb {

namespace dpb = switchboard::sim::v1;

DrillClient::DrillClient(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this))
{}

DrillClient::~DrillClient()
{
    m_guard->detach();
}

void DrillClient::start(const QString &model, DrillKind kind, double magnitude,
                        std::chrono::seconds duration)
{
    dpb::StartDrillRequest req;
    req.set_model(model.toStdString());
    req.set_kind(convert::toWire(kind));
    req.set_magnitude(magnitude);
    req.mutable_duration()->set_seconds(duration.count());
    detail::unaryOrFail<dpb::DrillService, dpb::StartDrillResponse>(
        this, m_guard, *m_connection, QStringLiteral("start drill"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->StartDrill(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](auto &resp) {
            Drill d = convert::toCore(resp.drill());
            guard->post([this, d = std::move(d)] { emit drillStarted(d); });
        });
}

void DrillClient::stop(const QString &id)
{
    dpb::StopDrillRequest req;
    req.set_id(id.toStdString());
    detail::unaryOrFail<dpb::DrillService, dpb::StopDrillResponse>(
        this, m_guard, *m_connection, QStringLiteral("stop drill"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->StopDrill(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, id](auto &) {
            guard->post([this, id] { emit drillStopped(id); });
        });
}

void DrillClient::list()
{
    detail::unaryOrFail<dpb::DrillService, dpb::ListDrillsResponse>(
        this, m_guard, *m_connection, QStringLiteral("list drills"), dpb::ListDrillsRequest{},
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->ListDrills(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](auto &resp) {
            std::vector<Drill> drills;
            for (const auto &d : resp.drills())
                drills.push_back(convert::toCore(d));
            guard->post([this, drills = std::move(drills)] { emit drillsListed(drills); });
        });
}

} // namespace sb
