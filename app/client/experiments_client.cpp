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

void ExperimentsClient::apply(const Change &change)
{
    auto done = [this, guard = m_guard, change](const v1::Experiment &wire) {
        auto e = convert::toCore(wire);
        guard->post([this, e, change] {
            emit experimentUpdated(e);
            emit changeApplied(change);
        });
    };
    if (change.kind == ChangeKind::ExperimentCreate) {
        v1::CreateExperimentRequest req;
        convert::toWire(change.experiment, req.mutable_experiment());
        req.mutable_experiment()->clear_id();
        req.mutable_experiment()->clear_state();
        req.set_request_id(change.requestId.toStdString());
        detail::unaryWrite<v1::ExperimentService, v1::CreateExperimentResponse>(
            this, m_guard, *m_connection, change, std::move(req),
            [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
                async->CreateExperiment(ctx, rq, rs, std::move(cb));
            },
            [done](auto &resp) { done(resp.experiment()); });
        return;
    }
    v1::UpdateExperimentRequest req;
    req.mutable_experiment()->set_id(change.object.toStdString());
    switch (change.kind) {
    case ChangeKind::ExperimentState:
        req.mutable_experiment()->set_state(convert::toWire(change.experimentState));
        req.mutable_update_mask()->add_paths("state");
        break;
    case ChangeKind::ExperimentWeights: {
        Experiment e = change.experiment;
        e.id = change.object;
        convert::toWire(e, req.mutable_experiment());
        req.mutable_update_mask()->add_paths("variants");
        break;
    }
    default: {
        RpcError err;
        err.code = RpcCode::InvalidArgument;
        err.message = QStringLiteral("not an experiment change: %1").arg(change.title());
        m_guard->post([this, change, err] { emit changeFailed(change, err); });
        return;
    }
    }
    req.set_expected_etag(change.expectedEtag.toStdString());
    req.set_reason(change.reason.toStdString());
    req.set_request_id(change.requestId.toStdString());
    detail::unaryWrite<v1::ExperimentService, v1::UpdateExperimentResponse>(
        this, m_guard, *m_connection, change, std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->UpdateExperiment(ctx, rq, rs, std::move(cb));
        },
        [done](auto &resp) { done(resp.experiment()); });
}

void ExperimentsClient::getResults(const QString &experimentId)
{
    v1::GetResultsRequest req;
    req.set_experiment_id(experimentId.toStdString());
    detail::unaryOrFail<v1::ExperimentService, v1::GetResultsResponse>(
        this, m_guard, *m_connection, QStringLiteral("get results"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->GetResults(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard](auto &resp) {
            auto r = convert::toCore(resp.results());
            guard->post([this, r] { emit resultsReceived(r); });
        });
}

void ExperimentsClient::submitFeedback(const Feedback &f)
{
    v1::SubmitFeedbackRequest req;
    req.set_experiment_id(f.experimentId.toStdString());
    req.set_subject_id(f.subjectId.toStdString());
    req.set_request_id(f.requestId.toStdString());
    req.set_comment(f.comment.toStdString());
    switch (f.kind) {
    case FeedbackKind::Preference: {
        auto *p = req.mutable_preference();
        p->set_preferred_variant_id(f.variantId.toStdString());
        p->set_other_variant_id(f.otherVariantId.toStdString());
        p->set_tie(f.tie);
        break;
    }
    case FeedbackKind::Rating:
        req.mutable_rating()->set_variant_id(f.variantId.toStdString());
        req.mutable_rating()->set_score(f.score);
        break;
    case FeedbackKind::Hallucination:
        req.mutable_hallucination()->set_variant_id(f.variantId.toStdString());
        break;
    }
    detail::unary<v1::ExperimentService, v1::SubmitFeedbackResponse>(
        *m_connection, std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->SubmitFeedback(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, f](const grpc::Status &s, auto &call) {
            if (!s.ok()) {
                auto err = convert::toError(s, call.ctx);
                guard->post([this, f, err] { emit feedbackFailed(f, err); });
                return;
            }
            const QString id = convert::str(call.resp.feedback_id());
            guard->post([this, f, id] { emit feedbackSubmitted(f, id); });
        });
}

} // namespace sb
