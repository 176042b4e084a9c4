// DrillService (sim only): fault injection into simulated models.

#include "sim/state.h"
#include "switchboard/sim/v1/drill_service.grpc.pb.h"

namespace sb::sim {

namespace {

namespace dpb = switchboard::sim::v1;

const char *kindName(dpb::DrillKind k)
{
    switch (k) {
    case dpb::DRILL_KIND_OUTAGE:
        return "outage";
    case dpb::DRILL_KIND_LATENCY_SPIKE:
        return "latency_spike";
    case dpb::DRILL_KIND_ERROR_BURST:
        return "error_burst";
    default:
        return "unspecified";
    }
}

class DrillServiceImpl final : public dpb::DrillService::CallbackService
{
public:
    explicit DrillServiceImpl(SimState &state) : m_state(state) {}

    grpc::ServerUnaryReactor *StartDrill(grpc::CallbackServerContext *ctx,
                                         const dpb::StartDrillRequest *req,
                                         dpb::StartDrillResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Admin, &caller); !st.ok())
            return reply(ctx, st);
        if (req->model().empty())
            return reply(ctx, invalid("model: must not be empty"));
        switch (req->kind()) {
        case dpb::DRILL_KIND_OUTAGE:
            break;
        case dpb::DRILL_KIND_LATENCY_SPIKE:
            if (!(req->magnitude() > 1 && req->magnitude() <= 1000))
                return reply(ctx, invalid("magnitude: must be in (1, 1000] for a latency spike"));
            break;
        case dpb::DRILL_KIND_ERROR_BURST:
            if (!(req->magnitude() > 0 && req->magnitude() <= 1))
                return reply(ctx, invalid("magnitude: must be in (0, 1] for an error burst"));
            break;
        default:
            return reply(ctx, invalid("kind: must be OUTAGE, LATENCY_SPIKE or ERROR_BURST"));
        }
        const int64_t duration = fromDuration(req->duration());
        if (duration < 1000000 || duration > 3600ll * 1000000)
            return reply(ctx, invalid("duration: must be between 1s and 1h"));
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        if (!m_state.models.count(req->model()))
            return reply(ctx, notFound("model: model " + quoted(req->model()) + " not found"));
        DrillRec rec;
        rec.drill.set_id("drill-" + std::to_string(++m_state.drillCounter));
        rec.drill.set_model(req->model());
        rec.drill.set_kind(req->kind());
        rec.drill.set_magnitude(req->kind() == dpb::DRILL_KIND_OUTAGE ? 0 : req->magnitude());
        toTimestamp(now, rec.drill.mutable_start_time());
        toTimestamp(now + duration, rec.drill.mutable_end_time());
        rec.endUs = now + duration;
        *resp->mutable_drill() = rec.drill;
        m_state.addAudit(now, caller.subject, roleName(caller.role), "drill.start",
                         "model/" + req->model(), "",
                         std::string(kindName(req->kind())) + " for " + formatMicros(duration) +
                             " (" + rec.drill.id() + ")",
                         "drill", "");
        m_state.drills[rec.drill.id()] = std::move(rec);
        m_state.applyDrills(now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *StopDrill(grpc::CallbackServerContext *ctx,
                                        const dpb::StopDrillRequest *req,
                                        dpb::StopDrillResponse *) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Admin, &caller); !st.ok())
            return reply(ctx, st);
        if (req->id().empty())
            return reply(ctx, invalid("id: must not be empty"));
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        auto it = m_state.drills.find(req->id());
        if (it == m_state.drills.end())
            return reply(ctx, notFound("id: drill " + quoted(req->id()) + " not running"));
        m_state.addAudit(now, caller.subject, roleName(caller.role), "drill.stop",
                         "model/" + it->second.drill.model(), it->second.drill.id(), "stopped",
                         "drill", "");
        m_state.drills.erase(it);
        m_state.applyDrills(now);
        return reply(ctx, grpc::Status::OK);
    }

    grpc::ServerUnaryReactor *ListDrills(grpc::CallbackServerContext *ctx,
                                         const dpb::ListDrillsRequest *,
                                         dpb::ListDrillsResponse *resp) override
    {
        Caller caller;
        if (auto st = authorize(ctx, m_state.options.tokens, Role::Admin, &caller); !st.ok())
            return reply(ctx, st);
        const int64_t now = nowMicros();
        std::lock_guard lock(m_state.mutex);
        for (const auto &[id, d] : m_state.drills) {
            if (d.endUs > now)
                *resp->add_drills() = d.drill;
        }
        return reply(ctx, grpc::Status::OK);
    }

private:
    SimState &m_state;
};

} // namespace

std::unique_ptr<grpc::Service> makeDrillService(SimState &state)
{
    return std::make_unique<DrillServiceImpl>(state);
}

} // namespace sb::sim
