#include "client/experiments_client.h"

#include "client/convert.h"
#include "client/post_guard.h"
#include "client/unary_call.h"
#include "switchboard/v1/experiment_service.grpc.pb.h"

namespace sb {

namespace v1 = switchboard::v1;

ExperimentsClient::ExperimentsClient(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this))
{}

ExperimentsClient::~ExperimentsClient()
{
    m_guard->detach();
}

void ExperimentsClient::listExperiments()
{
    listPage({}, std::make_shared<std::vector<Experiment>>());
}

void ExperimentsClient::listPage(const std::string &token,
                                 std::shared_ptr<std::vector<Experiment>> acc)
{
    v1::ListExperimentsRequest req;
    req.set_page_size(500);
    req.set_page_token(token);
    detail::unaryOrFail<v1::ExperimentService, v1::ListExperimentsResponse>(
        this, m_guard, *m_connection, QStringLiteral("list experiments"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->ListExperiments(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, acc, token](auto &resp) {
            for (const auto &e : resp.experiments())
                acc->push_back(convert::toCore(e));
            const std::string next = resp.next_page_token();
            if (!next.empty() && next != token && acc->size() < 100000) {
                guard->post([this, next, acc] { listPage(next, acc); });
                return;
            }
            guard->post([this, acc] { emit experimentsListed(*acc); });
        });
}

void ExperimentsClient::setState(const Change &change)
{
    v1::UpdateExperimentRequest req;
    req.mutable_experiment()->set_id(change.object.toStdString());
    v1::ExperimentState s = v1::EXPERIMENT_STATE_UNSPECIFIED;
    switch (change.experimentState) {
    case ExperimentState::Draft:
        s = v1::EXPERIMENT_STATE_DRAFT;
        break;
    case ExperimentState::Running:
        s = v1::EXPERIMENT_STATE_RUNNING;
        break;
    case ExperimentState::Paused:
        s = v1::EXPERIMENT_STATE_PAUSED;
        break;
    case ExperimentState::Stopped:
        s = v1::EXPERIMENT_STATE_STOPPED;
        break;
    case ExperimentState::Unspecified:
        break;
    }
    req.mutable_experiment()->set_state(s);
    req.mutable_update_mask()->add_paths("state");
    req.set_expected_etag(change.expectedEtag.toStdString());
    req.set_reason(change.reason.toStdString());
    req.set_request_id(change.requestId.toStdString());
    detail::unaryWrite<v1::ExperimentService, v1::UpdateExperimentResponse>(
        this, m_guard, *m_connection, change, std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->UpdateExperiment(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, change](auto &resp) {
            auto e = convert::toCore(resp.experiment());
            guard->post([this, e, change] {
                emit experimentUpdated(e);
                emit changeApplied(change);
            });
        });
}

} // namespace sb
