#include "client/prompts_client.h"

#include "client/convert.h"
#include "client/post_guard.h"
#include "client/unary_call.h"
#include "switchboard/v1/prompt_service.grpc.pb.h"
#include "switchboard/v1/routing_service.grpc.pb.h"

#include <algorithm>

namespace sb {

namespace v1 = switchboard::v1;
using convert::str;

PromptsClient::PromptsClient(Connection *connection, QObject *parent)
    : QObject(parent), m_connection(connection), m_guard(std::make_shared<PostGuard>(this))
{}

PromptsClient::~PromptsClient()
{
    m_guard->detach();
}

void PromptsClient::listPrompts(const QString &query)
{
    listPage(query, {}, std::make_shared<std::vector<Prompt>>());
}

void PromptsClient::listPage(const QString &query, const std::string &token,
                             std::shared_ptr<std::vector<Prompt>> acc)
{
    v1::ListPromptsRequest req;
    req.set_page_size(500);
    req.set_page_token(token);
    req.set_query(query.toStdString());
    detail::unaryOrFail<v1::PromptService, v1::ListPromptsResponse>(
        this, m_guard, *m_connection, QStringLiteral("list prompts"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->ListPrompts(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, acc, query, token](auto &resp) {
            for (const auto &p : resp.prompts())
                acc->push_back(convert::toCore(p));
            const std::string next = resp.next_page_token();
            // A service that hands back the same token forever must not loop us.
            if (!next.empty() && next != token && acc->size() < 100000) {
                guard->post([this, query, next, acc] { listPage(query, next, acc); });
                return;
            }
            guard->post([this, acc] { emit promptsListed(*acc); });
        });
}

void PromptsClient::listVersions(const QString &prompt)
{
    listVersionsPage(prompt, {}, std::make_shared<std::vector<PromptVersion>>());
}

void PromptsClient::listVersionsPage(const QString &prompt, const std::string &token,
                                     std::shared_ptr<std::vector<PromptVersion>> acc)
{
    v1::ListPromptVersionsRequest req;
    req.set_prompt_name(prompt.toStdString());
    req.set_page_size(500);
    req.set_page_token(token);
    detail::unaryOrFail<v1::PromptService, v1::ListPromptVersionsResponse>(
        this, m_guard, *m_connection, QStringLiteral("list versions"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->ListPromptVersions(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, acc, prompt, token](auto &resp) {
            for (const auto &v : resp.versions())
                acc->push_back(convert::toCore(v));
            const std::string next = resp.next_page_token();
            if (!next.empty() && next != token && acc->size() < 100000) {
                guard->post([this, prompt, next, acc] { listVersionsPage(prompt, next, acc); });
                return;
            }
            guard->post([this, prompt, acc] { emit versionsListed(prompt, *acc); });
        });
}

void PromptsClient::listLabelHistory(const QString &prompt, int limit)
{
    listHistoryPage(prompt, {}, limit, std::make_shared<std::vector<AuditEvent>>());
}

void PromptsClient::listHistoryPage(const QString &prompt, const std::string &token, int limit,
                                    std::shared_ptr<std::vector<AuditEvent>> acc)
{
    v1::ListAuditEventsRequest req;
    req.set_page_size(uint32_t(std::clamp(limit - int(acc->size()), 1, 500)));
    req.set_page_token(token);
    req.set_target("prompt/" + prompt.toStdString());
    detail::unaryOrFail<v1::RoutingService, v1::ListAuditEventsResponse>(
        this, m_guard, *m_connection, QStringLiteral("list label history"), std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->ListAuditEvents(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, acc, prompt, token, limit](auto &resp) {
            for (const auto &e : resp.events())
                acc->push_back(convert::toCore(e));
            const std::string next = resp.next_page_token();
            if (!next.empty() && next != token && int(acc->size()) < limit) {
                guard->post([this, prompt, next, limit, acc] {
                    listHistoryPage(prompt, next, limit, acc);
                });
                return;
            }
            guard->post([this, prompt, acc] { emit labelHistoryListed(prompt, *acc); });
        });
}

void PromptsClient::createVersion(const NewVersion &request)
{
    const PromptVersion &version = request.version;
    v1::CreatePromptVersionRequest req;
    req.set_prompt_name(version.promptName.toStdString());
    req.set_expected_etag(request.expectedEtag.toStdString());
    req.set_request_id(request.requestId.toStdString());
    req.set_template_(version.templateText.toStdString());
    req.set_model(version.model.toStdString());
    if (version.params.temperature)
        req.mutable_parameters()->set_temperature(*version.params.temperature);
    if (version.params.topP)
        req.mutable_parameters()->set_top_p(*version.params.topP);
    if (version.params.maxOutputTokens)
        req.mutable_parameters()->set_max_output_tokens(*version.params.maxOutputTokens);
    for (const auto &var : version.variables) {
        auto *pv = req.add_variables();
        pv->set_name(var.name.toStdString());
        pv->set_description(var.description.toStdString());
        pv->set_required(var.required);
        pv->set_default_value(var.defaultValue.toStdString());
    }
    req.set_message(version.message.toStdString());
    req.set_parent_version(version.parentVersion);
    req.set_description(request.description.toStdString());
    const QString requestId = request.requestId;
    detail::unary<v1::PromptService, v1::CreatePromptVersionResponse>(
        *m_connection, std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->CreatePromptVersion(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, requestId](const grpc::Status &s, auto &call) {
            if (!s.ok()) {
                auto err = convert::toError(s, call.ctx);
                guard->post([this, requestId, err] { emit versionCreateFailed(requestId, err); });
                return;
            }
            auto v = convert::toCore(call.resp.version());
            auto p = convert::toCore(call.resp.prompt());
            guard->post([this, requestId, v, p] { emit versionCreated(requestId, v, p); });
        });
}

void PromptsClient::moveLabel(const Change &change)
{
    v1::MoveLabelRequest req;
    req.set_prompt_name(change.object.toStdString());
    req.set_label(change.item.toStdString());
    req.set_version(change.version);
    req.set_expected_etag(change.expectedEtag.toStdString());
    req.set_reason(change.reason.toStdString());
    req.set_request_id(change.requestId.toStdString());
    detail::unaryWrite<v1::PromptService, v1::MoveLabelResponse>(
        this, m_guard, *m_connection, change, std::move(req),
        [](auto *async, auto *ctx, auto *rq, auto *rs, auto cb) {
            async->MoveLabel(ctx, rq, rs, std::move(cb));
        },
        [this, guard = m_guard, change](auto &resp) {
            auto p = convert::toCore(resp.prompt());
            const quint32 prev = resp.previous_version();
            guard->post([this, p, prev, change] {
                emit labelMoved(p, prev);
                emit changeApplied(change);
            });
        });
}

} // namespace sb
